"""Writing an Alignment: ladder (Vecalign-compatible), jsonl, tsv, html (review view).

Every writer writes to a temporary file next to the target and renames it into place, so an interrupted run
never leaves a half-written file and never corrupts one written before.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from contextlib import contextmanager

from align.errors import AlignError
from align.links import Alignment

OUTPUT_FORMATS = ("jsonl", "ladder", "tsv", "html")
# errno values that mean the output cannot be written (the user's to fix), not a bug
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR, errno.EFBIG}
EXTENSIONS = {"jsonl": ".jsonl", "ladder": ".ladder", "tsv": ".tsv", "html": ".html"}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def json_lines(text: str, where: str):
    """(line number, value) of each non-blank line of JSONL text. Split on "\\n" only: a JSON string may hold
    U+2028, which str.splitlines() takes for a line break. A line that is not JSON is a one-line AlignError."""
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as e:
            raise AlignError(f"{where}:{n}: not JSON ({e.msg})") from None


def check_output(path: str, create_folder: bool = True) -> None:
    """Refuse, before any work, an output path that cannot be written: a folder, a file in a read-only
    folder, or (``create_folder=False``) a file in a folder that does not exist."""
    path = os.path.abspath(path)
    if os.path.isdir(path):
        raise AlignError(f"{path}: is a folder; give a file name")
    folder = os.path.dirname(path)
    if not create_folder and not os.path.isdir(folder):
        raise AlignError(f"{path}: the folder {folder} does not exist")
    while not os.path.exists(folder):  # created when written: the nearest existing folder must take it
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise AlignError(f"{path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise AlignError(f"{path}: cannot write in {folder} (permission denied)")


@contextmanager
def atomic_open(path: str, mode: str = "w"):
    """A file object writing to a temporary file beside ``path``, renamed into place when the block ends
    without error. Write errors (disk full, quota, a folder gone read-only) are one-line AlignErrors and
    leave any earlier file at ``path`` untouched."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    except OSError as e:
        raise AlignError(f"{path}: cannot write ({e.strerror})") from None
    try:
        with open(fd, mode, encoding=None if "b" in mode else "utf-8", newline=None if "b" in mode else "\n") as f:
            yield f
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; give the usual permissions
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno in WRITE_ERRORS:
            raise AlignError(f"{path}: cannot write ({e.strerror or e})") from None
        raise


def header(al: Alignment) -> dict:
    return {"signature": al.signature, "src_path": al.src_path, "tgt_path": al.tgt_path,
            "src_lang": al.src_lang, "tgt_lang": al.tgt_lang, "quality": al.quality}


def ladder_lines(al: Alignment) -> list[str]:
    """`[i, j]:[k]:score` per sentence link (the finest level), indices into the input segments."""
    level = "sentence" if al.at("sentence") else "paragraph"
    return [f"{l.src_ids}:{l.tgt_ids}:{l.score:.4f}" for l in al.at(level)]


def write(al: Alignment, path: str, fmt: str) -> None:
    if fmt not in OUTPUT_FORMATS:
        raise AlignError(f"unknown format {fmt!r}; choose one of: {', '.join(OUTPUT_FORMATS)}")
    if fmt == "html":
        from align.formats.html import write_html

        with atomic_open(path) as f:
            write_html(al, f)
        return
    with atomic_open(path) as f:
        if fmt == "ladder":
            f.writelines(line + "\n" for line in ladder_lines(al))
        elif fmt == "jsonl":
            f.write(json.dumps(header(al), ensure_ascii=False) + "\n")
            for link in al.links:
                f.write(json.dumps(link.as_dict(), ensure_ascii=False) + "\n")
        elif fmt == "tsv":
            f.write(f"# signature: {al.signature}\n")
            f.write("level\tsrc_ids\ttgt_ids\ttype\tscore\tsrc\ttgt\tflags\n")
            for l in al.links:
                flags = ",".join(fl["check"] for fl in l.flags)
                cells = [l.level, " ".join(map(str, l.src_ids)), " ".join(map(str, l.tgt_ids)), l.type,
                         f"{l.score:.4f}", _cell(l.src), _cell(l.tgt), flags]
                f.write("\t".join(cells) + "\n")


def _cell(text: str) -> str:
    # TSV cannot hold tabs or newlines inside a cell; segments never need them
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
