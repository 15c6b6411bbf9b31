"""Long links (issue 10): up to 8 segments on one side when a document calls for them, --max-link honoured,
ordinary documents aligned as before."""

import numpy as np
import pytest

import align.core.aligner as A
from align.core.aligner import align_segments, block_limits, link_types
from align.core.params import Params
from align.errors import AlignError


def sentence(k):
    return f"s{k}a s{k}b s{k}c", f"s{k}a' s{k}b' s{k}c'"


def long_doc(parts=6, before=8, after=4):
    """1-1 sentences, then one long source sentence translated as `parts` target sentences, then 1-1 again."""
    src, tgt, gold = [], [], []
    for k in range(before):
        s, t = sentence(k)
        gold.append(([len(src)], [len(tgt)]))
        src.append(s)
        tgt.append(t)
    toks = [f"long{i}" for i in range(4 * parts)]
    gold.append(([len(src)], list(range(len(tgt), len(tgt) + parts))))
    src.append(" ".join(toks))
    tgt += [" ".join(t + "'" for t in toks[4 * p:4 * p + 4]) for p in range(parts)]
    for k in range(before, before + after):
        s, t = sentence(k)
        gold.append(([len(src)], [len(tgt)]))
        src.append(s)
        tgt.append(t)
    return src, tgt, gold


def links_of(beads):
    return [(list(b.src_ids), list(b.tgt_ids)) for b in beads]


def test_a_one_to_six_link_is_found(token_encoder):
    src, tgt, gold = long_doc(6)
    assert links_of(align_segments(src, tgt, token_encoder)) == gold


@pytest.mark.parametrize("parts", [5, 8])
def test_one_to_eight_and_mirrored(token_encoder, parts):
    src, tgt, gold = long_doc(parts)
    assert links_of(align_segments(src, tgt, token_encoder)) == gold
    # the mirror image: a long target sentence, many source sentences
    assert links_of(align_segments(tgt, src, token_encoder)) == [(b, a) for a, b in gold]


@pytest.mark.parametrize("max_link", [2, 3, 5, 6])
def test_max_link_is_honoured(token_encoder, max_link):
    src, tgt, _ = long_doc(6)
    beads = align_segments(src, tgt, token_encoder, Params(max_link=max_link))
    assert max(len(b.src_ids) + len(b.tgt_ids) for b in beads) <= max_link
    assert [i for b in beads for i in b.src_ids] == list(range(len(src)))
    assert [j for b in beads for j in b.tgt_ids] == list(range(len(tgt)))


def test_a_short_document_at_the_ordinary_limit_gets_long_links(token_encoder):
    """One long line translated as five sentences, three of them long: by the lengths, no side calls for long links
    (block_limits), and the DP's best ordinary alignment is a 1-4 link beside a 0-1. That one link at the limit
    widens the side: 1-5."""
    groups = [[f"w{j}_{i}" for i in range(n)] for j, n in enumerate([4, 4, 12, 12, 12])]
    src = [" ".join(sum(groups, []))]
    tgt = [" ".join(t + "'" for t in g) for g in groups]
    ls, lt = np.array([len(s) for s in src], float), np.array([len(t) for t in tgt], float)
    assert block_limits(ls, lt, Params()) == (4, 4)
    assert links_of(align_segments(src, tgt, token_encoder)) == [([0], [0, 1, 2, 3, 4])]


def test_max_link_ten_reaches_eight_on_a_side():
    t = {tuple(x) for x in link_types(Params(max_link=10), 8, 8)}
    assert {(1, 8), (8, 1), (2, 8), (8, 2), (1, 5), (2, 4)} <= t
    assert all(a + b <= 10 and a <= 8 and b <= 8 for a, b in t)
    t = {tuple(x) for x in link_types(Params(max_link=12, max_block=6), 8, 8)}
    assert max(max(a, b) for a, b in t) == 6  # max_block bounds a side whatever max_link allows
    t = {tuple(x) for x in link_types(Params(max_link=7), 8, 8)}
    assert (1, 6) in t and (1, 7) not in t and (2, 6) not in t


