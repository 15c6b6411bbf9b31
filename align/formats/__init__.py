"""Writing an Alignment: ladder (Vecalign-compatible), jsonl, tsv, html (review view).

Every writer writes to a temporary file next to the target and renames it into place, so an interrupted run
never leaves a half-written file and never corrupts one written before.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from contextlib import contextmanager

from align.errors import AlignError
from align.links import Alignment, Link

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
    with _write_errors(path):
        try:
            with open(fd, mode, encoding=None if "b" in mode else "utf-8",
                      newline=None if "b" in mode else "\n") as f:
                yield f
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; give the usual permissions
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def header(al: Alignment) -> dict:
    return {"signature": al.signature, "src_path": al.src_path, "tgt_path": al.tgt_path,
            "src_lang": al.src_lang, "tgt_lang": al.tgt_lang, "quality": al.quality}


def write(al: Alignment, path: str, fmt: str) -> None:
    if fmt not in OUTPUT_FORMATS:
        raise AlignError(f"unknown format {fmt!r}; choose one of: {', '.join(OUTPUT_FORMATS)}")
    if fmt == "html":
        from align.formats.html import write_html

        with atomic_open(path) as f:
            write_html(al, f)
        return
    with LinkWriter(path, fmt) as writer:
        writer.add(al.links)
        writer.finish(al)


class LinkWriter:
    """One output file in a format that can be written as the links come (jsonl, ladder, tsv): ``add`` takes the
    links a chunk at a time, in order, into an unnamed spool file beside the output; ``finish`` writes the header
    (the jsonl header carries the document's quality, known only at the end) and the spool into place, atomically.
    `align pair` hands it a huge document's links as they are made and never holds them all."""

    STREAMED = ("jsonl", "ladder", "tsv")

    def __init__(self, path: str, fmt: str):
        if fmt not in self.STREAMED:
            raise AlignError(f"{fmt} output cannot be written link by link; choose one of: {', '.join(self.STREAMED)}")
        self.path, self.fmt = path, fmt
        folder = os.path.dirname(os.path.abspath(path))
        try:  # as atomic_open: a folder that cannot be made or written in is the user's to fix, whatever the errno
            os.makedirs(folder, exist_ok=True)
            # ladder: the finest level only, known at the end, so one spool per level
            self._spools = {level: tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=folder)
                            for level in (("paragraph", "sentence") if fmt == "ladder" else ("all",))}
        except OSError as e:
            raise AlignError(f"{path}: cannot write ({e.strerror or e})") from None

    def add(self, links: list[Link]) -> None:
        with _write_errors(self.path):
            if self.fmt == "ladder":
                for l in links:
                    self._spools[l.level].write(f"{l.src_ids}:{l.tgt_ids}:{l.score:.4f}\n")
            elif self.fmt == "jsonl":
                self._spools["all"].writelines(json.dumps(l.as_dict(), ensure_ascii=False) + "\n" for l in links)
            else:
                self._spools["all"].writelines(_tsv_row(l) + "\n" for l in links)

    def finish(self, al: Alignment) -> None:
        """Write the file: ``al``'s header (signature, paths, quality) then every link added."""
        spool = self._spools.get("all")
        with atomic_open(self.path) as f:
            if self.fmt == "jsonl":
                f.write(json.dumps(header(al), ensure_ascii=False) + "\n")
            elif self.fmt == "tsv":
                f.write(f"# signature: {al.signature}\n")
                f.write("level\tsrc_ids\ttgt_ids\ttype\tscore\tsrc\ttgt\tflags\n")
            else:  # the sentence level when there is one (Vecalign's ladder), else the paragraph level
                spool = self._spools["sentence"] if self._spools["sentence"].tell() else self._spools["paragraph"]
            assert spool is not None
            spool.seek(0)
            shutil.copyfileobj(spool, f)

    def close(self) -> None:
        for spool in self._spools.values():
            spool.close()

    def __enter__(self) -> LinkWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def _write_errors(path: str):
    """Disk full, quota, a folder gone read-only: a one-line AlignError naming the output."""
    try:
        yield
    except OSError as e:
        if e.errno in WRITE_ERRORS:
            raise AlignError(f"{path}: cannot write ({e.strerror or e})") from None
        raise


def _tsv_row(l: Link) -> str:
    flags = ",".join(fl["check"] for fl in l.flags)
    return "\t".join([l.level, " ".join(map(str, l.src_ids)), " ".join(map(str, l.tgt_ids)), l.type,
                      f"{l.score:.4f}", _cell(l.src), _cell(l.tgt), flags])


def _cell(text: str) -> str:
    # TSV cannot hold tabs or newlines inside a cell; segments never need them
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
