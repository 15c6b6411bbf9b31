"""The dataset's links as TMX (translate-toolkit) and as Moses plain text (two files, line i aligned).

Only links with text on both sides, of one level (sentence when the dataset has it), in dataset order. The TMX
header carries the alignment signature(s); each unit carries its doc_id and score as properties.
"""

from __future__ import annotations

import os

from align.errors import AlignError


class Exporter:
    def __init__(self, cfg, build_dir: str, level: str):
        self.cfg, self.level = cfg, level
        self.dir = os.path.join(build_dir, "export")
        os.makedirs(self.dir, exist_ok=True)
        self.stem = f"{cfg.card.get('name') or 'corpus'}.{cfg.src_lang}-{cfg.tgt_lang}"
        self.units: list[tuple[str, str, str, float]] = []
        self.moses = None
        if "moses" in cfg.exports:
            self.moses = [open(self._path(lang), "w", encoding="utf-8", newline="\n")
                          for lang in (cfg.src_lang, cfg.tgt_lang)]
        self.signatures: set[str] = set()

    def _path(self, ext: str) -> str:
        path = os.path.join(self.dir, f"{self.stem}.{ext}")
        # the config refuses names with a path in them (align.corpus.config.check_name); this makes sure
        if os.path.dirname(os.path.realpath(path)) != os.path.realpath(self.dir):
            raise AlignError(f"export file {path} would lie outside {self.dir}")
        return path

    def add(self, doc_id: str, link: dict, signature: str | None = None) -> None:
        if not (link["src"] and link["tgt"]):
            return
        if signature:
            self.signatures.add(signature)
        if self.moses:
            for f, text in zip(self.moses, (link["src"], link["tgt"])):
                f.write(" ".join(text.split()) + "\n")  # one line per segment: no newline or tab inside
        if "tmx" in self.cfg.exports:
            self.units.append((doc_id, link["src"], link["tgt"], link["score"]))

    def finish(self, dest: str) -> None:
        if self.moses:
            for f in self.moses:
                f.close()
        if "tmx" in self.cfg.exports:
            self._write_tmx(self._path("tmx"))
        import shutil

        shutil.rmtree(dest, ignore_errors=True)
        os.replace(self.dir, dest)

    def _write_tmx(self, path: str) -> None:
        from lxml import etree
        from translate.storage import tmx

        store = tmx.tmxfile(sourcelanguage=self.cfg.src_lang, targetlanguage=self.cfg.tgt_lang)
        header = store.document.getroot().find("header")
        for sig in sorted(self.signatures):
            etree.SubElement(header, "prop", type="x-align-signature").text = sig
        for doc_id, src, tgt, score in self.units:
            store.addtranslation(src, self.cfg.src_lang, tgt, self.cfg.tgt_lang)
            tu = store.units[-1].xmlelement
            # TMX 1.4 wants <prop> before the <tuv>s
            for i, (kind, value) in enumerate((("x-doc-id", doc_id), ("x-score", f"{score:.4f}"))):
                prop = etree.Element("prop", type=kind)
                prop.text = value
                tu.insert(i, prop)
        with open(path, "wb") as f:
            f.write(bytes(store))


class MultiExporter:
    """The multiway rows: TMX with one unit per row holding every language, Moses with one file per language."""

    def __init__(self, cfg, build_dir: str):
        self.cfg = cfg
        self.dir = os.path.join(build_dir, "export")
        os.makedirs(self.dir, exist_ok=True)
        self.stem = f"{cfg.card.get('name') or 'corpus'}.multiway"
        self.units: list[tuple[str, dict, float]] = []
        self.signatures: set[str] = set()
        self.moses = None
        if "moses" in cfg.exports:
            self.moses = {lang: open(os.path.join(self.dir, f"{self.stem}.{lang}"), "w", encoding="utf-8", newline="\n")
                          for lang in cfg.languages}

    def add(self, doc_id: str, row: dict, signature: str | None = None) -> None:
        if signature:
            self.signatures.add(signature)
        if self.moses:
            for lang, f in self.moses.items():
                f.write(" ".join(row["translation"][lang].split()) + "\n")
        if "tmx" in self.cfg.exports:
            self.units.append((doc_id, row["translation"], row["score"]))

    def finish(self, dest: str) -> None:
        import shutil

        for f in (self.moses or {}).values():
            f.close()
        if "tmx" in self.cfg.exports:
            self._write_tmx(os.path.join(self.dir, f"{self.stem}.tmx"))
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(self.dir, dest)

    def _write_tmx(self, path: str) -> None:
        # translate-toolkit's units hold two languages; a row's <tu> with a <tuv> per language is built with lxml
        # into the document it makes (header, body).
        from lxml import etree
        from translate.storage import tmx

        store = tmx.tmxfile(sourcelanguage=self.cfg.languages[0])
        root = store.document.getroot()
        header = root.find("header")
        for sig in sorted(self.signatures):
            etree.SubElement(header, "prop", type="x-align-signature").text = sig
        body = root.find("body")
        for doc_id, texts, score in self.units:
            tu = etree.SubElement(body, "tu")
            etree.SubElement(tu, "prop", type="x-doc-id").text = doc_id
            etree.SubElement(tu, "prop", type="x-score").text = f"{score:.4f}"
            for lang in self.cfg.languages:
                tuv = etree.SubElement(tu, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
                etree.SubElement(tuv, "seg").text = texts[lang]
        with open(path, "wb") as f:
            f.write(bytes(store))