def test_ordinary_documents_keep_the_ordinary_shapes(token_encoder):
    ls = np.array([40, 80, 35, 120, 60, 45, 90, 70] * 5, float)
    lt = ls * 1.1 + np.tile([5, -3, 8, 0], 10)
    assert block_limits(ls, lt, Params()) == (4, 4)
    ordinary = {tuple(x) for x in link_types(Params(), 4, 4)}
    assert ordinary == {(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (1, 3), (3, 1), (1, 4), (4, 1), (2, 3), (3, 2)}
    # literary prose: long source segments, each spanning several target ones
    ls_long = np.array([600, 90, 800, 700, 650, 120, 900, 750], float)
    lt_short = np.full(40, 110.0)
    assert block_limits(ls_long, lt_short, Params()) == (4, 8)


def test_max_block_range_is_checked():
    with pytest.raises(AlignError):
        Params(max_block=0)


@pytest.mark.parametrize("max_link, widest", [(3, 3), (10, 7)])
def test_cli_max_link(tmp_path, max_link, widest):
    """`align pair --max-link N` reaches the aligner: one long Arabic line against six English sentences."""
    import json
    import os
    import subprocess
    import sys

    en = ["The committee met on 3 May 2021 in Geneva.", "It adopted 12 decisions.", "Five were on budget matters.",
          "Seven concerned staff.", "The chair thanked 40 delegations.", "The next session opens on 9 June 2022."]
    ar = ["اجتمعت اللجنة في 3 أيار/مايو 2021 في جنيف، واعتمدت 12 مقررا، منها خمسة بشأن مسائل الميزانية وسبعة بشأن "
          "الموظفين، وشكر الرئيس 40 وفدا، وتفتتح الدورة المقبلة في 9 حزيران/يونيه 2022."]
    (tmp_path / "a.txt").write_text("\n".join(["العنوان الأول 1"] + ar + ["الخاتمة 2"]) + "\n", encoding="utf-8")
    (tmp_path / "e.txt").write_text("\n".join(["The first title 1"] + en + ["The end 2"]) + "\n", encoding="utf-8")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, "-m", "align", "pair", "a.txt", "e.txt", "--src-lang", "ar", "--tgt-lang", "en",
                        "--segmented", "--encoder", "lexical", "--max-link", str(max_link), "-o", "out.jsonl"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300,
                       env=dict(os.environ, PYTHONPATH=root))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(l) for l in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    assert max(len(l["src_ids"]) + len(l["tgt_ids"]) for l in rows) == widest
    head = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert f"n.{max_link}" in head["signature"]


# --- the last passes (join_straddling, shift_boundaries): real vectors only where the estimates leave it open ---

def group(name, k=4):
    return [f"{name}{i}" for i in range(k)]


def translated(tokens):
    return " ".join(t + "'" for t in tokens)


def straddle_doc(before=6, after=4, half=4, half_b=None):
    """1-1 sentences, then two long source lines whose boundary falls inside one target sentence (its first part,
    `half` words, ends line a, its second part, `half_b` words (as many by default), starts line b): one 2-8 link;
    then 1-1 again."""
    src, tgt, gold = [], [], []

    def one_to_one(k):
        gold.append(([len(src)], [len(tgt)]))
        src.append(" ".join(group(f"s{k}_")))
        tgt.append(translated(group(f"s{k}_")))

    for k in range(before):
        one_to_one(k)
    p, q = [group(f"p{i}_") for i in range(4)], [group(f"q{i}_") for i in range(3)]
    half_a, half_b = group("ha", half), group("hb", half if half_b is None else half_b)
    en = [translated(g) for g in p + [half_a + half_b] + q]
    gold.append(([len(src), len(src) + 1], list(range(len(tgt), len(tgt) + len(en)))))
    src += [" ".join(sum(p, []) + half_a), " ".join(half_b + sum(q, []))]
    tgt += en
    for k in range(before, before + after):
        one_to_one(k)
    return src, tgt, gold


