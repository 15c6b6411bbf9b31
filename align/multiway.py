"""Multi-way alignment: one document in K languages -> rows, the smallest groups of segments that translate each
other in every language.

Joining the pivot's pairwise alignments (pivot-ar, pivot-fr, ...) takes each pair's word: one wrong pairwise link
breaks a row, and nothing checks the rows against the other pairs (ntrex6-dev, `use`, --segmented: exact rows
precision 0.890, recall 0.944). Here every pair of languages is aligned and the rows are what the pairs agree on:

1. **Cuts.** A pairwise alignment is a monotone path; its cuts are the points (i, j) between its links (a[:i]
   translates b[:j]). A K-way cut is one position per language, and each language's position must be a cut
   with a majority of its K-1 partners (3 of 5 for six languages): one or two wrong pairs cannot make or break
   a boundary. Candidates at each pivot position come from the pivot pairs' cuts and from cuts composed through
   one other language (pivot -> M -> L), so a boundary one pivot pair missed is still found.
2. **Rows** are the stretches between consecutive K-way cuts. A stretch is a row when every language has a
   segment in it and fewer than 2 pair alignments leave one of its segments unlinked (1-0 / 0-1): an omission
   shows in every pair with the omitting language, a single pair's stray 1-0 is that pair's error.
3. **Score**: the share of the checks every pair alignment passes on the row (its start cut, its end cut, no
   unlinked segment inside), in [0, 1]; 1 = all K(K-1)/2 pair alignments give exactly this row.

Measured on ntrex6-dev (62 news documents, six languages, `use`, --segmented; scripts/bench_multiway.py): exact
rows precision 0.974, recall 0.977 (strict unanimity instead of majorities: 0.973 / 0.893). Each language and
each merge is encoded once for all pairs (one ``Memo``); the ten extra pair alignments are DP work only.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from align.core.params import Params
from align.errors import AlignError

# (ids in language a, ids in language b) for every link of a pair alignment, in path order
PairLinks = Sequence[tuple[Sequence[int], Sequence[int]]]
MIN_LANGUAGES = 3
DEFAULTS = Params()
# An omission shows in every pair with the omitting language; one pair leaving a segment unlinked on its own is
# an error of that pair. ntrex6-dev: 1 pair -> precision 0.979 / recall 0.965, 2 -> 0.974 / 0.977, 3 -> 0.962 / 0.981.
OMISSION_PAIRS = 2
# Most candidate K-way cuts tried at one pivot position (a product over languages; typically 1 to 4).
MAX_COMBINATIONS = 4096


@dataclass(frozen=True)
class Row:
    ids: dict[str, tuple[int, ...]]   # language -> 0-based segment indices, consecutive
    score: float                      # share of the pair alignments' checks this row passes, in [0, 1]


@dataclass(frozen=True)
class PairCuts:
    """What one pair alignment says: where it cuts, and which segments of each side it leaves unlinked."""

    cuts: frozenset[tuple[int, int]]
    unlinked_a: frozenset[int]
    unlinked_b: frozenset[int]

    @classmethod
    def of(cls, links: PairLinks) -> PairCuts:
        i = j = 0
        cuts = {(0, 0)}
        ua: set[int] = set()
        ub: set[int] = set()
        for a_ids, b_ids in links:
            i, j = i + len(a_ids), j + len(b_ids)
            cuts.add((i, j))
            if not b_ids:
                ua.update(a_ids)
            if not a_ids:
                ub.update(b_ids)
        return cls(frozenset(cuts), frozenset(ua), frozenset(ub))

    def flipped(self) -> PairCuts:
        return PairCuts(frozenset((j, i) for i, j in self.cuts), self.unlinked_b, self.unlinked_a)


def language_pairs(langs: Sequence[str]) -> list[tuple[str, str]]:
    """Every pair, in the order of ``langs`` (the pivot first: its pairs come first)."""
    return list(itertools.combinations(langs, 2))


def align_multiway(segments: Mapping[str, Sequence[str]], encoder, params: Params = DEFAULTS, pivot: str | None = None,
                   links: Mapping[tuple[str, str], PairLinks] | None = None) -> list[Row]:
    """Rows of one document given as segment lists per language (at least three languages).

    encoder: wrap it in one ``align.encode.Memo`` per document (done here if it is not one), so each segment is
    encoded once for all the pairs. links: pair alignments already made (e.g. the pivot pairs of the dataset's
    pair configs), keyed (a, b) with a's ids first; the missing pairs are aligned here.
    """
    from align.core.aligner import align_segments
    from align.encode import Memo

    langs = _ordered(list(segments), pivot)
    enc = encoder if isinstance(encoder, Memo) else Memo(encoder)
    have = dict(links or {})
    for a, b in language_pairs(langs):
        if (a, b) not in have and (b, a) not in have:
            beads = align_segments(list(segments[a]), list(segments[b]), enc, params)
            have[(a, b)] = [(l.src_ids, l.tgt_ids) for l in beads]
    return consensus_rows({lang: len(segments[lang]) for lang in langs}, have, langs[0])


def _ordered(langs: list[str], pivot: str | None) -> list[str]:
    if len(langs) < MIN_LANGUAGES:
        raise AlignError(f"multi-way alignment needs at least {MIN_LANGUAGES} languages, got {len(langs)}")
    if pivot is None:
        return langs
    if pivot not in langs:
        raise AlignError(f"pivot {pivot!r} is not among the languages {', '.join(langs)}")
    return [pivot] + [lang for lang in langs if lang != pivot]


def consensus_rows(sizes: Mapping[str, int], links: Mapping[tuple[str, str], PairLinks],
                   pivot: str | None = None) -> list[Row]:
    """Rows from the pair alignments of every pair of languages (sizes: segments per language)."""
    langs = _ordered(list(sizes), pivot)
    pairs = _pair_cuts(langs, links)
    chain = _chain(_kway_cuts(langs, sizes, pairs))
    rows = []
    for start, end in zip(chain, chain[1:]):
        ids = {lang: tuple(range(s, e)) for lang, s, e in zip(langs, start, end)}
        if not all(ids.values()):
            continue  # a language has nothing here: text the others added or it omitted
        unlinked = sum(_leaves_unlinked(pairs[p], ids[p[0]], ids[p[1]]) for p in language_pairs(langs))
        if unlinked < OMISSION_PAIRS:
            rows.append(Row(ids, _agreement(langs, pairs, start, end, ids)))
    return rows


def _pair_cuts(langs: list[str], links: Mapping[tuple[str, str], PairLinks]) -> dict[tuple[str, str], PairCuts]:
    """Both directions of every pair; every pair must be there."""
    out = {}
    for a, b in language_pairs(langs):
        if (a, b) in links:
            pc = PairCuts.of(links[(a, b)])
        elif (b, a) in links:
            pc = PairCuts.of(links[(b, a)]).flipped()
        else:
            raise ValueError(f"no alignment of the pair {a}-{b}")
        out[(a, b)], out[(b, a)] = pc, pc.flipped()
    return out


def _leaves_unlinked(pc: PairCuts, a_ids: tuple[int, ...], b_ids: tuple[int, ...]) -> bool:
    return any(i in pc.unlinked_a for i in a_ids) or any(j in pc.unlinked_b for j in b_ids)


def _kway_cuts(langs: list[str], sizes: Mapping[str, int],
               pairs: dict[tuple[str, str], PairCuts]) -> list[tuple[int, ...]]:
    """Every position tuple (in ``langs`` order) where each language's position is a cut with a majority of
    its partners."""
    pivot, others = langs[0], langs[1:]
    majority = (len(langs) - 1) // 2 + 1
    partners: dict[tuple[str, str, int], set[int]] = {}  # (a, b, position in a) -> cut positions in b
    for (a, b), pc in pairs.items():
        for i, j in pc.cuts:
            partners.setdefault((a, b, i), set()).add(j)
    found = []
    for i in range(sizes[pivot] + 1):
        options = [[i]] + [_candidates(partners, pivot, lang, others, i) for lang in others]
        if not all(options):
            continue
        for combo in _limited_product(options):
            pos = dict(zip(langs, combo))
            if all(sum((pos[a], pos[b]) in pairs[(a, b)].cuts for b in langs if b != a) >= majority for a in langs):
                found.append(combo)
    return found


def _candidates(partners, pivot: str, lang: str, others: list[str], i: int) -> list[int]:
    """Positions of ``lang`` that pivot position i maps to, directly or through one other language; the most
    often proposed first."""
    votes: dict[int, int] = {}
    for j in partners.get((pivot, lang, i), ()):
        votes[j] = votes.get(j, 0) + 1
    for m in others:
        if m != lang:
            for k in partners.get((pivot, m, i), ()):
                for j in partners.get((m, lang, k), ()):
                    votes[j] = votes.get(j, 0) + 1
    return sorted(votes, key=lambda j: (-votes[j], j))


def _limited_product(options: list[list[int]]):
    """The product of the options, trimmed to the most often proposed ones when it would exceed
    MAX_COMBINATIONS (only in pathological documents: typically each language has one or two)."""
    options = [list(o) for o in options]
    while _size(options) > MAX_COMBINATIONS:
        longest = max(range(len(options)), key=lambda k: len(options[k]))
        options[longest].pop()
    return itertools.product(*options)


def _size(options: list[list[int]]) -> int:
    n = 1
    for o in options:
        n *= len(o)
    return n


def _chain(cuts: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The cuts that increase in every language, in document order (a cut that crosses an earlier one is
    dropped)."""
    chain: list[tuple[int, ...]] = []
    for c in sorted(set(cuts), key=lambda c: (sum(c), c)):
        if not chain or all(x >= y for x, y in zip(c, chain[-1])):
            chain.append(c)
    return chain


def _agreement(langs: list[str], pairs: dict[tuple[str, str], PairCuts], start, end, ids) -> float:
    pos0, pos1 = dict(zip(langs, start)), dict(zip(langs, end))
    passed = total = 0
    for a, b in language_pairs(langs):
        pc = pairs[(a, b)]
        passed += (pos0[a], pos0[b]) in pc.cuts
        passed += (pos1[a], pos1[b]) in pc.cuts
        passed += not _leaves_unlinked(pc, ids[a], ids[b])
        total += 3
    return passed / total
