"""What to build: a corpus config from a CSV manifest or a YAML file, with command-line overrides.

A CSV manifest has a header ``doc_id,src,tgt`` and optional extra columns (metadata that becomes dataset
columns); paths are relative to the manifest. A multi-language manifest has ``doc_id`` and one column per
language (``doc_id,en,ar,fr,es,ru,zh``, three or more): one document in every language, aligned multi-way
(``align.corpus.task.align_multi_doc``). A ``reviewed`` column names, for a pair, the file `align review`
saved: its links are taken as reviewed instead of aligning the pair again. A YAML config (see
``configs/corpus-example.yaml``) holds the whole recipe: languages, encoder, aligner parameters, inputs (single
pairs, CSV manifests or a glob pairing rule), filters, exports, card text, publish target and `calibration` (a
file from `align calibrate`). Paths in it are relative to the YAML file.

Precedence: built-in defaults < the YAML file < options given on the command line.
"""

from __future__ import annotations

import csv
import dataclasses
import glob
import math
import os
import re
from dataclasses import dataclass, field

from align.core.params import Params
from align.errors import AlignError

# Columns the builder writes itself: metadata may not reuse these names.
RESERVED = ("doc_id", "translation", "src_ids", "tgt_ids", "type", "level", "paragraph", "score", "flags",
            "doc_score")
LEVELS = ("paragraph", "sentence")
EXPORTS = ("tmx", "moses")
DEDUP = ("none", "exact", "normalised")
DEFAULT_TIMEOUT = 1800.0   # seconds per document; unpc-ar-en's largest takes ~1 s, 10,000 x 10,000 segments ~40 s


@dataclass(frozen=True)
class Doc:
    doc_id: str
    src: str                     # absolute paths
    tgt: str
    segmented: bool = False
    meta: tuple = ()             # ((column, value or None), ...) in column order
    refused: str = ""            # why the pair is not read (a path outside the allowed folders): a failure record
    reviewed: str | None = None  # a reviewed JSONL (align review) whose links are taken instead of aligning
    paths: tuple = ()            # multi-language documents: ((language, absolute path), ...) in column order


@dataclass(frozen=True)
class Filters:
    min_score: float | None = None         # drop links scoring below
    max_length_ratio: float | None = None  # drop links whose longer side has more than this x the other's characters
    dedup: str = "none"                    # none | exact | normalised (align.text.match_key of both sides)
    keep_unaligned: bool = False           # keep 1-0 / 0-1 links (one side empty)


@dataclass
class CorpusConfig:
    docs: list[Doc]
    src_lang: str
    tgt_lang: str
    encoder: str = "use"
    cache: bool = False          # the on-disk vector cache; off by default, see align.corpus.task
    params: Params = field(default_factory=Params)
    filters: Filters = field(default_factory=Filters)
    levels: tuple = LEVELS
    exports: tuple = ()
    output: str | None = None
    shard_rows: int = 100_000
    meta_columns: tuple = ()
    card: dict = field(default_factory=dict)     # name, pretty_name, license(_name/_link), description, citation
    publish: dict = field(default_factory=dict)  # repo_id, private, token_env
    calibration: str | None = None               # link score coefficients (align calibrate); None: built-in
    languages: tuple = ()        # a multi-language corpus: every language, the pivot first (else empty)
    every_pair: bool = False     # a multi-language corpus: a config for every language pair, not just the pivot's


def pair_name(a: str, b: str) -> str:
    """A pair config's name: the two codes in alphabetical order (``ar-en``, ``en-fr``); its source is the first."""
    return "-".join(sorted((a, b)))


def pivot_pairs(languages: tuple[str, ...], every: bool = False) -> list[tuple[str, str]]:
    """(source, target) of every pair config of a multi-language corpus, codes in alphabetical order: the pivot
    (first) with each other language, then (``every``, --pair-configs every) each pair of the other languages
    too. The pivot pairs come first."""
    pivot = [(min(languages[0], lang), max(languages[0], lang)) for lang in languages[1:]]
    rest = [(min(a, b), max(a, b)) for i, a in enumerate(languages[1:], 1) for b in languages[i + 1:]]
    return pivot + (rest if every else [])


_CARD_KEYS = ("name", "pretty_name", "license", "license_name", "license_link", "description", "citation")
_TOP_KEYS = {*_CARD_KEYS, "extends", "src_lang", "tgt_lang", "segmented", "encoder", "cache", "align", "inputs",
             "filters", "levels", "export", "output", "shard_rows", "publish", "calibration"}
