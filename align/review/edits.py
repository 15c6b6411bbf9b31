"""Review edits as pure functions: each takes the links (a tuple of `Item`) and returns a `Patch` that replaces a
run of them, so the server can send the page only what changed and undo by applying the inverse patch.

Links are never changed in place: an edit builds new `Link` objects. The links are the finest level of an
alignment (sentence links when it has both levels), in document order; together they cover every segment of
both sides once, and ids increase along the list on each side, which every edit keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

from align.errors import AlignError
from align.links import Link

STATUSES = ("approved", "corrected", "rejected", "unreviewed")
Side = Literal["src", "tgt"]
SIDES: tuple[Side, Side] = ("src", "tgt")
# A reviewer's link: its score is the reviewer's confidence, not the model's (the model scored the link it replaced)
REVIEWER_SCORE = 1.0


@dataclass(frozen=True)
class Item:
    """One link under review and its verdict. `at` is when the verdict was given (ISO 8601, UTC)."""

    link: Link
    status: str = "unreviewed"
    at: str | None = None


class Patch(NamedTuple):
    """Replace `removed` items from `start` on with `inserted`."""

    start: int
    removed: int
    inserted: tuple[Item, ...]


@dataclass(frozen=True)
class SideTexts:
    """The text of each segment of one side. `blocks` hold runs of segments whose boundaries could not be
    recovered (the source file is gone and the sentence splitter disagrees): they move only as a whole."""

    single: Mapping[int, str]
    blocks: Mapping[tuple[int, ...], str] = field(default_factory=dict)

    def block_of(self, i: int) -> tuple[int, ...] | None:
        return next((b for b in self.blocks if i in b), None)

    def text(self, ids: Iterable[int]) -> str:
        """The segments joined by a space, as the aligner joins them; refused when `ids` cut a block."""
        ids = list(ids)
        parts: list[str] = []
        done: set[int] = set()
        for i in ids:
            if i in done:
                continue
            if i in self.single:
                parts.append(self.single[i])
                continue
            block = self.block_of(i)
            if block is None:
                raise AlignError(f"segment {i} is not in this alignment")
            if not set(block) <= set(ids):
                raise AlignError(f"where segments {', '.join(map(str, block))} begin and end is unknown (the input "
                                 "file was not found next to the alignment); they can only move together")
            parts.append(self.blocks[block])
            done.update(block)
        return " ".join(parts)


@dataclass(frozen=True)
class Texts:
    src: SideTexts
    tgt: SideTexts

    def side(self, side: Side) -> SideTexts:
        return self.src if side == "src" else self.tgt


def apply(items: tuple[Item, ...], patch: Patch) -> tuple[Item, ...]:
    return items[: patch.start] + patch.inserted + items[patch.start + patch.removed:]


def invert(items: tuple[Item, ...], patch: Patch) -> Patch:
    """The patch that undoes `patch` once it is applied to `items`."""
    return Patch(patch.start, len(patch.inserted), items[patch.start: patch.start + patch.removed])


def reviewed(items: Iterable[Item]) -> int:
    return sum(it.status != "unreviewed" for it in items)


def _check(items: tuple[Item, ...], i: int) -> Item:
    if not 0 <= i < len(items):
        raise AlignError(f"no link {i + 1}: there are {len(items)}")
    return items[i]


def _new(texts: Texts, src_ids: list[int], tgt_ids: list[int], like: Link) -> Link:
    """A reviewer's link over these segments, in the paragraph and level of the link it comes from."""
    return Link(list(src_ids), list(tgt_ids), REVIEWER_SCORE, level=like.level, src=texts.src.text(src_ids),
                tgt=texts.tgt.text(tgt_ids), paragraph=like.paragraph)


def _corrected(link: Link, now: str) -> Item:
    return Item(link, "corrected", now)


def set_status(items: tuple[Item, ...], i: int, status: str, now: str) -> Patch:
    """Approve or reject a link (or set it back to unreviewed). A corrected link stays corrected when approved:
    the reviewer made it."""
    if status not in STATUSES or status == "corrected":
        raise AlignError(f"unknown verdict {status!r}: approved, rejected or unreviewed")
    item = _check(items, i)
    if status == "approved" and item.status == "corrected":
        return Patch(i, 1, (item,))
    return Patch(i, 1, (replace(item, status=status, at=None if status == "unreviewed" else now),))


def merge(items: tuple[Item, ...], i: int, texts: Texts, now: str) -> Patch:
    """Link i and the next one become one link."""
    a = _check(items, i).link
    if i + 1 == len(items):
        raise AlignError("the last link has no next link to merge with")
    b = items[i + 1].link
    like = a if a.paragraph is not None else b
    return Patch(i, 2, (_corrected(_new(texts, a.src_ids + b.src_ids, a.tgt_ids + b.tgt_ids, like), now),))


