import os
import sys
import zlib

import numpy as np
import pytest

# the tests run against the working tree, installed or not
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class TokenEncoder:
    """A stand-in encoder with known geometry: a text's vector is the normalised sum of its tokens' vectors.

    Token "x" and its "translation" "x'" get nearby vectors (same base, small noise), different tokens nearly
    orthogonal ones (random in 64 dimensions). A concatenation "a b" then encodes like the sum of "a" and "b",
    as a real sentence encoder roughly does.
    """

    name = "tokens"
    signature = "tokens:test"

    def __init__(self, dim=64, noise=0.25, seed=0):
        self.dim, self.noise, self.seed = dim, noise, seed
        self.calls = 0

    def _token(self, tok: str) -> np.ndarray:
        # crc32, not hash(): the same vectors in every process and run (hash() of str is salted per process)
        base = tok.rstrip("'")
        rng = np.random.default_rng([zlib.crc32(base.encode()), self.seed])
        v = rng.standard_normal(self.dim)
        if tok.endswith("'"):
            rng2 = np.random.default_rng([zlib.crc32(tok.encode()), self.seed, 1])
            v = v + self.noise * np.sqrt(self.dim) * rng2.standard_normal(self.dim) / np.sqrt(self.dim)
        return v

    def encode(self, texts):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            v = sum((self._token(tok) for tok in t.split()), np.zeros(self.dim))
            out[i] = v / (np.linalg.norm(v) or 1.0)
        return out


@pytest.fixture
def token_encoder():
    return TokenEncoder()


@pytest.fixture(autouse=True)
def _private_vector_cache(tmp_path_factory, monkeypatch):
    # tests must not read or fill the user's on-disk vector cache
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "vector-cache"))