def test_a_sentence_straddling_two_long_lines_makes_one_two_to_eight_link(token_encoder):
    src, tgt, gold = straddle_doc()
    assert links_of(align_segments(src, tgt, token_encoder)) == gold


class Recorder:
    """Records every text the passes ask for."""

    def __init__(self, inner):
        self.inner, self.texts = inner, []

    def encode(self, texts):
        self.texts += list(texts)
        return self.inner.encode(texts)


def span_of(src, tgt, encoder, limits=(4, 8)):
    ls = np.array([len(s) for s in src], float)
    lt = np.array([len(t) for t in tgt], float)
    return A._Span(src, tgt, encoder.encode(src), encoder.encode(tgt), ls, lt, Recorder(encoder), Params(), limits)


def two_long_lines():
    """Line 0 translated by target sentences 0-2, line 1 by 3-5."""
    groups = [group(f"t{j}_") for j in range(6)]
    src = [" ".join(sum(groups[:3], [])), " ".join(sum(groups[3:], []))]
    return src, [translated(g) for g in groups]


def test_a_boundary_one_sentence_off_moves_and_only_the_plausible_move_is_encoded(token_encoder):
    src, tgt = two_long_lines()
    sp = span_of(src, tgt, token_encoder)
    beads = [A.Bead((0,), (0, 1, 2, 3)), A.Bead((1,), (4, 5))]  # the DP's split: one sentence too many on the left
    assert links_of(A.shift_boundaries(beads, sp)) == [([0], [0, 1, 2]), ([1], [3, 4, 5])]
    # moving sentence 3 right is plausible from the segments' vectors: it is compared with the end of line 0 and
    # the start of line 1, windows of its own length (its own vector is the span's: not encoded again); moving
    # sentence 4 left is not plausible, nothing encoded
    assert sp.encoder.texts == ["t2_0 t2_1 t2_2 t2_3", "t3_0 t3_1 t3_2 t3_3"]


def test_windows_not_the_links_similarities_decide_between_long_lines(token_encoder, monkeypatch):
    """Between long lines a moving sentence is placed by windows of its own length at the boundary: the two
    links' similarities are not even computed."""
    def no_sims(sp, links):
        raise AssertionError("the links' similarities were asked for")

    monkeypatch.setattr(A, "_sims", no_sims)
    src, tgt = two_long_lines()
    right = [([0], [0, 1, 2]), ([1], [3, 4, 5])]
    for left in ((0, 1, 2, 3), (0, 1)):  # one sentence too many on the left, one too few
        beads = [A.Bead((0,), left), A.Bead((1,), tuple(range(len(left), 6)))]
        assert links_of(A.shift_boundaries(beads, span_of(src, tgt, token_encoder))) == right


def test_short_lines_leave_the_move_to_the_links_similarities(token_encoder):
    """Where a window would be a whole line, the links' real similarities decide, as they did before windows."""
    src = ["t0_0 t0_1 t0_2 t0_3 t1_0 t1_1 t1_2 t1_3", "t2_0 t2_1 t2_2 t2_3"]
    tgt = [translated(group(f"t{j}_")) for j in range(3)]
    sp = span_of(src, tgt, token_encoder)
    beads = [A.Bead((0,), (0,)), A.Bead((1,), (1, 2))]
    assert links_of(A.shift_boundaries(beads, sp)) == [([0], [0, 1]), ([1], [2])]
    assert " ".join(tgt[1:]) in sp.encoder.texts  # the joined blocks, not windows


def test_right_boundaries_encode_nothing_new_when_the_estimates_agree(token_encoder):
    src, tgt = two_long_lines()
    sp = span_of(src, tgt, token_encoder)
    beads = [A.Bead((0,), (0, 1, 2)), A.Bead((1,), (3, 4, 5))]
    assert A.shift_boundaries(beads, sp) == beads
    # every re-split scores far below the current one from the segments' vectors: none is encoded
    assert sp.encoder.texts == []