_INPUT_KEYS = {"src", "tgt", "doc_id", "manifest", "segmented", "meta", "optional"}
_MERGED = ("align", "filters", "publish")  # mappings that `extends` merges key by key


def load_config(path: str, roots: tuple = (), allow_outside: bool = False, **overrides) -> CorpusConfig:
    """Read a CSV manifest or YAML config; ``overrides`` (None = not given) win over the file.

    Input files must lie inside the manifest's folder or one of ``roots`` (symbolic links resolved); a pair
    with a file elsewhere is refused (a failure record) unless ``allow_outside``: a manifest from someone else
    must not put /etc/passwd or ~/.ssh into a dataset that is then published."""
    if not os.path.isfile(path):
        raise AlignError(f"{path}: no such manifest or config file")
    if path.lower().endswith((".yaml", ".yml")):
        cfg = _from_yaml(path)
    elif _language_columns(path):
        if overrides.get("src_lang") or overrides.get("tgt_lang"):
            raise AlignError(f"{path} names its languages in its header: --src-lang/--tgt-lang are for pairs "
                             "(--pivot picks the language every pair config is aligned with)")
        cfg = _read_multi_csv(path, _language_columns(path), overrides.pop("pivot", None))
    else:
        docs, columns = _read_csv(path, segmented=False, meta={})
        stem = os.path.splitext(os.path.basename(path))[0]
        cfg = CorpusConfig(docs=docs, src_lang="", tgt_lang="", meta_columns=tuple(columns), card={"name": stem})
    every = overrides.pop("pair_configs", None) == "every"
    if (overrides.pop("pivot", None) or every) and not cfg.languages:
        raise AlignError("--pivot and --pair-configs are for a manifest with three or more language columns "
                         "(doc_id,en,ar,fr,...)")
    cfg.every_pair = every
    if not allow_outside:
        cfg.docs = confine(cfg.docs, (os.path.dirname(os.path.abspath(path)), *roots))
    return _apply(cfg, overrides)


def confine(docs: list[Doc], roots: tuple) -> list[Doc]:
    """The documents, those with a file outside every folder of ``roots`` marked refused (with the reason)."""
    real = [os.path.realpath(r) for r in roots]

    def inside(p: str) -> bool:
        p = os.path.realpath(p)
        return any(os.path.commonpath([p, r]) == r for r in real)

    out = []
    for d in docs:
        bad = next((p for p in (d.src, d.tgt, d.reviewed, *(q for _, q in d.paths)) if p and not inside(p)), None)
        if bad:
            d = dataclasses.replace(d, refused=(
                f"{bad} lies outside the allowed folders ({', '.join(real)}); name its folder with --root DIR, "
                f"or pass --allow-outside"))
        out.append(d)
    return out


