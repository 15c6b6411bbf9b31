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
