"""The aligner: two lists of segments + an encoder -> links. See align.core.aligner."""

from align.core.aligner import Params, align_segments

__all__ = ["Params", "align_segments"]
