"""Fitted score mappings (written by `python -m align.score.calibrate`; edit there, not here)."""

# Pair score for `align score`: logistic on [cosine, length deviation, has a major-or-worse flag].
PAIR = {'weights': [11.6681, -5.5125, -3.6951],
 'intercept': -5.2152,
 'features': ['cos', 'len_dev', 'major_flag'],
 'encoder': 'use-m3:0.2.1',
 'fitted_on': ['ntrex-ar-en', 'unpc-ar-en'],
 'sets': {'unpc-ar-en': {'roc_auc': 0.9922, 'precision_at_0.5': 0.9577},
          'ntrex-ar-en': {'roc_auc': 0.9792, 'precision_at_0.5': 0.9501}}}
