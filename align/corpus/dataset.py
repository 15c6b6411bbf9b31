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


def features(cfg: CorpusConfig, langs: tuple[str, str] | None = None):
    from datasets import Features, List, Translation, Value

    flag = {"check": Value("string"), "severity": Value("string"), "message": Value("string")}
    return Features({
        "doc_id": Value("string"),
        "translation": Translation(languages=list(langs or (cfg.src_lang, cfg.tgt_lang))),
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


class Shards:
    """Rows of one config -> parquet shards under ``build/sub``, named as the Hub names them when finished."""

    def __init__(self, feats, build: str, sub: str, shard_rows: int):
        self.feats, self.schema, self.shard_rows = feats, feats.arrow_schema, shard_rows
        self.dir = os.path.join(build, sub)
        os.makedirs(self.dir)
        self.buffer: list[dict] = []
        self.paths: list[str] = []
        self.rows = self.num_bytes = self.download_size = 0

    def add(self, row: dict) -> None:
        self.buffer.append(row)
        self.rows += 1
        if len(self.buffer) >= self.shard_rows:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(self.buffer, schema=self.schema)
        path = os.path.join(self.dir, f"shard-{len(self.paths):05d}.parquet")
        pq.write_table(table, path, **PARQUET)
        self.num_bytes += table.nbytes
        self.paths.append(path)
        self.buffer.clear()

    def finish(self) -> None:
        if self.buffer or not self.paths:  # an empty config still gets one (empty) shard, so it loads
            self.flush()
        n = len(self.paths)
        for i, p in enumerate(self.paths):
            final = os.path.join(self.dir, f"{SPLIT}-{i:05d}-of-{n:05d}.parquet")
            os.replace(p, final)
            self.download_size += os.path.getsize(final)


def new_stats(cfg: CorpusConfig, failures: int) -> dict:
    return {"docs": 0, "failed": failures, "rows": 0, "types": Counter(), "levels": Counter(),
            "hist": {lv: [0] * BINS for lv in cfg.levels}, "score_sum": 0.0, "verdicts": Counter(),
            "signatures": Counter(), "num_bytes": 0, "download_size": 0, "shards": 0}


def write_dataset(cfg: CorpusConfig, out: str, done: list, failures: int = 0) -> dict:
    """``done``: (Doc, part path) of every finished document. Returns the statistics the card reports."""
    from align.corpus.card import write_card, write_plot
    from align.corpus.export import Exporter

    feats = features(cfg)
    build = fresh_build(out)
    shards = Shards(feats, build, "data", cfg.shard_rows)
    stats = new_stats(cfg, failures)
    filt = RowFilter(cfg.filters)
    export_level = "sentence" if "sentence" in cfg.levels else "paragraph"
    exporter = Exporter(cfg, build, export_level) if cfg.exports else None

    for doc, part in read_parts(done):
        quality = count_doc(stats, part)
        meta = dict(doc.meta)
        for link in part["links"]:
            if link["level"] not in cfg.levels or not filt.keep(link["level"], link["src"], link["tgt"], link["score"]):
                continue
            shards.add(pair_row(cfg, doc.doc_id, link, quality, meta))
            count_link(stats, link)
            if exporter and link["level"] == export_level:
                exporter.add(doc.doc_id, link, part["signature"])
    shards.finish()
    stats.update(num_bytes=shards.num_bytes, download_size=shards.download_size, shards=len(shards.paths),
                 dropped=dict(filt.dropped))
    move_into_place(out, build, exporter)
    write_plot(stats, os.path.join(out, "scores.png"))
    write_card(cfg, stats, {"default": (feats, stats)}, os.path.join(out, "README.md"))
    finish_build(out, build)
    return stats


def fresh_build(out: str) -> str:
    build = os.path.join(out, ".work", "build")
    shutil.rmtree(build, ignore_errors=True)
    os.makedirs(build)
    return build


def read_parts(done: list):
    """(Doc, part) in doc_id order."""
    for doc, part_path in sorted(done, key=lambda dp: dp[0].doc_id):
        with open(part_path, encoding="utf-8") as f:
            yield doc, json.load(f)


def count_doc(stats: dict, part: dict) -> dict:
    """Counts one document of a pair into the statistics; returns its quality."""
    stats["docs"] += 1
    stats["signatures"][part["signature"]] += 1
    quality = part.get("quality") or {}
    stats["verdicts"][(quality.get("verdict") or "unscored").split(":")[0]] += 1
    return quality


def move_into_place(out: str, build: str, exporter) -> None:
    """Swap the new data (and exports) into the folder; drop what an earlier build left and this one has not."""
    data = os.path.join(out, "data")
    shutil.rmtree(data, ignore_errors=True)
    os.replace(os.path.join(build, "data"), data)
    if exporter:
        exporter.finish(os.path.join(out, "export"))
    elif os.path.isdir(os.path.join(out, "export")):
        shutil.rmtree(os.path.join(out, "export"))  # left by an earlier build that exported


def finish_build(out: str, build: str) -> None:
    from align.publish import card_problems

    shutil.rmtree(build, ignore_errors=True)
    problems = card_problems(out)  # the check `align publish` makes: a card we wrote must pass it
    if problems:
        raise RuntimeError(f"the dataset card written to {out} is invalid: {problems[0]}")


def pair_row(cfg: CorpusConfig, doc_id: str, link: dict, quality: dict, meta: dict,
         langs: tuple[str, str] | None = None) -> dict:
    src_lang, tgt_lang = langs or (cfg.src_lang, cfg.tgt_lang)
    return {
        "doc_id": doc_id,
        "translation": {src_lang: link["src"], tgt_lang: link["tgt"]},
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


def count_link(stats: dict, link: dict) -> None:
    stats["rows"] += 1
    stats["types"][(link["level"], link["type"])] += 1
    stats["levels"][link["level"]] += 1
    if link["src"] and link["tgt"]:  # a 1-0/0-1 score means something else (confidence of the omission)
        stats["hist"][link["level"]][min(int(link["score"] * BINS), BINS - 1)] += 1
        stats["score_sum"] += link["score"]
