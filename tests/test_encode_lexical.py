"""The lexical (no-model) encoder: a translation in another script must still score above other sentences."""

from __future__ import annotations

import time

import numpy as np
import pytest

from align.encode import Memo, get_encoder
from align.encode.lexical import LexicalEncoder, _anchor_features

# Hand-made UN-style pairs: numbers (Latin and Arabic-Indic digits), a document symbol, a code, a list letter,
# and one long sentence with no anchor at all (length only).
AR = [
    "عقدت اللجنة دورتها الثامنة والخمسين في نيويورك من 9 إلى 20 آذار/مارس 2015.",
    "وبلغ عدد الطلبات ١٢٥ طلباً في عام ٢٠١٤، أي بزيادة قدرها ١٥ في المائة.",
    "انظر الوثيقة A/69/PV.12.",
    "شوهد رجلان وهما يعبران الخط الأزرق على مقربة من البرميل B59.",
    "(أ) تعزيز التعاون الدولي؛",
    "وتعرب الجمعية العامة عن قلقها العميق إزاء استمرار العنف ضد المدنيين في المنطقة، وتدعو جميع الأطراف إلى احترام"
    " القانون الإنساني الدولي.",
]
EN = [
    "The Commission held its fifty-eighth session in New York from 9 to 20 March 2015.",
    "The number of requests reached 125 in 2014, an increase of 15 per cent.",
    "See document A/69/PV.12.",
    "Two men were seen crossing the Blue Line near barrel B59.",
    "(a) Strengthening international cooperation;",
    "The General Assembly expresses its deep concern at the continuing violence against civilians in the region"
    " and calls upon all parties to respect international humanitarian law.",
]


@pytest.fixture(scope="module")
def enc():
    return LexicalEncoder()


def test_shape_normalised_deterministic(enc):
    v = enc.encode(AR + EN)
    assert v.shape == (12, enc.dim) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(v, LexicalEncoder().encode(AR + EN))
    assert enc.encode([]).shape == (0, enc.dim)


def test_vector_does_not_depend_on_the_batch(enc):
    # Memo and the disk cache store one vector per string: it must not depend on the other strings encoded with it.
    together = enc.encode(AR + EN)
    alone = np.vstack([enc.encode([t]) for t in AR + EN])
    np.testing.assert_allclose(together, alone, atol=1e-6)


def test_translation_is_the_nearest_across_scripts(enc):
    sim = enc.encode(AR) @ enc.encode(EN).T
    assert list(sim.argmax(axis=1)) == list(range(len(AR)))
    assert list(sim.argmax(axis=0)) == list(range(len(EN)))


def test_merged_sentences_match_their_joint_translation(enc):
    # What a 2-1 link needs: the concatenation is closer to the joint translation than either part is.
    joint = enc.encode([EN[0] + " " + EN[1]])[0]
    both, first, second = enc.encode([AR[0] + " " + AR[1], AR[0], AR[1]])
    assert both @ joint > max(first @ joint, second @ joint) + 0.1


def test_length_similarity_falls_with_length_difference(enc):
    words = "ab cd ef gh ij kl mn op qr st uv wx yz ".split()
    texts = [" ".join(words[i % len(words)] for i in range(n)) for n in (10, 12, 20, 40, 80)]
    v = enc.encode(texts)
    sims = v[1:] @ v[0]
    assert all(a > b for a, b in zip(sims, sims[1:])), sims


def test_digits_and_punctuation_normalised(enc):
    a, b = enc.encode(["في عام ٢٠١٤؟", "في عام 2014?"])
    assert a @ b > 0.999  # Arabic-Indic digits and the Arabic question mark are the same anchors
    assert ("number", "2014#1") in _anchor_features("٢٠١٤") and ("list", "a#1") in _anchor_features("(أ) بند")
    # a repeated number is a second feature, so "2014 ... 2014" does not match a single "2014" perfectly
    assert ("number", "2014#2") in _anchor_features("2014 and 2014")


def test_odd_input(enc):
    v = enc.encode(["", " ", "\0", "x" * 100_000, "日本語のテキスト", "😀" * 3])
    assert np.isfinite(v).all() and v.shape[0] == 6
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_fast(enc):
    texts = [AR[i % 6] + f" {i}" if i % 2 else EN[i % 6] + f" {i}" for i in range(10_000)]
    t = time.perf_counter()
    enc.encode(texts)
    # well under 1 s on one core; a generous bound that still catches a per-character Python loop (~10x slower)
    assert time.perf_counter() - t < 20


def test_get_encoder_lexical():
    e = get_encoder("lexical")
    assert isinstance(e, Memo) and e.signature.startswith("lexical:")
    assert e.signature != LexicalEncoder(sigma=1.0).signature  # settings that change vectors change the signature


def test_the_memo_keeps_at_most_its_byte_budget_and_stays_correct():
    from align.encode.base import Memo

    inner = get_encoder("lexical", memo=False)
    room = 50 * inner.encode(["x"]).nbytes
    memo = Memo(inner, max_bytes=room)  # room for 50 vectors
    texts = [f"sentence number {k}" for k in range(400)]
    for start in range(0, 400, 40):
        got = memo.encode(texts[start:start + 40] + texts[max(start - 10, 0):start])  # new ones and recent ones
        want = inner.encode(texts[start:start + 40] + texts[max(start - 10, 0):start])
        assert np.allclose(got, want / np.linalg.norm(want, axis=1, keepdims=True), atol=1e-6)
        assert len(memo._vecs) <= 50 and memo._bytes <= room
    assert memo.encoded == 400  # the recent ones were still there
