"""Translation memories (TMX) and XLIFF 1.2/2.x, with translate-toolkit: pairs to re-score, or one side."""

from __future__ import annotations

import re

from align.errors import AlignError

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# TMX inline codes carry the original formatting markup ("<b>", "{1}") as their content: not translatable text.
_TMX_CODES = {"bpt", "ept", "ph", "it", "ut"}


def _seg_text(seg) -> str:
    def walk(el) -> str:
        out = el.text or ""
        for child in el:
            name = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if name and name not in _TMX_CODES:
                out += walk(child)
            out += child.tail or ""
        return out

    return re.sub(r"\s+", " ", walk(seg)).strip() if seg is not None else ""


def _tmx_units(path: str, raw: bytes) -> list[dict[str, str]]:
    """Each translation unit as {primary language: text}."""
    from translate.storage import tmx

    try:
        store = tmx.tmxfile(raw)
    except Exception as e:
        raise AlignError(f"{path}: not a valid TMX file ({type(e).__name__}: {e})".split("\n")[0]) from None
    units = []
    for unit in store.units:
        sides = {}
        for tuv in unit.getlanguageNodes():
            code = tuv.get(_XML_LANG) or tuv.get("lang") or ""  # TMX 1.1 used a plain lang attribute
            seg = next(tuv.iterchildren("{*}seg", "seg"), None)
            lang = re.split(r"[-_]", code.strip().lower())[0]  # "ar-SA", "AR" -> "ar"
            if lang and lang not in sides:
                sides[lang] = _seg_text(seg)
        units.append(sides)
    return units


def _xliff_store(path: str, raw: bytes):
    from translate.storage import xliff, xliff2

    cls = xliff2.Xliff2File if re.search(rb"<xliff[^>]*version\s*=\s*[\"']2", raw[:2000]) else xliff.xlifffile
    try:
        return cls(raw)
    except Exception as e:
        raise AlignError(f"{path}: not a valid XLIFF file ({type(e).__name__}: {e})".split("\n")[0]) from None


def _xliff_units(path: str, raw: bytes, src_lang: str | None, tgt_lang: str | None) -> list[dict[str, str]]:
    store = _xliff_store(path, raw)
    s, t = store.getsourcelanguage(), store.gettargetlanguage()
    # XLIFF names its two languages in the file header; one left unnamed is taken to be the one asked for.
    s_lang = re.split(r"[-_]", s.lower())[0] if s else (src_lang or "source")
    t_lang = re.split(r"[-_]", t.lower())[0] if t else (tgt_lang if tgt_lang != s_lang else "target")
    units = []
    for u in store.units:
        if u.isheader():
            continue
        side = {s_lang: re.sub(r"\s+", " ", str(u.source or "")).strip()}
        side[t_lang] = re.sub(r"\s+", " ", str(u.target or "")).strip()
        units.append(side)
    return units


def _units(path: str, raw: bytes, want: list[str]) -> list[dict[str, str]]:
    ext = path.lower().rsplit(".", 1)[-1]
    if ext == "tmx":
        units = _tmx_units(path, raw)
    else:
        units = _xliff_units(path, raw, want[0], want[1] if len(want) > 1 else None)
    if not units:
        raise AlignError(f"{path}: contains no translation units")
    present = sorted({lang for u in units for lang, text in u.items() if text})
    for lang in want:
        if lang not in present:
            raise AlignError(f"{path}: has no {lang!r} text (languages present: {', '.join(present) or 'none'})")
    return units


def read_units(path: str, raw: bytes, src_lang: str, tgt_lang: str) -> list[tuple[str, str]]:
    """(source, target) text for every unit that has both languages, in file order."""
    units = _units(path, raw, [src_lang, tgt_lang])
    return [(u[src_lang], u[tgt_lang]) for u in units if u.get(src_lang) and u.get(tgt_lang)]


def read_side(path: str, raw: bytes, lang: str) -> list[str]:
    """The ``lang`` text of every unit that has it, in file order."""
    return [u[lang] for u in _units(path, raw, [lang]) if u.get(lang)]
