"""URLs and e-mail addresses must be carried over unchanged (they are never translated)."""

from __future__ import annotations

import re

from align.score.flags import flag

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
# Sentence punctuation glued to the end of an address is not part of it.
_TRAILING = ".,;:!?)]}،؛؟"


def addresses(text: str) -> set[str]:
    found = set()
    for m in list(_URL.finditer(text)) + list(_EMAIL.finditer(text)):
        a = m.group(0).rstrip(_TRAILING).lower()
        # http://x and https://x and a trailing slash name the same page.
        a = re.sub(r"^(?:https?|ftp)://", "", a).rstrip("/")
        found.add(a)
    # an e-mail's domain is not a separate URL
    return found


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    s, t = addresses(src), addresses(tgt)
    flags = [flag("urls", "major", f"address {a} in source is missing from target") for a in sorted(s - t)]
    flags += [flag("urls", "major", f"address {a} in target is not in source") for a in sorted(t - s)]
    return flags
