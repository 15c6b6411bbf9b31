"""Reading an alignment to review, resuming a review, saving it (atomically, after every change), and the lock
that keeps a second `align review` off the same output.

The reviewed file is an `align pair` JSONL: the same header (plus a `review` summary) and the same links, every
link with `review: {status, at}`; a corrected link also lists the links of the original alignment it
`replaces` (with their text, score and the aligner's evidence: what `align calibrate` learns from). Paragraph
links of a two-level alignment are kept as they were; they count as approved when every sentence link inside them is.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from align.errors import AlignError
from align.formats import atomic_open, json_lines
from align.links import Link
from align.review.edits import SIDES, STATUSES, Item, Side, SideTexts, Texts, reviewed

LINK_FIELDS = ("src_ids", "tgt_ids", "score", "level", "src", "tgt", "paragraph", "sim", "margin", "flags", "labels")
# what `replaces` keeps of an original link: enough to score it again (align calibrate)
REPLACED_FIELDS = ("src_ids", "tgt_ids", "src", "tgt", "score", "sim", "margin")


@dataclass(frozen=True)
class ReviewDoc:
    """What stays fixed during a review: the original alignment and the texts of its segments."""

    path: str                      # the alignment under review (never written)
    header: dict
    level: str                     # the level under review: "sentence", or "paragraph" for one-level files
    context: tuple[Link, ...]      # the other level's links (paragraph links of a two-level alignment)
    originals: tuple[Link, ...]    # the links under review as the aligner made them
    texts: Texts

    @cached_property
    def original_at(self) -> dict[tuple[str, int], list[Link]]:
        """The original links by (side, segment id)."""
        out: dict[tuple[str, int], list[Link]] = defaultdict(list)
        for l in self.originals:
            for side in SIDES:
                for i in getattr(l, f"{side}_ids"):
                    out[side, i].append(l)
        return dict(out)


def default_output(path: str) -> str:
    root, ext = os.path.splitext(path)
    return f"{root}.reviewed{ext or '.jsonl'}"


def read_rows(path: str) -> tuple[dict, list[dict]]:
    """The header and the link rows of an `align pair` JSONL."""
    if not os.path.isfile(path):
        raise AlignError(f"{path}: no such file")
    with open(path, encoding="utf-8") as f:
        values = [v for _, v in json_lines(f.read(), path)]
    if not all(isinstance(v, dict) for v in values):
        raise AlignError(f"{path}: a line is not a JSON object; align review reads `align pair -o X.jsonl`")
    rows = [v for v in values if "src_ids" in v]
    header = next((v for v in values if "src_ids" not in v), None)
    if header is None or not rows:
        raise AlignError(f"{path}: no {'header line' if header is None else 'links'}; "
                         "align review reads the JSONL that `align pair -o X.jsonl` writes")
    return header, rows


def link_from_row(row: dict, where: str = "") -> Link:
    try:
        link = Link(**{k: row[k] for k in LINK_FIELDS if k in row})
        link.src_ids, link.tgt_ids = [int(i) for i in link.src_ids], [int(i) for i in link.tgt_ids]
        link.score = float(link.score)
    except (TypeError, ValueError) as e:
        raise AlignError(f"{where}: not a link ({e})") from None
    return link


def _levels(path: str, rows: list[dict]) -> tuple[str, list[Link], list[Link]]:
    links = [link_from_row(r, path) for r in rows]
    level = "sentence" if any(l.level == "sentence" for l in links) else "paragraph"
    return level, [l for l in links if l.level == level], [l for l in links if l.level != level]


def load(path: str, output: str) -> tuple[ReviewDoc, tuple[Item, ...]]:
    """The alignment at `path` and its links under review: from `output` when a review of it was saved there
    (re-opening resumes), else all unreviewed."""
    header, rows = read_rows(path)
    level, originals, context = _levels(path, rows)
    doc = ReviewDoc(path, header, level, tuple(context), tuple(originals), segment_texts(path, header, originals))
    if not os.path.exists(output):
        return doc, tuple(Item(l) for l in originals)
    return doc, _resume(doc, output)


def _resume(doc: ReviewDoc, output: str) -> tuple[Item, ...]:
    header, rows = read_rows(output)
    if header.get("signature") != doc.header.get("signature") or not _same_segments(doc, rows):
        raise AlignError(f"{output} is the review of another alignment (its signature or segments differ from "
                         f"{doc.path}); choose another -o or move it away")
    items = []
    for row in rows:
        if row.get("level", doc.level) != doc.level:
            continue
        review = row.get("review") or {}
        status = review.get("status", "unreviewed")
        if status not in STATUSES:
            raise AlignError(f"{output}: unknown review status {status!r}")
        items.append(Item(link_from_row(row, output), status, review.get("at")))
    return tuple(items)


def _same_segments(doc: ReviewDoc, rows: list[dict]) -> bool:
    def ids(links, side):
        return sorted(i for l in links for i in l[side])

    mine = [r for r in rows if r.get("level", doc.level) == doc.level]
    orig = [{s: getattr(l, f"{s}_ids") for s in SIDES} for l in doc.originals]
    return all(ids(mine, f"{s}_ids") == ids(orig, s) for s in SIDES)


def segment_texts(path: str, header: dict, links: list[Link]) -> Texts:
    """The text of every segment. A link joining several segments holds them joined by a space; where they
    begin and end is taken from the input file (when it is still where the header says and reads the same),
    else from the sentence splitter (when it cuts the joined text into exactly that many pieces), else the
    run stays one block."""
    sides = {}
    for side in SIDES:
        single: dict[int, str] = {}
        runs: list[tuple[tuple[int, ...], str]] = []
        for l in links:
            ids, text = getattr(l, f"{side}_ids"), getattr(l, side)
            if len(ids) == 1:
                single[ids[0]] = text
            elif ids:
                runs.append((tuple(ids), text))
        sides[side] = _resolve(side, runs, single, path, header)
    return Texts(sides["src"], sides["tgt"])


def _resolve(side: Side, runs, single: dict[int, str], path: str, header: dict) -> SideTexts:
    blocks: dict[tuple[int, ...], str] = {}
    lang = header.get(f"{side}_lang") or ""
    segments = _input_segments(header.get(f"{side}_path"), lang, path, header) if runs else None
    for ids, text in runs:
        pieces = [segments[i] for i in ids] if segments and max(ids) < len(segments) else None
        if pieces is None or " ".join(pieces) != text:
            pieces = _split(text, lang)
        if len(pieces) == len(ids) and " ".join(pieces) == text:
            single.update(zip(ids, pieces))
        else:
            blocks[ids] = text
    return SideTexts(single, blocks)


def _input_segments(src: str | None, lang: str, path: str, header: dict) -> list[str] | None:
    """The segments of the input file, read and split as `align pair` did, or None when it cannot be read."""
    from align.io import read_document

    if not src:
        return None
    segmented = "|mode:segmented|" in f"{header.get('signature', '')}|"
    for cand in (src, os.path.join(os.path.dirname(os.path.abspath(path)), src)):
        if os.path.isfile(cand):
            try:
                return read_document(cand, lang, segmented=segmented).sentences
            except (AlignError, OSError, ValueError):
                return None
    return None


def _split(text: str, lang: str) -> list[str]:
    from align.segment import split_sentences

    try:
        return split_sentences(text, lang)
    except AlignError:   # a language the splitter does not know
        return [text]


def now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def lines(doc: ReviewDoc, items: tuple[Item, ...], cache: dict[int, tuple[Item, str]] | None = None) -> list[str]:
    """The reviewed file, one JSON text per line: header, the other level's links, the links under review.

    `cache` (id of an item -> the item and its line) lets a session serialise an unchanged link once: saving a
    5,000-link review after a change took ~200 ms on 2 cores at load 6, 20-60 ms with it."""
    header = dict(doc.header)
    last = max((it.at for it in items if it.at), default=None)
    header["review"] = {"of": os.path.basename(doc.path), "level": doc.level, "links": len(items),
                        "reviewed": reviewed(items), "at": last}
    out = [_dumps(header)]
    groups: dict[int | None, list[Item]] = defaultdict(list)
    for it in items:
        groups[it.link.paragraph].append(it)
    out += [_dumps({**l.as_dict(), "review": _context_review(groups.get(k, []))}) for k, l in enumerate(doc.context)]
    present = {(tuple(it.link.src_ids), tuple(it.link.tgt_ids)) for it in items}
    fresh: dict[int, tuple[Item, str]] = {}
    for it in items:
        review: dict = {"status": it.status, "at": it.at}
        if it.status == "corrected":   # what it replaces depends on the other links: never cached
            review["replaces"] = _replaced(doc, it, present)
            out.append(_dumps({**it.link.as_dict(), "review": review}))
            continue
        hit = (cache or {}).get(id(it))
        line = hit[1] if hit and hit[0] is it else _dumps({**it.link.as_dict(), "review": review})
        fresh[id(it)] = (it, line)
        out.append(line)
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    return out


def _dumps(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False)


def rows(doc: ReviewDoc, items: tuple[Item, ...]) -> list[dict]:
    return [json.loads(line) for line in lines(doc, items)]


def _context_review(inside: list[Item]) -> dict:
    """A paragraph link counts as approved when every sentence link inside it is."""
    if inside and all(it.status == "approved" for it in inside):
        return {"status": "approved", "at": max(it.at or "" for it in inside) or None}
    return {"status": "unreviewed", "at": None}


def _replaced(doc: ReviewDoc, item: Item, present: set) -> list[dict]:
    """The original links that share a segment with a corrected link and are no longer there."""
    seen, found = set(), []
    for side in SIDES:
        for i in getattr(item.link, f"{side}_ids"):
            for l in doc.original_at.get((side, i), ()):
                key = (tuple(l.src_ids), tuple(l.tgt_ids))
                if key not in seen and key not in present:
                    seen.add(key)
                    found.append({k: v for k, v in l.as_dict().items() if k in REPLACED_FIELDS})
    return found


def save(doc: ReviewDoc, items: tuple[Item, ...], output: str,
         cache: dict[int, tuple[Item, str]] | None = None) -> None:
    text = "".join(line + "\n" for line in lines(doc, items, cache))
    with atomic_open(output) as f:
        f.write(text)


@contextmanager
def review_lock(output: str) -> Iterator[None]:
    """Hold `OUTPUT.lock` (with this process's id in it) while reviewing; refuse when another process holds it.

    filelock's lock_descriptor takes the OS lock on a descriptor we own, so the holder's pid can be written into
    the lock file and read by the refused process (FileLock itself truncates the file on every attempt). The
    OS drops the lock when the process dies, so a stale lock file never blocks."""
    from filelock import lock_descriptor, unlock_descriptor

    lock = output + ".lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise AlignError(f"{lock}: cannot create the lock file ({e.strerror})") from None
    try:
        if not lock_descriptor(fd, blocking=False):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
            raise AlignError(f"{output} is being reviewed by another `align review` (process {holder}); "
                             f"finish that one first (its lock: {lock})")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            unlock_descriptor(fd)
    finally:
        os.close(fd)


def dataset_part(path: str, doc_id: str, pair: tuple[str, str] | None = None) -> dict:
    """A reviewed file as `align corpus` takes one document's result: its signature and quality, and its links
    as reviewed — approved, corrected and unreviewed links of both levels, a rejected link left out (the
    reviewer said it is wrong without saying what is right); each keeps its `review` verdict. With `pair`
    (source and target paths), a review of files of other names is refused."""
    header, rows = read_rows(path)
    if not any("review" in r for r in rows):
        raise AlignError(f"{path}: not a reviewed file (no `review` on its links); `align review` writes them")
    made_src, made_tgt = header.get("src_path"), header.get("tgt_path")
    made = [made_src, made_tgt] if made_src and made_tgt else None
    if pair and made and [os.path.basename(p) for p in made] != [os.path.basename(p) for p in pair]:
        raise AlignError(f"{path} is the review of {os.path.basename(made[0])} / {os.path.basename(made[1])}, "
                         f"not of {os.path.basename(pair[0])} / {os.path.basename(pair[1])}")
    links = []
    for r in rows:
        if (r.get("review") or {}).get("status") == "rejected":
            continue
        link = link_from_row(r, path).as_dict()
        links.append({**link, "review": r.get("review")})
    return {"doc_id": doc_id, "signature": header.get("signature", ""), "quality": header.get("quality") or {},
            "links": links}
