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
MULTIWAY = "multiway"  # the config of a multi-language dataset holding one row per group in every language
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


def card_metadata(cfg: CorpusConfig, stats: dict, configs: dict):
    """configs: name -> (features, {"rows", "num_bytes", "download_size"}); "default" is the pair dataset's one
    config (data/), any other name a config of a multi-language dataset (data/<name>/)."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCardData

    data = DatasetCardData(
        language=list(cfg.languages or (cfg.src_lang, cfg.tgt_lang)),
        license=cfg.card.get("license", "unknown"),
        pretty_name=pretty_name(cfg),
        task_categories=["translation"],
        multilinguality=["multilingual" if cfg.languages else "translation"],
        size_categories=[size_category(max(st["rows"] for _, st in configs.values()))],
        annotations_creators=["machine-generated"],   # the links; the texts are whatever the inputs are
        tags=TAGS,
        # with license "other", the Hub shows these instead
        **{k: cfg.card[k] for k in ("license_name", "license_link") if cfg.card.get(k)},
    )
    infos: dict = {}
    metadata: dict[str, dict] = {}
    for name, (feats, st) in configs.items():
        splits = SplitDict()
        splits.add(SplitInfo(name=SPLIT, num_bytes=st["num_bytes"], num_examples=st["rows"]))
        infos[name] = DatasetInfo(features=feats, splits=splits, download_size=st["download_size"],
                                  dataset_size=st["num_bytes"])
        path = f"data/{SPLIT}-*" if name == "default" else f"data/{name}/{SPLIT}-*"
        metadata[name] = {"data_files": [{"split": SPLIT, "path": path}]}
        if name == MULTIWAY:
            metadata[name]["default"] = True  # load_dataset(DIR) without a config name gives the rows
    DatasetInfosDict(infos).to_dataset_card_data(data)
    MetadataConfigs(metadata).to_dataset_card_data(data)
    return data


def pretty_name(cfg: CorpusConfig) -> str:
    if cfg.card.get("pretty_name") or cfg.card.get("name"):
        return cfg.card.get("pretty_name") or cfg.card["name"]
    if cfg.languages:
        return ", ".join(language_name(lang) for lang in cfg.languages) + " multilingual parallel corpus"
    return f"{language_name(cfg.src_lang)}-{language_name(cfg.tgt_lang)} parallel corpus"


def write_card(cfg: CorpusConfig, stats: dict, configs: dict, path: str) -> None:
    data = card_metadata(cfg, stats, configs)
    prose = _multi_prose(cfg, stats, configs) if cfg.languages else _prose(cfg, stats)
    with atomic_open(path) as f:
        f.write(f"---\n{data.to_yaml()}\n---\n\n{prose}")


def _prose(cfg: CorpusConfig, st: dict) -> str:
    src, tgt = language_name(cfg.src_lang), language_name(cfg.tgt_lang)
    repo = cfg.publish.get("repo_id") or "path/to/this/folder"
    linked = sum(sum(h) for h in st["hist"].values())
    mean = st["score_sum"] / linked if linked else 0.0
    confident = sum(h[i] for h in st["hist"].values() for i in range(len(h) // 2, len(h)))
    lines = _title(cfg)
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
    lines += _signatures(st)
    lines += ["", f"- Levels kept: {', '.join(cfg.levels)}.", f"- Filters: {_filters(cfg)}."]
    if st["dropped"]:
        lines += ["- Rows dropped: " + ", ".join(f"{k} {v:,}" for k, v in sorted(st["dropped"].items())) + "."]
    if st["failed"]:
        lines += [f"- {st['failed']:,} document pair(s) could not be aligned (unreadable, empty or in the wrong "
                  "language) and are not included."]
    lines += ["", "## Statistics", "", "| level | type | links |", "|---|---|---:|"]
    lines += [f"| {lv} | {ty} | {n:,} |"
              for (lv, ty), n in sorted(st["types"].items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))]
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
        f"| `translation` | `{{\"{cfg.src_lang}\": ..., \"{cfg.tgt_lang}\": ...}}`: "
        "the linked text (segments joined by a space) |",
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
    lines += _how_to_load([
        f'ds = load_dataset("{repo}", split="{SPLIT}")',
        'sentences = ds.filter(lambda r: r["level"] == "sentence" and r["score"] >= 0.5)',
        'print(sentences[0]["translation"])',
    ])
    if cfg.exports:
        lines += ["The same links are in `export/` as " + " and ".join(
            {"tmx": "TMX", "moses": "Moses plain text (one segment per line, line i of each file aligned)"}[e]
            for e in cfg.exports) + ".", ""]
    return "\n".join(lines + _licence(cfg))


def _multi_prose(cfg: CorpusConfig, st: dict, configs: dict) -> str:
    names = ", ".join(language_name(lang) for lang in cfg.languages)
    pivot = language_name(cfg.languages[0])
    repo = cfg.publish.get("repo_id") or "path/to/this/folder"
    rows = st["configs"][MULTIWAY]
    mean = st["multiway_score_sum"] / rows if rows else 0.0
    pairs = [name for name in configs if name != MULTIWAY]
    lines = _title(cfg)
    lines += [
        f"{names}: {st['docs']:,} documents, each in all {len(cfg.languages)} languages, aligned with the `align` "
        f"toolkit {__version__}.",
        "",
        "## Configs",
        "",
        "| config | rows | what a row is |",
        "|---|---:|---|",
        f"| `{MULTIWAY}` | {rows:,} | a group of segments that translate each other in every language |",
    ]
    lines += [f"| `{name}` | {st['configs'][name]:,} | a link of the {name} pair, as in a pair dataset |"
              for name in pairs]
    lines += [
        "",
        "## How it was made",
        "",
        f"Every pair of languages was aligned; each {MULTIWAY} row is a stretch on which the pair alignments agree: "
        "each language's boundary is a boundary of the alignments with most of the other languages, and a "
        "group where a language has no counterpart (fewer than two pair alignments leaving a segment unlinked "
        f"count as agreement) is left out of `{MULTIWAY}` but stays in the pair configs. A row's `score` is the "
        "share of the pair alignments' checks it passes (its two boundaries and no unlinked segment in every "
        f"pair): 1.0 when all pairs give exactly this row; mean here {mean:.3f}. The pair configs hold the "
        f"alignments of {pivot} (the pivot) with each other language, with link scores and QA flags.",
        "",
        "Alignment signature, with the number of documents made with it:",
        "",
    ]
    lines += _signatures(st)
    lines += ["", f"- Levels kept in the pair configs: {', '.join(cfg.levels)}.",
              f"- Filters (pair configs): {_filters(cfg)}."]
    if st["failed"]:
        lines += [f"- {st['failed']:,} document(s) could not be aligned (a language missing, unreadable, empty or in "
                  "the wrong language) and are not included."]
    lines += [
        "",
        f"## Columns of `{MULTIWAY}`",
        "",
        "| column | meaning |",
        "|---|---|",
        "| `doc_id` | the document it comes from |",
        f"| `translation` | one text per language ({', '.join(cfg.languages)}): the group's segments joined by a "
        "space |",
        "| `ids` | per language, the 0-based indices of the group's segments in that language's document |",
        "| `score` | how well all the pair alignments agree on this group, in [0, 1] |",
        "",
        "The pair configs have the columns of a pair dataset (`translation`, `src_ids`, `tgt_ids`, `type`, `level`, "
        f"`paragraph`, `score`, `flags`, `doc_score`); the source of `{pairs[0]}` is `{pairs[0].split('-')[0]}`, "
        "the first code of its name.",
    ]
    lines += _how_to_load([f'rows = load_dataset("{repo}", "{MULTIWAY}", split="{SPLIT}")',
                           f'pair = load_dataset("{repo}", "{pairs[0]}", split="{SPLIT}")'])
    if cfg.exports:
        kinds = {"tmx": "TMX (one unit per row, every language)",
                 "moses": "Moses plain text (one file per language, line i of each aligned)"}
        lines += [f"The `{MULTIWAY}` rows are in `export/` as " + " and ".join(kinds[e] for e in cfg.exports) + ".", ""]
    return "\n".join(lines + _licence(cfg))


def _title(cfg: CorpusConfig) -> list[str]:
    lines = [f"# {pretty_name(cfg)}", ""]
    if cfg.card.get("description"):
        lines += [cfg.card["description"].strip(), ""]
    return lines


def _signatures(st: dict) -> list[str]:
    return [f"- `{sig}` ({n:,} document{'' if n == 1 else 's'})" for sig, n in sorted(st["signatures"].items())]


def _how_to_load(code: list[str]) -> list[str]:
    return ["", "## How to load", "", "```python", "from datasets import load_dataset", "", *code, "```", ""]


def _licence(cfg: CorpusConfig) -> list[str]:
    licence = cfg.card.get("license_name") or cfg.card.get("license", "unknown")
    link = f" ({cfg.card['license_link']})" if cfg.card.get("license_link") else ""
    lines = ["## Licence", "", f"`{licence}`{link}: see the sources' own terms.", ""]
    if cfg.card.get("citation"):
        lines += ["## Citation", "", "```", cfg.card["citation"].strip(), "```", ""]
    return lines


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