def test_joins_are_encoded_only_where_the_estimated_gain_allows(token_encoder, monkeypatch):
    src, tgt, gold = straddle_doc(before=0, after=0)
    src_a, src_b = src
    beads = [A.Bead((0,), (0, 1, 2, 3, 4)), A.Bead((1,), (5, 6, 7))]  # the straddling sentence 4 on the left
    sp = span_of(src, tgt, token_encoder)
    assert links_of(A.join_straddling(beads, sp)) == gold
    assert src_a + " " + src_b in sp.encoder.texts
    monkeypatch.setattr(A, "JOIN_ESTIMATED", 1.0)  # no estimate reaches it: nothing is joined, nothing encoded
    sp = span_of(src, tgt, token_encoder)
    assert A.join_straddling(beads, sp) == beads
    assert sp.encoder.texts == []


def test_a_close_join_is_made_when_the_boundary_sentence_reads_across(token_encoder, monkeypatch):
    """A join whose gain falls short of JOIN (here raised out of reach) but exceeds JOIN_PROBED is made when the
    sentence at the boundary matches a window across the two lines best, and only then."""
    monkeypatch.setattr(A, "JOIN", 1.0)
    src, tgt, gold = straddle_doc(before=0, after=0)
    beads = [A.Bead((0,), (0, 1, 2, 3, 4)), A.Bead((1,), (5, 6, 7))]
    sp = span_of(src, tgt, token_encoder)
    assert links_of(A.join_straddling(beads, sp)) == gold
    assert "ha2 ha3 hb0 hb1" in " | ".join(sp.encoder.texts)  # the window across the boundary: half of each line
    monkeypatch.setattr(A, "JOIN_PROBED", -1.0)  # every candidate probed: two lines with no straddling sentence
    src, tgt = two_long_lines()
    beads = [A.Bead((0,), (0, 1, 2)), A.Bead((1,), (3, 4, 5))]
    assert A.join_straddling(beads, span_of(src, tgt, token_encoder)) == beads
    monkeypatch.setattr(A, "ORDINARY", 10)  # joins of ordinary size are never probed: the DP weighed them itself
    src, tgt, gold = straddle_doc(before=0, after=0)
    beads = [A.Bead((0,), (0, 1, 2, 3, 4)), A.Bead((1,), (5, 6, 7))]
    assert A.join_straddling(beads, span_of(src, tgt, token_encoder)) == beads


def test_an_uneven_straddle_reads_across_a_boundary_split_at_two_thirds(token_encoder, monkeypatch):
    """A straddling sentence taking 2 words from line a and 5 from line b: the window across the boundary split at
    half matches it no better than the start of line b (5 of 7 words each); split at two thirds, 6 of 7."""
    monkeypatch.setattr(A, "JOIN", 1.0)  # only a join that the boundary sentence settles
    src, tgt, gold = straddle_doc(before=0, after=0, half=2, half_b=5)
    beads = [A.Bead((0,), (0, 1, 2, 3)), A.Bead((1,), (4, 5, 6, 7))]
    assert links_of(A.join_straddling(beads, span_of(src, tgt, token_encoder))) == gold
    monkeypatch.setattr(A, "ACROSS", (1 / 2,))
    assert A.join_straddling(beads, span_of(src, tgt, token_encoder)) == beads


def piece_doc():
    """Two long source lines: line a translated by p0-p3, line b by h then q0-q2. The target keeps h as a second
    sentence on p3's line ("p3 . h"), which therefore straddles the boundary of the two source lines: one 2-7 link."""
    p, q = [group(f"p{i}_") for i in range(4)], [group(f"q{i}_") for i in range(3)]
    h = group("h", 2)
    src = [" ".join(sum(p, [])), " ".join(h + sum(q, []))]
    tgt = [translated(g) for g in p[:3]] + [translated(p[3]) + " . " + translated(h)] + [translated(g) for g in q]
    return src, tgt, [([0, 1], list(range(7)))]


