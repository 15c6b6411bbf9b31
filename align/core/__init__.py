"""The aligner: two lists of segments + an encoder -> links (align.core.aligner). Only the settings are imported
here: the aligner itself loads numba, which the CLI and configs should not pay for."""

from align.core.params import Params

__all__ = ["Params"]
