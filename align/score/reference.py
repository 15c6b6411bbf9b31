"""Scores against a reference translation (or MT output of the source), with sacreBLEU.

Per pair: sentence chrF and BLEU (BLEU with effective order, as sacreBLEU recommends for single sentences).
Per corpus: chrF and BLEU with their sacreBLEU signatures, so the numbers can be compared and reproduced.
chrF is also an extra signal: a target that shares almost no character n-grams with the reference is
probably not a translation of this source (a misalignment, or the wrong text), and gets a flag.
"""

from __future__ import annotations

from align.score.flags import flag

# Two unrelated English UN sentences score a median chrF of 18 against each other (measured on unpc-ar-en);
# usable MT of the right sentence scores 40 or more. Below 20 the target is no closer to the reference than an
# unrelated sentence would be.
LOW_CHRF = 20.0

# sacreBLEU's tokenizers for languages that do not put spaces between words
_TOKENIZE = {"zh": "zh", "ja": "ja-mecab", "ko": "ko-mecab"}


def _metrics(tgt_lang: str):
    from sacrebleu.metrics import BLEU, CHRF

    tok = _TOKENIZE.get(tgt_lang, "13a")
    return CHRF(), BLEU(effective_order=True, tokenize=tok), BLEU(tokenize=tok)


def score_against_reference(hyps: list[str], refs: list[str], tgt_lang: str) -> tuple[list[dict], dict]:
    """Per-pair {chrf, bleu, flags} and the corpus {chrf, bleu, signatures}."""
    chrf, sent_bleu, corpus_bleu = _metrics(tgt_lang)
    per_pair = []
    for hyp, ref in zip(hyps, refs):
        c = chrf.sentence_score(hyp, [ref]).score
        b = sent_bleu.sentence_score(hyp, [ref]).score
        flags = []
        if hyp.strip() and ref.strip() and c < LOW_CHRF:
            flags.append(flag("reference", "major", f"target shares little with the reference (chrF {c:.1f})"))
        per_pair.append({"chrf": round(c, 2), "bleu": round(b, 2), "flags": flags})
    c_corpus = chrf.corpus_score(hyps, [refs])
    b_corpus = corpus_bleu.corpus_score(hyps, [refs])
    corpus = {
        "chrf": round(c_corpus.score, 2),
        "chrf_signature": str(chrf.get_signature()),
        "bleu": round(b_corpus.score, 2),
        "bleu_signature": str(corpus_bleu.get_signature()),
        "bleu_detail": str(b_corpus),
    }
    return per_pair, corpus