def test_a_sentence_inside_a_boundary_segment_that_reads_as_the_next_line_makes_the_join(token_encoder, monkeypatch):
    """Neither the joined link's gain nor the windows settle it (JOIN and JOIN_PROBED out of reach): the last
    sentence of the boundary segment ("h0' h1'") matches the start of line b, not the end of line a."""
    monkeypatch.setattr(A, "JOIN", 1.0)
    monkeypatch.setattr(A, "JOIN_PROBED", 1.0)
    src, tgt, gold = piece_doc()
    beads = [A.Bead((0,), (0, 1, 2, 3)), A.Bead((1,), (4, 5, 6))]
    sp = span_of(src, tgt, token_encoder)
    assert links_of(A.join_straddling(beads, sp)) == gold
    assert "h0' h1'" in sp.encoder.texts  # the piece, and its windows: the end of line a, the start of line b
    assert "p3_0 p3_1 p3_2 p3_3" in sp.encoder.texts and "h0 h1 q0_0 q0_1" in sp.encoder.texts
    # from the other side of the boundary, its first sentence ("p3' .") reads as the end of line a: joined too
    beads = [A.Bead((0,), (0, 1, 2)), A.Bead((1,), (3, 4, 5, 6))]
    assert links_of(A.join_straddling(beads, span_of(src, tgt, token_encoder))) == gold
    # no estimate reaches JOIN_ESTIMATED: a boundary segment with a break is still encoded, down to PIECE_GAIN
    monkeypatch.setattr(A, "JOIN_ESTIMATED", 1.0)
    assert links_of(A.join_straddling(beads, span_of(src, tgt, token_encoder))) == gold
    monkeypatch.setattr(A, "PIECE_GAIN", 1.0)
    assert A.join_straddling(beads, span_of(src, tgt, token_encoder)) == beads
    monkeypatch.undo()
    monkeypatch.setattr(A, "JOIN", 1.0)
    monkeypatch.setattr(A, "JOIN_PROBED", 1.0)
    # a break whose pieces both belong to line a: nothing joins
    tgt[3] = "p3_0' p3_1' . p3_2' p3_3'"
    tgt[4] = translated(group("h", 2) + group("q0_"))
    src[1] = " ".join(group("h", 2) + group("q0_") + group("q1_") + group("q2_"))
    beads = [A.Bead((0,), (0, 1, 2, 3)), A.Bead((1,), (4, 5, 6))]
    assert A.join_straddling(beads, span_of(src, tgt, token_encoder)) == beads


def test_pieces_also_settle_a_join_of_ordinary_size(token_encoder, monkeypatch):
    """A 2-3 link (5 segments, which the windows never probe): the middle target line ends with the start of
    source line 1."""
    monkeypatch.setattr(A, "JOIN", 1.0)
    p, h, q = group("p0_") + group("p1_"), group("h", 2), group("q0_")
    src, tgt = [" ".join(p), " ".join(h + q)], [translated(p[:4]), translated(p[4:]) + " . " + translated(h),
                                                 translated(q)]
    beads = [A.Bead((0,), (0, 1)), A.Bead((1,), (2,))]
    assert links_of(A.join_straddling(beads, span_of(src, tgt, token_encoder))) == [([0, 1], [0, 1, 2])]


