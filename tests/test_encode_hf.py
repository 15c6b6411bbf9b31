"""The hf encoder on a tiny model built here (no hub): a random 2-layer XLM-R / BERT and a sentencepiece
tokenizer trained on generated text, saved with save_pretrained and loaded by path, as users load LaBSE."""

from __future__ import annotations

import io
import random
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
spm = pytest.importorskip("sentencepiece")

from align.encode import get_encoder  # noqa: E402
from align.encode.hf import HFEncoder, parse_spec  # noqa: E402
from align.errors import AlignError  # noqa: E402

LATIN, ARABIC = "abcdefghijklmnopqrstuvwxyz", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _lines(n: int, seed: int = 0) -> list[str]:
    """Pseudo-sentences in two scripts, varied in length (so batches need padding)."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(a) for _ in range(rng.randint(2, 8))) for a in [LATIN] * 300 + [ARABIC] * 300]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 20))) + rng.choice(".?!") for _ in range(n)]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Two tiny models sharing one tokenizer: XLM-R with a (trained, saved) pooler, BERT without one."""
    root = tmp_path_factory.mktemp("hf")
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_lines(400)), model_writer=buf, vocab_size=300, character_coverage=1.0, minloglevel=2
    )
    (root / "spm").mkdir()
    (root / "spm" / "sentencepiece.bpe.model").write_bytes(buf.getvalue())  # the file name XLM-R repos use
    tok = transformers.XLMRobertaTokenizer.from_pretrained(str(root / "spm"))
    small = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    small.update(vocab_size=len(tok), pad_token_id=tok.pad_token_id, max_position_embeddings=130)
    torch.manual_seed(0)
    xlmr = transformers.XLMRobertaModel(transformers.XLMRobertaConfig(**small))
    bert = transformers.BertModel(transformers.BertConfig(**small), add_pooling_layer=False)
    paths = {}
    for name, model in (("xlmr", xlmr), ("bert", bert)):
        paths[name] = root / name
        model.save_pretrained(paths[name])
        tok.save_pretrained(paths[name])
    return paths


def enc(path, **kw) -> HFEncoder:
    return HFEncoder(str(path), device="cpu", **kw)


def test_shapes_normalised_float32(models):
    e = get_encoder(f"hf:{models['xlmr']}", cache=False)
    texts = _lines(7, seed=1)
    v = e.encode(texts)
    assert v.shape == (7, 32) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert e.encode([]).shape == (0, 32)
    # distinct inputs get distinct vectors (a constant output would pass the checks above)
    assert np.abs(v[0] - v[1]).max() > 1e-3


def test_loads_weights_from_disk_deterministically(models):
    texts = _lines(5, seed=2)
    a, b = enc(models["xlmr"]).encode(texts), enc(models["xlmr"]).encode(texts)
    np.testing.assert_array_equal(a, b)  # two fresh loads: the weights came from the files, not a random init
    assert enc(models["xlmr"]).signature == enc(models["xlmr"]).signature


def test_batching_invariance_and_input_order(models):
    texts = _lines(40, seed=3)  # 1 to 20 words: batches of 32 are heavily padded
    one, many = enc(models["xlmr"], batch_size=1).encode(texts), enc(models["xlmr"], batch_size=32).encode(texts)
    np.testing.assert_allclose(one, many, atol=1e-5)
    # Sorted-by-length batching must hand results back in input order.
    rev = enc(models["xlmr"], batch_size=8).encode(texts[::-1])[::-1]
    np.testing.assert_allclose(rev, many, atol=1e-5)
    np.testing.assert_allclose(enc(models["xlmr"]).encode([texts[5]])[0], many[5], atol=1e-5)


def test_pooling_auto_and_options_differ(models):
    assert enc(models["xlmr"]).pooling == "pooler"  # the checkpoint has pooler weights (as LaBSE does)
    assert enc(models["bert"]).pooling == "mean"  # none saved: a pooler would be random, so mean
    texts = _lines(4, seed=4)
    vecs = {p: enc(models["xlmr"], pooling=p).encode(texts) for p in ("pooler", "cls", "mean")}
    for p, q in (("pooler", "cls"), ("pooler", "mean"), ("cls", "mean")):
        assert np.abs(vecs[p] - vecs[q]).max() > 1e-3, (p, q)
    with pytest.raises(AlignError, match="no trained pooler"):
        enc(models["bert"], pooling="pooler")
    with pytest.raises(AlignError, match="unknown pooling"):
        enc(models["bert"], pooling="max")