def split(items: tuple[Item, ...], i: int, texts: Texts, now: str,
          src_at: int | None = None, tgt_at: int | None = None) -> Patch:
    """Cut link i in two: the first `src_at` source and `tgt_at` target segments, then the rest. By default in
    the middle of each side (a 2-2 link gives two 1-1 links, a 2-1 link 1-1 and 1-0); a 1-1 link gives 1-0 and
    0-1 (neither side is the other's translation)."""
    link = _check(items, i).link
    n, m = len(link.src_ids), len(link.tgt_ids)
    if src_at is None and tgt_at is None:
        src_at, tgt_at = ((n + 1) // 2, (m + 1) // 2) if n + m > 2 else (n, 0)
    src_at = (n + 1) // 2 if src_at is None else src_at
    tgt_at = (m + 1) // 2 if tgt_at is None else tgt_at
    if not (0 <= src_at <= n and 0 <= tgt_at <= m):
        raise AlignError(f"cannot cut a {link.type} link after {src_at} source and {tgt_at} target segments")
    first = (link.src_ids[:src_at], link.tgt_ids[:tgt_at])
    rest = (link.src_ids[src_at:], link.tgt_ids[tgt_at:])
    if not any(first) or not any(rest):
        raise AlignError(f"a {link.type} link cannot be split: it has one segment")
    return Patch(i, 1, tuple(_corrected(_new(texts, s, t, link), now) for s, t in (first, rest)))


def move(items: tuple[Item, ...], i: int, side: Side, step: int, texts: Texts, now: str) -> Patch:
    """Move the boundary segment of link i on one side to the neighbouring link: step +1 gives its last segment
    to the next link, step -1 its first segment to the previous link. A link left empty disappears."""
    if step not in (-1, 1):
        raise AlignError("a boundary segment moves one link up or down")
    link = _check(items, i).link
    j = i + step
    if not 0 <= j < len(items):
        raise AlignError(f"link {i + 1} has no {'next' if step > 0 else 'previous'} link")
    ids = getattr(link, f"{side}_ids")
    if not ids:
        raise AlignError(f"link {i + 1} has no {'source' if side == 'src' else 'target'} segment to move")
    other = items[j].link
    seg = ids[-1] if step > 0 else ids[0]
    keep = ids[:-1] if step > 0 else ids[1:]
    gets = [seg] + getattr(other, f"{side}_ids") if step > 0 else getattr(other, f"{side}_ids") + [seg]
    here = _with_side(link, side, keep)
    there = _with_side(other, side, gets)
    pair = [(here, link), (there, other)] if step > 0 else [(there, other), (here, link)]
    out = tuple(_corrected(_new(texts, l.src_ids, l.tgt_ids, like), now) for l, like in pair if l.src_ids or l.tgt_ids)
    return Patch(min(i, j), 2, out)


def detach(items: tuple[Item, ...], i: int, side: Side, texts: Texts, now: str, last: bool = True) -> Patch:
    """Mark the last (or first) segment of link i on one side as having no counterpart: it becomes a 1-0 (source)
    or 0-1 (target) link of its own, beside what remains of link i."""
    link = _check(items, i).link
    ids = getattr(link, f"{side}_ids")
    other = link.tgt_ids if side == "src" else link.src_ids
    if not ids:
        raise AlignError(f"link {i + 1} has no {'source' if side == 'src' else 'target'} segment")
    if len(ids) == 1 and not other:
        raise AlignError(f"link {i + 1} already has no counterpart")
    seg, keep = (ids[-1], ids[:-1]) if last else (ids[0], ids[1:])
    lone = _with_side(Link([], [], 0.0), side, [seg])
    rest = _with_side(link, side, keep)
    pieces = (rest, lone) if last else (lone, rest)
    return Patch(i, 1, tuple(_corrected(_new(texts, l.src_ids, l.tgt_ids, link), now) for l in pieces))


def _with_side(link: Link, side: Side, ids: list[int]) -> Link:
    return replace(link, src_ids=list(ids)) if side == "src" else replace(link, tgt_ids=list(ids))


OPS = ("approve", "reject", "unreview", "merge", "split", "move", "detach")


def edit(items: tuple[Item, ...], op: str, i: int, texts: Texts, now: str, args: Mapping | None = None) -> Patch:
    """One edit by name, as the page sends it: {op, index, args}."""
    args = args or {}
    if op in ("approve", "reject", "unreview"):
        return set_status(items, i, {"approve": "approved", "reject": "rejected", "unreview": "unreviewed"}[op], now)
    if op == "merge":
        return merge(items, i, texts, now)
    if op == "split":
        return split(items, i, texts, now, _int_or_none(args.get("src_at")), _int_or_none(args.get("tgt_at")))
    side: Side = "src" if args.get("side") == "src" else "tgt"
    if op in ("move", "detach") and args.get("side") not in SIDES:
        raise AlignError(f"side must be src or tgt, not {args.get('side')!r}")
    if op == "move":
        return move(items, i, side, _int(args.get("step")), texts, now)
    if op == "detach":
        return detach(items, i, side, texts, now, last=bool(args.get("last", True)))
    raise AlignError(f"unknown edit {op!r}: one of {', '.join(OPS)}")


def _int(x) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise AlignError(f"expected a whole number, not {x!r}")
    return x


def _int_or_none(x) -> int | None:
    return None if x is None else _int(x)
