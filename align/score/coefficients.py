"""Fitted score mappings (written by `python -m align.score.calibrate pairs --write` and
`python scripts/calibrate_links.py --write`; refit there rather than edit here)."""

# Pair score for `align score`: logistic on [cosine, length deviation, has a major-or-worse flag].
PAIR = {'weights': [11.6681, -5.5125, -3.6951],
 'intercept': -5.2152,
 'features': ['cos', 'len_dev', 'major_flag'],
 'encoder': 'use-m3:0.2.1',
 'fitted_on': ['ntrex-ar-en', 'unpc-ar-en'],
 'sets': {'unpc-ar-en': {'roc_auc': 0.9922, 'precision_at_0.5': 0.9577},
          'ntrex-ar-en': {'roc_auc': 0.9792, 'precision_at_0.5': 0.9501}}}

# Link score for `align pair` (align.score.calibrate.link_score): logistic models fitted on the
# links the aligner (default Params, `use` encoder) predicts for the open benchmark sets, correct =
# gold has exactly that link; each intercept then lowered until links of its kind scoring >= 0.5
# are correct >= 95% of the time on every set. 'both' = text on both sides, 'one' = 1-0 / 0-1.
LINK = {'both': {'weights': [3.0419, -0.7156, -0.2496, 9.8111],
          'intercept': -2.1304,
          'features': ['sim', 'extra_segments', 'digits_differ', 'margin']},
 'one': {'weights': [-4.0472, 0.3055, 16.8149],
         'intercept': -2.3905,
         'features': ['sim', 'log_chars', 'margin']},
 'encoder': 'use-m3:0.2.1',
 'fitted_on': ['ntrex-ar-en', 'textberg-de-fr', 'udhr-ar-en', 'unpc-ar-en'],
 'sets': {'unpc-ar-en': {'roc_auc': 0.9638, 'precision_at_0.5': 0.9956, 'share_at_0.5': 0.9793},
          'ntrex-ar-en': {'roc_auc': 0.9328, 'precision_at_0.5': 0.9896, 'share_at_0.5': 0.9545},
          'udhr-ar-en': {'roc_auc': 0.9333, 'precision_at_0.5': 0.9889, 'share_at_0.5': 0.9783},
          'textberg-de-fr': {'roc_auc': 0.8766, 'precision_at_0.5': 0.9506, 'share_at_0.5': 0.929}}}
