"""The dataset folder of a multi-language corpus: one config per pivot pair (``ar-en``, ``en-fr``, ...: the rows
of a pair dataset) and the config ``multiway`` (one row per group of segments that translate each other in every
language), each under ``data/<config>/``; the card lists them all. Parts come from ``align.corpus.multi``.
"""

from __future__ import annotations

import os

from align.corpus.card import MULTIWAY, write_card, write_plot
from align.corpus.config import CorpusConfig, pair_name, pivot_pairs
from align.corpus.dataset import (Shards, fresh_build, pair_row, count_link, features, finish_build, move_into_place,
                                  new_stats, read_parts)
from align.corpus.filters import RowFilter


def multiway_features(cfg: CorpusConfig):
    from datasets import Features, List, Translation, Value

    return Features({
        "doc_id": Value("string"),
        "translation": Translation(languages=list(cfg.languages)),
        "ids": {lang: List(Value("int32")) for lang in cfg.languages},
        "score": Value("float64"),
    })


def write_multi_dataset(cfg: CorpusConfig, out: str, done: list, failures: int = 0) -> dict:
    """Like ``write_dataset``; the statistics are the pair configs' together, plus ``configs``: rows per config
    and ``multiway_score_sum``."""
    from align.corpus.export import MultiExporter

    build = fresh_build(out)
    pairs = {pair_name(a, b): (a, b) for a, b in pivot_pairs(cfg.languages, cfg.every_pair)}
    feats = {name: features(cfg, ab) for name, ab in pairs.items()}
    feats[MULTIWAY] = multiway_features(cfg)
    shards = {name: Shards(f, build, os.path.join("data", name), cfg.shard_rows) for name, f in feats.items()}
    filters = {name: RowFilter(cfg.filters) for name in pairs}
    stats = new_stats(cfg, failures)
    stats["multiway_score_sum"] = 0.0
    exporter = MultiExporter(cfg, build) if cfg.exports else None
    for doc, part in read_parts(done):
        stats["docs"] += 1
        stats["signatures"][part["signature"]] += 1
        for name, (a, b) in pairs.items():
            pair = part["pairs"][name]
            quality = pair.get("quality") or {}
            if name == pair_name(*pivot_pairs(cfg.languages)[0]):  # one verdict per document
                stats["verdicts"][(quality.get("verdict") or "unscored").split(":")[0]] += 1
            keep = filters[name].keep
            for link in pair["links"]:
                if link["level"] in cfg.levels and keep(link["level"], link["src"], link["tgt"], link["score"]):
                    shards[name].add(pair_row(cfg, doc.doc_id, link, quality, {}, (a, b)))
                    count_link(stats, link)
        for row in part["rows"]:
            shards[MULTIWAY].add({"doc_id": doc.doc_id, **row})
            stats["multiway_score_sum"] += row["score"]
            if exporter:
                exporter.add(doc.doc_id, row, part["signature"])
    for s in shards.values():
        s.finish()
    stats["rows"] = shards[MULTIWAY].rows
    stats["dropped"] = {}
    for f in filters.values():
        for k, v in f.dropped.items():
            stats["dropped"][k] = stats["dropped"].get(k, 0) + v
    sizes = {name: {"rows": s.rows, "num_bytes": s.num_bytes, "download_size": s.download_size}
             for name, s in shards.items()}
    stats["configs"] = {name: st["rows"] for name, st in sizes.items()}
    stats["num_bytes"] = sum(st["num_bytes"] for st in sizes.values())
    stats["download_size"] = sum(st["download_size"] for st in sizes.values())
    stats["shards"] = sum(len(s.paths) for s in shards.values())
    move_into_place(out, build, exporter)
    write_plot(stats, os.path.join(out, "scores.png"))
    write_card(cfg, stats, {name: (feats[name], sizes[name]) for name in feats}, os.path.join(out, "README.md"))
    finish_build(out, build)
    return stats