def _language_columns(path: str) -> list[str]:
    """The language columns of a multi-language manifest (a header without src/tgt), else []."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
    except (UnicodeDecodeError, csv.Error):
        return []  # _read_csv says what is wrong
    if "doc_id" not in header or "src" in header or "tgt" in header:
        return []
    return [c for c in header if c != "doc_id"]


def _read_multi_csv(path: str, columns: list[str], pivot: str | None) -> CorpusConfig:
    """doc_id and one column per language; unknown language codes are one error naming them all."""
    from align.segment import LANGS, check_lang

    if len(columns) < 3:
        raise AlignError(f"{path}: a multi-language manifest needs three or more language columns "
                         f"(doc_id,en,ar,fr,...); for two languages use doc_id,src,tgt")
    unknown = [c for c in columns if re.split(r"[-_]", c.strip().lower())[0] not in LANGS]
    if unknown:
        raise AlignError(f"{path}: unknown language code{'s' * (len(unknown) > 1)} in the header: "
                         f"{', '.join(map(repr, unknown))}; known: {', '.join(sorted(LANGS))}")
    langs = [check_lang(c) for c in columns]
    if len(set(langs)) < len(langs):
        raise AlignError(f"{path}: a language appears twice in the header ({', '.join(columns)})")
    pivot = check_lang(pivot) if pivot else langs[0]
    if pivot not in langs:
        raise AlignError(f"--pivot {pivot}: not among the manifest's languages ({', '.join(langs)})")
    ordered = (pivot,) + tuple(lang for lang in langs if lang != pivot)
    base = os.path.dirname(os.path.abspath(path))
    docs = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for n, row in enumerate(reader, start=2):
            if len(row) != len(columns) + 1:
                raise AlignError(f"{path}:{n}: expected {len(columns) + 1} columns")
            rec = dict(zip(["doc_id"] + langs, row))
            if not all(rec.values()):
                raise AlignError(f"{path}:{n}: doc_id and every language's path must be given")
            paths = {lang: os.path.abspath(os.path.join(base, rec[lang])) for lang in ordered}
            # src/tgt: the pivot and the next language, for whatever reads a Doc as a pair
            docs.append(Doc(rec["doc_id"], paths[ordered[0]], paths[ordered[1]], paths=tuple(paths.items())))
    stem = os.path.splitext(os.path.basename(path))[0]
    return CorpusConfig(docs=docs, src_lang=ordered[0], tgt_lang=ordered[1], languages=ordered, card={"name": stem})


def _apply(cfg: CorpusConfig, o: dict) -> CorpusConfig:
    from align.segment import check_lang

    given = {k: v for k, v in o.items() if v is not None and v != ()}
    for k in ("src_lang", "tgt_lang", "encoder", "cache", "output", "levels", "calibration"):
        if k in given:
            setattr(cfg, k, given[k])
    if "exports" in given:
        cfg.exports = tuple(given["exports"])
    if "segmented" in given and given["segmented"]:  # the flag can only switch it on, as for `align pair`
        cfg.docs = [dataclasses.replace(d, segmented=True) for d in cfg.docs]
    prm = {k: given[k] for k in ("skip", "max_link") if k in given}
    if prm:
        cfg.params = dataclasses.replace(cfg.params, **prm)
    flt = {k: given[k] for k in ("min_score", "max_length_ratio", "dedup") if k in given}
    if flt:
        cfg.filters = _filters({**dataclasses.asdict(cfg.filters), **flt})
    if "repo_id" in given:
        cfg.publish = {**cfg.publish, "repo_id": given["repo_id"]}
    if cfg.calibration:
        from align.score.linkscore import load_calibration

        cfg.calibration = os.path.abspath(cfg.calibration)
        load_calibration(cfg.calibration)   # a bad file is refused now, not in every document

    if not cfg.src_lang or not cfg.tgt_lang:
        raise AlignError("the source and target languages are needed: "
                         "--src-lang/--tgt-lang or src_lang/tgt_lang in the config")
    cfg.src_lang, cfg.tgt_lang = check_lang(cfg.src_lang), check_lang(cfg.tgt_lang)
    if cfg.src_lang == cfg.tgt_lang:
        raise AlignError(f"source and target languages are both {cfg.src_lang!r}; a translation dataset needs two")
    if not cfg.docs:
        raise AlignError("the manifest lists no documents")
    check_unique(cfg.docs)
    bad = [lv for lv in cfg.levels if lv not in LEVELS]
    if bad or not cfg.levels:
        raise AlignError(f"levels must be among {', '.join(LEVELS)} (got {', '.join(bad) or 'none'})")
    bad = [e for e in cfg.exports if e not in EXPORTS]
    if bad:
        raise AlignError(f"unknown export {bad[0]!r}; choose among {', '.join(EXPORTS)}")
    if cfg.shard_rows < 1:
        raise AlignError("shard_rows must be at least 1")
    check_name(cfg.card.get("name"))
    clash = [c for c in cfg.meta_columns if c in RESERVED or c in (cfg.src_lang, cfg.tgt_lang)]
    if clash:
        raise AlignError(f"metadata column {clash[0]!r} clashes with a column the dataset already has")
    return cfg


# --- YAML ---------------------------------------------------------------------------------------------------

def _read_yaml(path: str, seen: tuple = ()) -> dict:
    """The YAML mapping, on top of the file it `extends` (a path relative to it), if any."""
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            y = yaml.safe_load(f) or {}
    except OSError as e:
        raise AlignError(f"{path}: cannot read ({e.strerror})") from None
    except yaml.YAMLError as e:
        raise AlignError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(y, dict):
        raise AlignError(f"{path}: expected a mapping of settings at the top level")
    _unknown(y, _TOP_KEYS, path)
    if "extends" not in y:
        return y
    parent = os.path.join(os.path.dirname(os.path.abspath(path)), y.pop("extends"))
    if os.path.abspath(parent) in seen:
        raise AlignError(f"{path}: extends itself through {parent}")
    merged = _read_yaml(parent, seen + (os.path.abspath(path),))
    if "inputs" in merged or "output" in merged:
        raise AlignError(f"{parent}: a file that others extend holds settings, not inputs or output")
    for k, v in y.items():
        merged[k] = {**(merged.get(k) or {}), **(v or {})} if k in _MERGED else v
    return merged


def _from_yaml(path: str) -> CorpusConfig:
    y = _read_yaml(path)
    base = os.path.dirname(os.path.abspath(path))
    docs, columns = [], []
    for i, item in enumerate(y.get("inputs") or []):
        got, cols = _input(item, base, bool(y.get("segmented", False)), f"{path}: inputs[{i}]")
        docs += got
        columns += [c for c in cols if c not in columns]
    try:
        params = Params(**(y.get("align") or {}))
    except TypeError as e:
        known = ", ".join(f.name for f in dataclasses.fields(Params))
        raise AlignError(f"{path}: align: {e} (known: {known})") from None
    _unknown(y.get("publish") or {}, {"repo_id", "private", "token_env"}, f"{path}: publish")
    out = y.get("output")
    exports = y.get("export") or ()
    return CorpusConfig(
        docs=docs, src_lang=y.get("src_lang", ""), tgt_lang=y.get("tgt_lang", ""),
        encoder=y.get("encoder", "use"), cache=bool(y.get("cache", False)), params=params,
        filters=_filters(y.get("filters") or {}, path), levels=tuple(y.get("levels") or LEVELS),
        exports=tuple([exports] if isinstance(exports, str) else exports),
        output=os.path.abspath(os.path.join(base, out)) if out else None, shard_rows=int(y.get("shard_rows", 100_000)),
        meta_columns=tuple(columns), card={k: y[k] for k in _CARD_KEYS if y.get(k) is not None},
        publish=dict(y.get("publish") or {}),
        calibration=os.path.join(base, y["calibration"]) if y.get("calibration") else None,
    )


def _unknown(d: dict, known: set, where: str) -> None:
    extra = sorted(set(d) - known)
    if extra:
        raise AlignError(f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(known))})")


def _filters(d: dict, where: str = "filters") -> Filters:
    _unknown(d, {f.name for f in dataclasses.fields(Filters)}, where + ": filters")
    f = Filters(**d)
    if f.dedup not in DEDUP:
        raise AlignError(f"dedup must be one of {', '.join(DEDUP)} (got {f.dedup!r})")
    for name, low in (("min_score", 0.0), ("max_length_ratio", 1.0)):
        v = getattr(f, name)
        bad = isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < low
        if v is not None and bad:
            raise AlignError(f"{where}: {name} must be a number of at least {low:g}, not {v!r}")
    return f


def _input(item, base: str, segmented: bool, where: str) -> tuple[list[Doc], list[str]]:
    """One entry of `inputs`: a CSV manifest, one pair, or a glob of sources with a target pattern."""
    if not isinstance(item, dict):
        raise AlignError(f"{where}: expected a mapping with src/tgt or manifest")
    _unknown(item, _INPUT_KEYS, where)
    seg = bool(item.get("segmented", segmented))
    meta = {str(k): (None if v is None else str(v)) for k, v in (item.get("meta") or {}).items()}
    if "manifest" in item:
        path = os.path.join(base, item["manifest"])
        if not os.path.isfile(path):
            raise AlignError(f"{where}: {path}: no such manifest")
        docs, columns = _read_csv(path, seg, meta)
        # optional: an input whose files are all absent (a benchmark folder not there) is skipped
        if item.get("optional") and not any(os.path.exists(d.src) for d in docs):
            _skip_warning(where, os.path.dirname(docs[0].src) if docs else path)
            return [], []
        return docs, columns
    if "src" not in item or "tgt" not in item:
        raise AlignError(f"{where}: needs src and tgt (or manifest)")
    src = os.path.join(base, item["src"])
    if not glob.has_magic(item["src"]):
        if item.get("optional") and not os.path.exists(src):
            _skip_warning(where, src)
            return [], []
        doc_id = str(item.get("doc_id") or os.path.basename(src))
        return [Doc(doc_id, os.path.abspath(src), os.path.abspath(os.path.join(base, item["tgt"])), seg,
                    tuple(meta.items()))], list(meta)
    # A pairing rule: each file the src glob matches, with its partner named by the tgt pattern.
    # {name} is the matched file name, {stem} the name without its extension.
    matches = sorted(p for p in glob.glob(src) if os.path.isfile(p))
    if not matches:
        if item.get("optional"):
            _skip_warning(where, src)
            return [], []
        raise AlignError(f"{where}: no file matches {src}")
    docs = []
    for p in matches:
        name = os.path.basename(p)
        names = {"name": name, "stem": os.path.splitext(name)[0]}
        tgt = fill(str(item["tgt"]), names, where)
        doc_id = fill(str(item.get("doc_id", "{name}")), names, where)
        docs.append(Doc(doc_id, os.path.abspath(p), os.path.abspath(os.path.join(base, tgt)), seg,
                        tuple(meta.items())))
    return docs, list(meta)


def fill(template: str, names: dict, where: str) -> str:
    """``template`` with its {name} / {stem} placeholders filled. Nothing else of str.format: no attributes or
    indexes (``{name.__class__}``), no conversions, no format specs (``{name:>300000000}`` took 7.8 GB)."""
    import string

    out = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as e:
        raise AlignError(f"{where}: bad placeholder in {template!r} ({e}); use {{name}} or {{stem}}") from None
    for literal, field_name, spec, conversion in parsed:
        out.append(literal)
        if field_name is None:
            continue
        if field_name not in names or spec or conversion:
            raise AlignError(f"{where}: unknown placeholder {{{field_name}{'!' + conversion if conversion else ''}"
                             f"{':' + spec if spec else ''}}} in {template!r}; use {{name}} or {{stem}}")
        out.append(names[field_name])
    return "".join(out)


def _skip_warning(where: str, path: str) -> None:
    import sys

    print(f"align: warning: {where}: {path} not found; optional input skipped", file=sys.stderr)


def _read_csv(path: str, segmented: bool, meta: dict) -> tuple[list[Doc], list[str]]:
    base = os.path.dirname(os.path.abspath(path))
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in ("doc_id", "src", "tgt") if c not in header]
            if missing:
                raise AlignError(f"{path}: the header needs doc_id,src,tgt (missing {', '.join(missing)})")
            dup = next((c for c in header if header.count(c) > 1), None)
            if dup is not None:  # csv.DictReader would keep the last column of that name, silently
                raise AlignError(f"{path}: the header names column {dup!r} twice")
            extra = [c for c in header if c not in ("doc_id", "src", "tgt", "reviewed")]
            docs = []
            for n, row in enumerate(reader, start=2):
                if None in row or any(row[c] is None for c in header):
                    raise AlignError(f"{path}:{n}: expected {len(header)} columns")
                if not row["doc_id"].strip() or not row["src"].strip() or not row["tgt"].strip():
                    raise AlignError(f"{path}:{n}: doc_id, src and tgt must not be empty")
                m = {**meta, **{c: row[c] for c in extra}}
                # reviewed: an `align review` output for this pair, whose links are taken as they were reviewed
                reviewed = os.path.abspath(os.path.join(base, row["reviewed"])) if row.get("reviewed") else None
                docs.append(Doc(row["doc_id"], os.path.abspath(os.path.join(base, row["src"])),
                                os.path.abspath(os.path.join(base, row["tgt"])), segmented, tuple(m.items()),
                                reviewed=reviewed))
    except UnicodeDecodeError:
        raise AlignError(f"{path}: a manifest must be UTF-8 text") from None
    except csv.Error as e:
        raise AlignError(f"{path}: not a valid CSV file ({e})") from None
    return docs, list(meta) + [c for c in extra if c not in meta]


def check_name(name) -> None:
    """The dataset name becomes file names (export/NAME.ar-en.tmx): one plain name, never a path."""
    if name is None:
        return
    name = str(name)
    if not name or name in (".", "..") or any(c in name for c in "/\\\0") or name != name.strip() or len(name) > 200:
        raise AlignError(f"name {name[:80]!r} must be a plain name (no slashes, not '..', at most 200 characters): "
                         f"it names the export files inside the output folder")


def check_unique(docs: list[Doc]) -> None:
    seen = set()
    for d in docs:
        if d.doc_id in seen:
            raise AlignError(f"doc_id {d.doc_id!r} appears twice; every document needs its own id")
        seen.add(d.doc_id)
