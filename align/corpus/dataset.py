"""The dataset folder, built from the finished parts: parquet shards, the card, the plot, the exports.

Everything is written in doc_id order with fixed writer settings and no dates or random ids, so the same parts
always give the same bytes. Shards are first written under ``.work/build`` and moved into ``data/`` at the end,
so a killed build never leaves a half-written shard in the dataset.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter

from align.corpus.config import CorpusConfig
from align.corpus.filters import RowFilter

SPLIT = "train"
BINS = 20  # score histogram bins over [0, 1]
# Fixed parquet settings (also what the Hub recommends: zstd, a page index for the viewer, content-defined
# chunking so a re-upload of a grown dataset only sends the changed chunks).
PARQUET = dict(compression="zstd", compression_level=3, row_group_size=10_000, write_page_index=True,
               use_content_defined_chunking=True, write_statistics=True, version="2.6")


def preload() -> None:
    """Import what building the folder needs, in a background thread: while worker processes align, the parent
    waits, and these imports (datasets 0.97 s, matplotlib.pyplot 0.75 s, pyarrow.parquet 0.22 s here) would
    otherwise all come after the last document, when nothing else runs. Not with --workers 1: there the parent
    aligns, and a thread would only take turns with it."""
    import threading

    def imports() -> None:
        try:
            import matplotlib

            matplotlib.use("Agg")  # as write_plot sets it, before pyplot
            import matplotlib.pyplot  # noqa: F401
            import pyarrow.parquet  # noqa: F401
            from datasets import Features  # noqa: F401
        except Exception:  # only a head start: the build imports them again, and reports what fails
            pass

    threading.Thread(target=imports, name="align-preload", daemon=True).start()


def features(cfg: CorpusConfig):
    from datasets import Features, List, Translation, Value

    flag = {"check": Value("string"), "severity": Value("string"), "message": Value("string")}
    return Features({
        "doc_id": Value("string"),
        "translation": Translation(languages=[cfg.src_lang, cfg.tgt_lang]),
        "src_ids": List(Value("int32")),
        "tgt_ids": List(Value("int32")),
        "type": Value("string"),
        "level": Value("string"),
        "paragraph": Value("int32"),
        "score": Value("float64"),
        "flags": List(flag),
        "doc_score": Value("float64"),
        **{c: Value("string") for c in cfg.meta_columns},
    })


def write_dataset(cfg: CorpusConfig, out: str, done: list, failures: int = 0) -> dict:
    """``done``: (Doc, part path) of every finished document. Returns the statistics the card reports."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from align.corpus.card import write_card, write_plot
    from align.corpus.export import Exporter

    feats = features(cfg)
    schema = feats.arrow_schema
    build = os.path.join(out, ".work", "build")
    shutil.rmtree(build, ignore_errors=True)
    os.makedirs(os.path.join(build, "data"))
    stats = {"docs": 0, "failed": failures, "rows": 0, "types": Counter(), "levels": Counter(),
             "hist": {lv: [0] * BINS for lv in cfg.levels}, "score_sum": 0.0, "verdicts": Counter(),
             "signatures": Counter(), "num_bytes": 0, "download_size": 0, "shards": 0}
    filt = RowFilter(cfg.filters)
    export_level = "sentence" if "sentence" in cfg.levels else "paragraph"
    exporter = Exporter(cfg, build, export_level) if cfg.exports else None
    buffer, shard_paths = [], []

    def flush():
        table = pa.Table.from_pylist(buffer, schema=schema)
        path = os.path.join(build, "data", f"shard-{len(shard_paths):05d}.parquet")
        pq.write_table(table, path, **PARQUET)
        stats["num_bytes"] += table.nbytes
        shard_paths.append(path)
        buffer.clear()

    for doc, part_path in sorted(done, key=lambda dp: dp[0].doc_id):
        with open(part_path, encoding="utf-8") as f:
            part = json.load(f)
        stats["docs"] += 1
        stats["signatures"][part["signature"]] += 1
        quality = part.get("quality") or {}
        stats["verdicts"][(quality.get("verdict") or "unscored").split(":")[0]] += 1
        meta = dict(doc.meta)
        for link in part["links"]:
            if link["level"] not in cfg.levels or not filt.keep(link["level"], link["src"], link["tgt"], link["score"]):
                continue
            buffer.append(_row(cfg, doc.doc_id, link, quality, meta))
            _count(stats, link)
            if exporter and link["level"] == export_level:
                exporter.add(doc.doc_id, link, part["signature"])
            if len(buffer) >= cfg.shard_rows:
                flush()
    if buffer or not shard_paths:  # an empty corpus still gets one (empty) shard, so it loads
        flush()

    # Final names (train-00000-of-00003.parquet, as the Hub names shards), then swap the new data into place.
    n = len(shard_paths)
    for i, p in enumerate(shard_paths):
        final = os.path.join(build, "data", f"{SPLIT}-{i:05d}-of-{n:05d}.parquet")
        os.replace(p, final)
        stats["download_size"] += os.path.getsize(final)
    stats["shards"] = n
    stats["dropped"] = dict(filt.dropped)
    data = os.path.join(out, "data")
    shutil.rmtree(data, ignore_errors=True)
    os.replace(os.path.join(build, "data"), data)
    if exporter:
        exporter.finish(os.path.join(out, "export"))
    elif os.path.isdir(os.path.join(out, "export")):
        shutil.rmtree(os.path.join(out, "export"))  # left by an earlier build that exported
    write_plot(stats, os.path.join(out, "scores.png"))
    write_card(cfg, stats, feats, os.path.join(out, "README.md"))
    shutil.rmtree(build, ignore_errors=True)
    from align.publish import card_problems

    problems = card_problems(out)  # the check `align publish` makes: a card we wrote must pass it
    if problems:
        raise RuntimeError(f"the dataset card written to {out} is invalid: {problems[0]}")
    return stats


def _row(cfg: CorpusConfig, doc_id: str, link: dict, quality: dict, meta: dict) -> dict:
    return {
        "doc_id": doc_id,
        "translation": {cfg.src_lang: link["src"], cfg.tgt_lang: link["tgt"]},
        "src_ids": link["src_ids"],
        "tgt_ids": link["tgt_ids"],
        "type": link["type"],
        "level": link["level"],
        "paragraph": link.get("paragraph"),
        "score": link["score"],
        "flags": [{k: fl.get(k) for k in ("check", "severity", "message")} for fl in link.get("flags", [])],
        "doc_score": quality.get("score"),
        **{c: meta.get(c) for c in cfg.meta_columns},
    }


def _count(stats: dict, link: dict) -> None:
    stats["rows"] += 1
    stats["types"][(link["level"], link["type"])] += 1
    stats["levels"][link["level"]] += 1
    if link["src"] and link["tgt"]:  # a 1-0/0-1 score means something else (confidence of the omission)
        stats["hist"][link["level"]][min(int(link["score"] * BINS), BINS - 1)] += 1
        stats["score_sum"] += link["score"]
