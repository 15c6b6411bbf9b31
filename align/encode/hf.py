"""Any transformers encoder (LaBSE, e5, XLM-R-based sentence models) from a local directory or a hub id.

CLI spec: ``hf:NAME_OR_PATH`` with optional URL-style options after ``?``::

    hf:/models/LaBSE                                    local directory, the model's own pooler (LaBSE)
    hf:intfloat/multilingual-e5-base?prefix=query:%20   hub id (needs hub access or a warm HF cache), e5 prefix
    hf:/models/xlmr?pooling=mean&batch_size=64&max_length=256&device=cpu&fp16=0

Options: ``pooling`` auto|cls|mean|pooler, ``prefix`` (percent-encoded; ``+`` also means a space),
``batch_size``, ``max_length``, ``device`` (cpu, cuda, cuda:1, mps), ``fp16`` (0/1).

Never runs remote code: only architectures built into transformers load.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np

from align.encode.normalize import TAG, normalise_texts
from align.errors import AlignError

POOLINGS = ("auto", "cls", "mean", "pooler")
INSTALL_HINT = "install the [hf] extra: pip install 'align[hf]'"


def parse_spec(rest: str) -> tuple[str, dict]:
    """'PATH?pooling=mean&prefix=query:%20' -> ('PATH', {'pooling': 'mean', 'prefix': 'query: '})."""
    name, _, query = rest.partition("?")
    if not name:
        raise AlignError("hf encoder needs a model: hf:NAME_OR_PATH (e.g. hf:/models/LaBSE)")
    opts: dict = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)):
        if key in ("batch_size", "max_length"):
            if not value.isdigit() or int(value) < 1:
                raise AlignError(f"hf encoder option {key} must be a positive integer, got {value!r}")
            opts[key] = int(value)
        elif key == "fp16":
            if value.lower() not in ("0", "1", "true", "false", "yes", "no"):
                raise AlignError(f"hf encoder option fp16 must be 0 or 1, got {value!r}")
            opts[key] = value.lower() in ("1", "true", "yes")
        elif key in ("pooling", "prefix", "device"):
            opts[key] = value
        else:
            raise AlignError(
                f"unknown hf encoder option {key!r}; use pooling, prefix, batch_size, max_length, device, fp16"
            )
    return name, opts


def _files_hash(model_dir: Path) -> str:
    """Short hash of the model directory's files (names, sizes, mtimes) and its config.

    Cheap (no reading of GB-sized weights), and a re-saved or fine-tuned model gets a new hash, so the
    vector cache never serves vectors of an older model. For a hub id this is the snapshot directory,
    whose name is the revision.
    """
    h = hashlib.sha1(str(model_dir.name).encode())
    for f in sorted(model_dir.iterdir()):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    config = model_dir / "config.json"
    if config.is_file():
        h.update(config.read_bytes())
    return h.hexdigest()[:10]


class HFEncoder:
    def __init__(
        self,
        name_or_path: str,
        pooling: str = "auto",
        prefix: str = "",
        batch_size: int = 32,
        device: str | None = None,
        fp16: bool | None = None,
        max_length: int = 512,
        threads: int | None = None,
    ):
        try:
            import torch
            import transformers
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import cached_file
        except ImportError as e:
            raise AlignError(f"the hf encoder needs torch and transformers ({e.name} is missing); "
                             f"{INSTALL_HINT}") from e
        if pooling not in POOLINGS:
            raise AlignError(f"unknown pooling {pooling!r}; choose one of: {', '.join(POOLINGS)}")
        self._torch = torch
        self.prefix = prefix
        self.batch_size = max(1, int(batch_size))
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        # fp16 halves memory and doubles speed on a GPU; on CPU it is slow or unsupported, so only there by request.
        self.fp16 = self.device.startswith("cuda") if fp16 is None else bool(fp16)
        if threads:  # parallel workers ask for 1 thread each, as for `use`
            torch.set_num_threads(int(threads))

        try:
            config_file = cached_file(name_or_path, "config.json")
            assert config_file is not None  # cached_file raises OSError for a missing file rather than return None
            model_dir = Path(config_file).parent
            # Prefer safetensors (no pickle); None lets transformers fall back to .bin when there is none.
            use_safetensors = True if any(model_dir.glob("*.safetensors")) else None
            self.tokenizer = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=False)
            model, info = AutoModel.from_pretrained(
                name_or_path, trust_remote_code=False, use_safetensors=use_safetensors, output_loading_info=True
            )
        except (OSError, ValueError, KeyError, ImportError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise AlignError(f"cannot load hf model {name_or_path!r}: {first}") from e
        if getattr(model.config, "is_encoder_decoder", False):  # e.g. sentence-T5 / mT5: only the encoder is used
            model = model.get_encoder()
        # A pooler counts only if its weights came from the checkpoint: transformers otherwise adds a random one.
        has_pooler = getattr(model, "pooler", None) is not None and not any(
            "pooler" in k for k in info.get("missing_keys", ())
        )
        if pooling == "auto":
            pooling = self._st_pooling(name_or_path, cached_file) or ("pooler" if has_pooler else "mean")
        if pooling == "pooler" and not has_pooler:
            raise AlignError(f"hf model {name_or_path!r} has no trained pooler; use pooling=cls or pooling=mean")
        self.pooling = pooling
        if self.fp16:
            model = model.half()
        self.model = model.to(self.device).eval()

        # Positions beyond the model's table crash; RoBERTa-family tables hold 2 offset slots, so keep 2 spare.
        mpe = getattr(model.config, "max_position_embeddings", None)
        self.max_length = min(int(max_length), self.tokenizer.model_max_length, (mpe - 2) if mpe else max_length)

        # A directory is named by its base name (outputs should not carry local paths), a hub model by its id.
        label = model_dir.name if Path(name_or_path).is_dir() else name_or_path
        self.name = f"hf:{label}"
        self.signature = (
            f"hf:{label}@{_files_hash(model_dir)};pooling={pooling};prefix={prefix!r};max_length={self.max_length}"
            f"{';fp16' if self.fp16 else ''};transformers={transformers.__version__};{TAG}"
        )

    @staticmethod
    def _st_pooling(name_or_path: str, cached_file) -> str | None:
        """Honour a sentence-transformers pooling config (e5 and many others are trained with mean pooling)."""
        import json

        try:
            path = cached_file(name_or_path, "1_Pooling/config.json", _raise_exceptions_for_missing_entries=False)
        except (OSError, ValueError):
            return None
        if not path:
            return None
        cfg = json.loads(Path(path).read_text())
        if cfg.get("pooling_mode_mean_tokens"):
            return "mean"
        return None  # CLS: LaBSE-style models are served best by their pooler, which is CLS + the trained dense

    def encode(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        texts = normalise_texts(texts)
        dim = self.model.config.hidden_size
        out = np.zeros((len(texts), dim), dtype=np.float32)
        # Longest first: similar lengths share a batch (little padding), and an out-of-memory shows up at once.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [self.prefix + texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                res = self.model(**batch)
                if self.pooling == "pooler":
                    vecs = res.pooler_output
                elif self.pooling == "cls":
                    vecs = res.last_hidden_state[:, 0]
                else:  # mean over real tokens, padding excluded
                    mask = batch["attention_mask"].unsqueeze(-1).to(res.last_hidden_state.dtype)
                    vecs = (res.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1)
                vecs = torch.nn.functional.normalize(vecs.float(), dim=-1)
                out[idx] = vecs.cpu().numpy()
        return out
