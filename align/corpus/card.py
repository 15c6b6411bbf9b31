"""The dataset card (README.md: YAML metadata the Hub reads, then prose for people) and its plot.

The YAML is built with the libraries that define it (``huggingface_hub.DatasetCardData``, and ``datasets``'
``DatasetInfosDict`` / ``MetadataConfigs`` for ``dataset_info`` and ``configs``), so its shape is theirs, and
checked by ``align.publish.check_folder`` before anything is uploaded. No dates in it: the same corpus gives
the same card.
"""

from __future__ import annotations

import json
import os

from align import __version__
from align.corpus.config import CorpusConfig
from align.formats import atomic_open

SPLIT = "train"
TAGS = ["parallel-corpus", "sentence-alignment", "align"]


def size_category(n: int) -> str:
    """The Hub's size bucket for n rows (the values of datasets' size_categories.json)."""
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
              (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
    return next((name for bound, name in bounds if n < bound), "1B<n<10B")


def language_name(code: str) -> str:
    from importlib.resources import files

    names = json.loads(files("datasets.utils.resources").joinpath("languages.json").read_text(encoding="utf-8"))
    return names.get(code, code)


def card_metadata(cfg: CorpusConfig, stats: dict, feats):
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCardData

    data = DatasetCardData(
        language=[cfg.src_lang, cfg.tgt_lang],
        license=cfg.card.get("license", "unknown"),
        pretty_name=pretty_name(cfg),
        task_categories=["translation"],
        multilinguality=["translation"],
        size_categories=[size_category(stats["rows"])],
        annotations_creators=["machine-generated"],   # the links; the texts are whatever the inputs are
        tags=TAGS,
        # with license "other", the Hub shows these instead
        **{k: cfg.card[k] for k in ("license_name", "license_link") if cfg.card.get(k)},
    )
    splits = SplitDict()
    splits.add(SplitInfo(name=SPLIT, num_bytes=stats["num_bytes"], num_examples=stats["rows"]))
    info = DatasetInfo(features=feats, splits=splits, download_size=stats["download_size"],
                       dataset_size=stats["num_bytes"])
    DatasetInfosDict({"default": info}).to_dataset_card_data(data)
    MetadataConfigs({"default": {"data_files": [{"split": SPLIT, "path": f"data/{SPLIT}-*"}]}}).to_dataset_card_data(data)
    return data


def pretty_name(cfg: CorpusConfig) -> str:
    return cfg.card.get("pretty_name") or cfg.card.get("name") or \
        f"{language_name(cfg.src_lang)}-{language_name(cfg.tgt_lang)} parallel corpus"


def write_card(cfg: CorpusConfig, stats: dict, feats, path: str) -> None:
    data = card_metadata(cfg, stats, feats)
    with atomic_open(path) as f:
        f.write(f"---\n{data.to_yaml()}\n---\n\n{_prose(cfg, stats)}")


def _prose(cfg: CorpusConfig, st: dict) -> str:
    src, tgt = language_name(cfg.src_lang), language_name(cfg.tgt_lang)
    repo = cfg.publish.get("repo_id") or "path/to/this/folder"
    linked = sum(sum(h) for h in st["hist"].values())
    mean = st["score_sum"] / linked if linked else 0.0
    confident = sum(h[i] for h in st["hist"].values() for i in range(len(h) // 2, len(h)))
    lines = [f"# {pretty_name(cfg)}", ""]
    if cfg.card.get("description"):
        lines += [cfg.card["description"].strip(), ""]
    lines += [
        f"{src}–{tgt} parallel text: {st['rows']:,} aligned segments from {st['docs']:,} document pairs, "
        f"aligned and scored with the `align` toolkit {__version__}.",
        "",
        "## How it was made",
        "",
        f"Each {src} document was aligned with its {tgt} translation: in raw text, paragraphs first and then "
        "sentences inside each aligned paragraph group; in pre-segmented input (one segment per line), "
        "segment by segment. Links can join several segments on either side (`type` 2-1, 1-2, ...); 1-0 and 0-1 "
        "links mark text with no counterpart. Each link has a confidence `score` in [0, 1] (0.5 or above counts "
        "as confident) and QA `flags` (numbers, names, language, omissions...).",
        "",
        "Alignment signature (how to redo it exactly), with the number of documents made with it:",
        "",
    ]
    lines += [f"- `{sig}` ({n:,} document{'' if n == 1 else 's'})" for sig, n in sorted(st["signatures"].items())]
    lines += ["", f"- Levels kept: {', '.join(cfg.levels)}.", f"- Filters: {_filters(cfg)}."]
    if st["dropped"]:
        lines += ["- Rows dropped: " + ", ".join(f"{k} {v:,}" for k, v in sorted(st["dropped"].items())) + "."]
    if st["failed"]:
        lines += [f"- {st['failed']:,} document pair(s) could not be aligned (unreadable, empty or in the wrong "
                  "language) and are not included."]
    lines += ["", "## Statistics", "", "| level | type | links |", "|---|---|---:|"]
    lines += [f"| {lv} | {ty} | {n:,} |" for (lv, ty), n in sorted(st["types"].items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))]
    lines += [
        "",
        f"Scores of the {linked:,} links with text on both sides: mean {mean:.3f}, {confident:,} "
        f"({confident / max(linked, 1):.1%}) at 0.5 or above.",
        "",
        "![Link scores and link types](scores.png)",
        "",
        "Document verdicts: " + (", ".join(f"{k} {v:,}" for k, v in sorted(st["verdicts"].items())) or "none") + ".",
        "",
        "## Columns",
        "",
        "| column | meaning |",
        "|---|---|",
        f"| `translation` | `{{\"{cfg.src_lang}\": ..., \"{cfg.tgt_lang}\": ...}}`: the linked text (segments joined by a space) |",
        "| `doc_id` | the document pair it comes from |",
        "| `src_ids`, `tgt_ids` | indices of the linked segments in their document (of their level) |",
        "| `type` | segments on each side, e.g. `1-1`, `2-1`, `1-0` |",
        "| `level` | `paragraph` or `sentence` |",
        "| `paragraph` | for sentence links of raw text: index of the paragraph link they lie in |",
        "| `score` | confidence in [0, 1] |",
        "| `flags` | QA findings: `check`, `severity` (critical, major, minor), `message` |",
        "| `doc_score` | the document's quality: share of its text in confident links |",
    ]
    lines += [f"| `{c}` | from the corpus manifest |" for c in cfg.meta_columns]
    lines += [
        "",
        "## How to load",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'ds = load_dataset("{repo}", split="{SPLIT}")',
        'sentences = ds.filter(lambda r: r["level"] == "sentence" and r["score"] >= 0.5)',
        'print(sentences[0]["translation"])',
        "```",
        "",
    ]
    if cfg.exports:
        lines += ["The same links are in `export/` as " + " and ".join(
            {"tmx": "TMX", "moses": "Moses plain text (one segment per line, line i of each file aligned)"}[e]
            for e in cfg.exports) + ".", ""]
    licence = cfg.card.get("license_name") or cfg.card.get("license", "unknown")
    link = f" ({cfg.card['license_link']})" if cfg.card.get("license_link") else ""
    lines += ["## Licence", "", f"`{licence}`{link}: see the sources' own terms.", ""]
    if cfg.card.get("citation"):
        lines += ["## Citation", "", "```", cfg.card["citation"].strip(), "```", ""]
    return "\n".join(lines)


def _filters(cfg: CorpusConfig) -> str:
    f = cfg.filters
    parts = []
    if not f.keep_unaligned:
        parts.append("1-0/0-1 links dropped")
    if f.min_score is not None:
        parts.append(f"score >= {f.min_score}")
    if f.max_length_ratio is not None:
        parts.append(f"length ratio <= {f.max_length_ratio}")
    if f.dedup != "none":
        parts.append(f"{f.dedup} duplicates dropped")
    return ", ".join(parts) or "none"


def write_plot(stats: dict, path: str) -> None:
    """Score histogram per level and links by type, as a PNG with no timestamp or version in it."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must come before pyplot
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
    bottom = None
    for level, counts in sorted(stats["hist"].items()):
        edges = [i / len(counts) for i in range(len(counts))]
        left.bar(edges, counts, width=1 / len(counts), align="edge", bottom=bottom, label=level, edgecolor="white")
        bottom = counts if bottom is None else [a + b for a, b in zip(bottom, counts)]
    left.axvline(0.5, color="black", linestyle="--", linewidth=1)
    left.set(xlim=(0, 1), xlabel="link score", ylabel="links", title="Scores of links with text on both sides")
    left.legend(fontsize=8)
    top = sorted(stats["types"].items(), key=lambda kv: (-kv[1], kv[0]))[:12]
    right.barh([f"{lv} {ty}" for (lv, ty), _ in top], [n for _, n in top], color="#4c78a8")
    right.invert_yaxis()
    right.set(xlabel="links", title="Links by level and type")
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=100, metadata={"Software": None})
    plt.close(fig)
    os.replace(tmp, path)
