"""Fitted score mappings (written by `python -m align.score.calibrate`; edit there, not here)."""

# Pair score for `align score`: logistic on [cosine, length deviation, has a major-or-worse flag].
# Placeholder until fitted: cosine 0.5 -> 0.5.
PAIR = {"weights": [12.0, 0.0, 0.0], "intercept": -6.0, "features": ["cos", "len_dev", "major_flag"],
        "fitted_on": None}
