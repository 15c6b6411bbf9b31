"""Link and document scores, and translation QA checks; import what you need from its module.

    checks.check_pair(src, tgt, src_lang, tgt_lang) -> list of flags {check, severity, message}
    checks.check_link(link, src_lang, tgt_lang)     -> the same for a Link, 1-0 / 0-1 links included
    linkscore.link_score(link)                      -> calibrated confidence in [0, 1]
    quality.document_quality(alignment)             -> {score, verdict, ...}
    rescore.score_pairs(pairs, src_lang, tgt_lang)  -> what `align score` reports
"""