def test_prefix_and_spec_options(models):
    texts = _lines(3, seed=5)
    plain = enc(models["bert"]).encode(texts)
    prefixed = enc(models["bert"], prefix="query: ").encode(texts)
    assert np.abs(plain - prefixed).max() > 1e-3
    # The CLI spec carries the same options, percent-encoded.
    e = get_encoder(f"hf:{models['bert']}?prefix=query:%20&pooling=mean&batch_size=2&device=cpu", cache=False)
    np.testing.assert_allclose(e.encode(texts), prefixed, atol=1e-5)
    assert "prefix='query: '" in e.signature and "pooling=mean" in e.signature
    assert e.signature != enc(models["bert"]).signature  # the prefix changes vectors, so it changes the signature


def test_signature_names_model_and_versions(models):
    s = enc(models["xlmr"]).signature
    assert s.startswith("hf:xlmr@") and f"transformers={transformers.__version__}" in s
    assert str(models["xlmr"].parent) not in s  # no local paths in published results


def test_parse_spec():
    assert parse_spec("org/model") == ("org/model", {})
    assert parse_spec("/m?pooling=cls&fp16=0&max_length=128") == ("/m", {"pooling": "cls", "fp16": False,
                                                                         "max_length": 128})
    for bad in ("", "/m?batch_size=0", "/m?colour=red", "/m?fp16=maybe"):
        with pytest.raises(AlignError):
            parse_spec(bad)


def test_bad_model_path_is_an_align_error(tmp_path):
    with pytest.raises(AlignError, match="cannot load hf model"):
        get_encoder(f"hf:{tmp_path / 'nothing-here'}", cache=False)


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(AlignError, match=r"pip install 'align\[hf\]'"):
        HFEncoder("any")


def test_disk_cache_serves_the_same_vectors(models, tmp_path):
    texts = _lines(6, seed=6)
    cold = get_encoder(f"hf:{models['xlmr']}", cache=tmp_path)
    a = cold.encode(texts)
    warm = get_encoder(f"hf:{models['xlmr']}", cache=tmp_path)
    b = warm.encode(texts)
    assert (cold.inner.misses, warm.inner.hits, warm.inner.misses) == (6, 6, 0)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_cli_end_to_end(models, tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from align.cli import main
    from align.encode.cache import VectorCache

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    src, tgt = tmp_path / "doc.ar.txt", tmp_path / "doc.en.txt"
    src.write_text("\n".join(_lines(6, seed=7)) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(_lines(5, seed=8)) + "\n", encoding="utf-8")

    def pair(out, *extra):
        args = ["pair", str(src), str(tgt), "-o", str(out), "--src-lang", "ar", "--tgt-lang", "en", "--segmented"]
        res = CliRunner().invoke(main, args + ["--encoder", f"hf:{models['xlmr']}?pooling=mean", *extra])
        assert res.exit_code == 0, res.output
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    rows = pair(tmp_path / "out.jsonl")
    assert "hf:xlmr@" in rows[0]["signature"] and "pooling=mean" in rows[0]["signature"]
    links = [r for r in rows if "src_ids" in r]
    # every segment in exactly one link, in order: a valid alignment, whatever a random model's quality
    assert sorted(i for r in links for i in r["src_ids"]) == list(range(6))
    assert sorted(j for r in links for j in r["tgt_ids"]) == list(range(5))
    assert len(VectorCache(tmp_path / "cache")) >= 11  # the default run filled the disk cache

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache2"))
    again = pair(tmp_path / "out2.jsonl", "--no-cache")
    assert [r["src_ids"] for r in again if "src_ids" in r] == [r["src_ids"] for r in links]
    assert not (tmp_path / "cache2").exists()
