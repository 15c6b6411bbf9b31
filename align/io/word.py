""".docx -> paragraphs, with python-docx: body paragraphs and tables in document order, empty ones skipped."""

from __future__ import annotations

import re
import zipfile

from align.errors import AlignError


def _clean(text: str) -> str:
    # Soft hyphens are invisible in Word; tabs and manual line breaks inside a paragraph read as spaces.
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


def _blocks(parent):
    """Paragraphs of ``parent`` (the body or a table cell) in order, descending into tables row by row, cell
    by cell. A merged cell appears once per grid column in python-docx, so repeated cells are skipped."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in parent.iter_inner_content():
        if isinstance(child, Paragraph):
            yield child.text
        elif isinstance(child, Table):
            for row in child.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from _blocks(cell)


# Most bytes the parts of a .docx may inflate to. A 300-page report's document.xml is ~10 MB; a 1 MB zip bomb
# inflates to 1 GB and took 2.1 GB of memory before python-docx gave up.
MAX_INFLATED = 256 * 1024**2


def _check_sizes(path: str) -> None:
    """Refuse a zip whose parts inflate past MAX_INFLATED, from the sizes its directory declares (zipfile never
    inflates a member past its declared size: it stops there with a CRC error), before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # python-docx says what is wrong with it
    if total > MAX_INFLATED:
        raise AlignError(f"{path}: the .docx inflates to {total >> 20} MB, more than {MAX_INFLATED >> 20} MB "
                         f"(a decompression bomb?); not read")


def read_docx(path: str) -> list[str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_sizes(path)
    try:
        doc = docx.Document(path)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise AlignError(f"{path}: not a valid .docx file ({type(e).__name__})") from None
    except Exception as e:  # lxml errors on damaged XML parts, etc.
        raise AlignError(f"{path}: cannot read the .docx file ({type(e).__name__}: {e})".split("\n")[0]) from None
    paras = [t for t in (_clean(b) for b in _blocks(doc)) if t]
    if not paras:
        raise AlignError(f"{path}: the document has no text")
    return paras
