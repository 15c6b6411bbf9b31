"""Re-scoring pairs that are already aligned (`align score`): a calibrated score and the QA flags per pair, and
a summary of the whole set."""

from __future__ import annotations

from collections import Counter

from align.encode import get_encoder
from align.links import Alignment, Link
from align.score.checks import check_links
from align.score.flags import SEVERITIES
from align.score.linkscore import Calibration, load_calibration
from align.score.quality import document_quality
from align.score.reference import score_against_reference
from align.score.similarity import cosines, pair_score


def score_pairs(pairs: list[dict], src_lang: str, tgt_lang: str, encoder_spec: str = "use",
                references: list[str] | None = None, cache: bool = True,
                calibration: Calibration | None = None) -> tuple[list[dict], dict]:
    """The report rows (one per pair, in order, with score and flags) and the summary."""
    encoder = get_encoder(encoder_spec, cache=cache)
    srcs = [p["src"] for p in pairs]
    tgts = [p["tgt"] for p in pairs]
    sims = cosines(encoder, srcs, tgts)
    rows, links = [], []
    for n, pair in enumerate(pairs):
        # 1-0 / 0-1 pairs: an empty side is an omission or addition, not a translation to score
        src_ids = pair.get("src_ids", [n] if pair["src"].strip() else [])
        tgt_ids = pair.get("tgt_ids", [n] if pair["tgt"].strip() else [])
        links.append(Link(src_ids=src_ids, tgt_ids=tgt_ids, score=0.0, src=pair["src"], tgt=pair["tgt"]))
    for n, (pair, sim, link, flags) in enumerate(zip(pairs, sims, links, check_links(links, src_lang, tgt_lang))):
        if sim is None:
            # no translation to trust: keep the aligner's confidence in the omission if the input had one
            score = float(pair.get("score", 0.0))
        else:
            score = pair_score(sim, pair["src"], pair["tgt"], src_lang, tgt_lang, flags, calibration)
        link.score, link.flags = score, flags
        rows.append({**pair, "n": n, "score": round(score, 4), "sim": None if sim is None else round(sim, 4),
                     "flags": flags})
    pair_fit = (calibration or load_calibration()).pair
    summary = {
        "pairs": len(rows),
        "encoder": encoder.signature,
        # the cosine-to-score mapping was fitted for one encoder; others' cosines are on another scale
        "calibrated": encoder.signature.split(":")[0] == pair_fit["encoder"].split(":")[0],
        "mean_score": round(sum(r["score"] for r in rows) / len(rows), 4) if rows else None,
        "confident": sum(r["score"] >= 0.5 for r in rows),
        "flagged": sum(bool(r["flags"]) for r in rows),
        "flags_by_severity": {s: sum(f["severity"] == s for r in rows for f in r["flags"]) for s in SEVERITIES},
        "flags_by_check": dict(Counter(f["check"] for r in rows for f in r["flags"]).most_common()),
    }
    if references is not None:
        per_pair, corpus = score_against_reference(tgts, references, tgt_lang)
        for row, ref in zip(rows, per_pair):
            row["chrf"], row["bleu"] = ref["chrf"], ref["bleu"]
            row["flags"] = row["flags"] + ref["flags"]
            links[row["n"]].flags = row["flags"]
        summary["reference"] = corpus
    summary["quality"] = document_quality(Alignment(links, signature="", src_lang=src_lang, tgt_lang=tgt_lang))
    return rows, summary
