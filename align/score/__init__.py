"""Link and document scores, and translation QA checks.

    check_pair(src, tgt, src_lang, tgt_lang) -> list of flags {check, severity, message}   (align.score.checks)
    check_link(link, src_lang, tgt_lang)     -> the same for a Link, 1-0 / 0-1 links included
    flag_alignment(alignment)                -> sets the flags of every link
    document_quality(alignment)              -> {score, verdict, ...}                       (align.score.quality)
"""

_PUBLIC = {"check_pair": "checks", "check_link": "checks", "flag_alignment": "checks", "CHECKS": "checks",
           "document_quality": "quality", "SEVERITIES": "flags"}


def __getattr__(name):
    # Imported on first use, so that `align.score.flags` (used by the writers) stays cheap to import.
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(f"align.score.{_PUBLIC[name]}"), name)
    raise AttributeError(name)