def test_a_piece_that_stays_in_its_line_vetoes_the_windows_straddle(token_encoder, monkeypatch):
    """A close call (every join's gain here 0.03, between JOIN_PROBED and JOIN) that the windows settle as a
    straddle (here they always say so) is not joined when a boundary segment holds a sentence break whose piece reads
    as its own line's; without a break, the windows decide."""
    monkeypatch.setattr(A, "_gains", lambda sp, trio, sims: np.full(len(trio) // 3, 0.03))
    monkeypatch.setattr(A, "_straddles", lambda sp, pairs: [True] * len(pairs))
    src, tgt = two_long_lines()
    beads = [A.Bead((0,), (0, 1, 2)), A.Bead((1,), (3, 4, 5))]
    assert links_of(A.join_straddling(beads, span_of(src, tgt, token_encoder))) == [([0, 1], [0, 1, 2, 3, 4, 5])]
    tgt[2] = "t2_0' t2_1' . t2_2' t2_3'"  # its last sentence is the end of line 0
    assert A.join_straddling(beads, span_of(src, tgt, token_encoder)) == beads


@pytest.mark.parametrize("text, last, piece", [
    ("One. Two three.", True, "Two three."),
    ("One. Two three.", False, "One. "),
    ('He said "no." Then left', True, "Then left"),
    ("ما هذا؟ هذا كتاب", True, "هذا كتاب"),
    ("Costs 2.5 million", True, None),
    ("No break at all.", True, None),
])
def test_outer_piece(text, last, piece):
    assert A._outer_piece(text, last) == piece


def test_a_shift_brings_the_straddling_sentence_to_the_boundary_and_then_it_joins(token_encoder, monkeypatch):
    """The DP put the sentence after the straddling one on the left (it belongs to line b): no join is probed at that
    boundary, the shift moves it right, and the next round's join finds the straddling sentence at the boundary."""
    monkeypatch.setattr(A, "JOIN", 1.0)  # only a join that the boundary sentence settles
    src, tgt, gold = straddle_doc(before=0, after=0, half=2)
    beads = [A.Bead((0,), (0, 1, 2, 3, 4, 5)), A.Bead((1,), (6, 7))]
    sp = span_of(src, tgt, token_encoder)
    once = A.fold_unlinked(A.shift_boundaries(A.join_straddling(beads, sp), sp), sp)
    assert links_of(once) == [([0], [0, 1, 2, 3]), ([1], [4, 5, 6, 7])]  # one round: shifted, not joined
    assert links_of(A.last_passes(beads, span_of(src, tgt, token_encoder))) == gold


def unrelated_long_and_short():
    """Long source lines and short target sentences sharing no token: lengths that call for long links, text that
    does not."""
    src = [" ".join(f"u{i}_{k}" for k in range(24)) for i in range(8)]
    tgt = [" ".join(f"v{j}_{k}'" for k in range(4)) for j in range(40)]
    return src, tgt


def test_unrelated_text_gets_no_long_links(token_encoder, monkeypatch):
    src, tgt = unrelated_long_and_short()
    ls, lt = np.array([len(s) for s in src], float), np.array([len(t) for t in tgt], float)
    assert block_limits(ls, lt, Params()) == (4, 8)  # the lengths alone would allow 1-8 links
    widest = lambda beads: max(max(len(b.src_ids), len(b.tgt_ids)) for b in beads)  # noqa: E731
    assert widest(align_segments(src, tgt, token_encoder)) <= A.ORDINARY_SIDE
    monkeypatch.setattr(A, "LONG_FIT", -99.0)  # without the check, the DP makes 1-7 and 1-8 links of nothing
    assert widest(align_segments(src, tgt, token_encoder)) > A.ORDINARY_SIDE


def test_a_short_sentence_gets_a_window_of_the_smallest_size(token_encoder):
    """A heading of two words is looked for in windows of STRADDLE_WORDS words (4), its own length otherwise."""
    src, tgt = two_long_lines()
    tgt = tgt[:3] + ["h0' h1'"] + tgt[3:]
    sp = span_of(src, tgt, token_encoder)
    assert A.STRADDLE_WORDS == 4
    assert A._window(sp, A._Probe("tgt_ids", 3, 0, 1)) == 4
    assert A._window(sp, A._Probe("tgt_ids", 0, 0, 1)) == 4  # a sentence of four words: its own length
    assert A._window(sp, A._Probe("src_ids", 0, 2, 3)) == 12  # a line of 12 words, at the span's word ratio 1
