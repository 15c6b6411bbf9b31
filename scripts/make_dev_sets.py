#!/usr/bin/env python
"""Arabic dev sets built from the open benchmark data (issue 10), in the Vecalign layout, under build/dev/.

    python scripts/make_dev_sets.py [BENCH_DIR] [--out build/dev] [--only diac|literary|classical] [--quran FILE]

* ``diac-<set>`` for unpc-ar-en, ntrex-ar-en, udhr-ar-en: the Arabic side fully vowelled by Mishkal (a rule-based
  diacritiser from PyPI that ships its dictionaries: ``pip install 'align[dev]'``), then Quranic-style marks added
  (alef wasla on the article, dagger alef, the Quranic sukun, small waw/yeh after the pronoun, pause signs,
  tatweel), seeded per document. Only marks are added: the marks stripped, every line is the original again
  (checked). English side and gold unchanged.
* ``literary-<set>`` for ntrex-ar-en and unpc-ar-en: runs of 2-8 consecutive Arabic lines (whole gold links,
  at most 8 English lines a run) joined into one line, as literary Arabic writes one long sentence where the
  English has several; a joined line's full stops mostly become commas, some followed by "و". English stays
  split, the gold is rewritten (1-2 ... 1-8; 2-k when a run is cut inside one of its 2-1 links); a fifth of
  the links are left alone. The seeded omissions (1-0, 0-1 links and their lines) are left out: literary
  translations leave nothing out, and the issue's sealed literary gold has no 0-1 link.
* ``classical-quran-ar-en`` (with ``--quran FILE``): real classical Arabic, fully vowelled in Uthmani spelling
  with its Quranic signs, against an English translation that no one here wrote: the Quran (114 surahs as 114
  documents, one verse a line, 6,236 verses) with Saheeh International's translation, gold one verse to one
  verse. FILE is ``dist/quran_en.json`` of the npm package quran-json 3.1.2 (CC BY-SA 4.0; Uthmani text from
  quranenc.com): ``npm pack quran-json@3.1.2 && tar xzf quran-json-3.1.2.tgz`` gives ``package/dist/quran_en.json``.
  Not in the repository: build it where you measure.

Mishkal takes ~6 minutes for unpc-ar-en on one core; its output is cached in OUT/.cache/, so a rerun is quick.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import re
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from align.eval import read_bench_set  # noqa: E402

MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u08d3-\u08ff]")
SUKUN, DAGGER, QURANIC_SUKUN, TATWEEL = "\u0652", "\u0670", "\u06e1", "\u0640"
PAUSES = "\u06d6\u06d7\u06d8\u06d9\u06da\u06db\u06dc"   # small high ligatures and stop signs
DAGGER_WORDS = {"هذا": "هٰذا", "هذه": "هٰذه", "ذلك": "ذٰلك", "لكن": "لٰكن", "الله": "اللّٰه", "الرحمن": "الرحمٰن",
                "هؤلاء": "هٰؤلاء", "السماوات": "السمٰوات", "إله": "إلٰه"}
DIAC_SETS = ("unpc-ar-en", "ntrex-ar-en", "udhr-ar-en")
LITERARY_SETS = ("ntrex-ar-en", "unpc-ar-en")


def write_set(out_dir: str, docs) -> None:
    """docs: (name, src lines, tgt lines, gold links) -> OUT/{src,tgt,gold}/name."""
    for side in ("src", "tgt", "gold"):
        os.makedirs(os.path.join(out_dir, side), exist_ok=True)
    for name, src, tgt, gold in docs:
        for side, lines in (("src", src), ("tgt", tgt), ("gold", [f"{list(a)}:{list(b)}" for a, b in gold])):
            with open(os.path.join(out_dir, side, name), "w", encoding="utf-8") as f:
                f.write("".join(x + "\n" for x in lines))


# --- diacritised copies --------------------------------------------------------------------------------------

def transfer_marks(orig: str, diac: str) -> str:
    """The marks the diacritiser put on its (sometimes respelled) output, laid on the original letters."""
    base, marks = [], []
    for c in diac:
        if MARKS.match(c) and base:
            marks[-1] += c
        elif not MARKS.match(c):
            base.append(c)
            marks.append("")
    out = list(orig)
    sm = difflib.SequenceMatcher(None, orig, "".join(base), autojunk=False)
    for a, b, size in sm.get_matching_blocks():
        for k in range(size):
            nxt = orig[a + k + 1] if a + k + 1 < len(orig) else ""
            if not MARKS.match(nxt):  # never stack marks on a letter the original already marked
                out[a + k] += marks[b + k]
    return "".join(out)


def quranic(line: str, rnd: random.Random) -> str:
    """Quranic orthography on a vowelled line: wasla, dagger alef, Quranic sukun, small waw/yeh, pauses, tatweel."""
    words = line.split(" ")
    for w, word in enumerate(words):
        bare = MARKS.sub("", word)
        if bare in DAGGER_WORDS and rnd.random() < 0.8:
            word = DAGGER_WORDS[bare]
        if w and word.startswith("ال") and rnd.random() < 0.6:
            word = "ٱ" + word[1:]  # the article's alef takes a wasla inside a phrase
        word = word.replace(SUKUN, QURANIC_SUKUN) if rnd.random() < 0.5 else word
        if bare.endswith("ه") and len(bare) > 2 and rnd.random() < 0.3:
            word += "\u06e5" if rnd.random() < 0.5 else "\u06e6"
        if len(bare) > 4 and rnd.random() < 0.04:
            k = len(word) // 2
            word = word[:k] + TATWEEL * rnd.randint(1, 4) + word[k:]
        if rnd.random() < 0.08 or word.endswith("،"):
            word += rnd.choice(PAUSES)
        if len(bare) > 3 and rnd.random() < 0.05:
            word = word[:2] + DAGGER + word[2:]
        words[w] = word
    return " ".join(words)


def diacritise_set(bench: str, name: str, out: str, cache: dict) -> None:
    import mishkal.tashkeel

    vocaliser = mishkal.tashkeel.TashkeelClass()
    docs = []
    todo = sorted({line for _, src, _, _ in read_bench_set(os.path.join(bench, name)) for line in src} - set(cache))
    for k, line in enumerate(todo):
        cache[line] = vocaliser.tashkeel(line) if line.strip() else line
        if k % 200 == 199:
            print(f"  {name}: {k + 1}/{len(todo)} lines vowelled", flush=True)
    for doc, src, tgt, gold in read_bench_set(os.path.join(bench, name)):
        rnd = random.Random(zlib.crc32(doc.encode()))
        new = [quranic(transfer_marks(line, cache[line]), rnd) for line in src]
        for a, b in zip(src, new):
            assert MARKS.sub("", b).replace("ٱ", "ا") == MARKS.sub("", a), (a, b)  # only marks (and wasla) added
        docs.append((doc, new, tgt, gold))
    write_set(os.path.join(out, f"diac-{name}"), docs)
    marks = sum(len(MARKS.findall(line)) for _, s, _, _ in docs for line in s)
    chars = sum(len(line) for _, s, _, _ in docs for line in s)
    print(f"diac-{name}: {len(docs)} documents, {marks / max(chars, 1):.0%} of the Arabic characters are marks")


# --- literary: long Arabic lines, English split -----------------------------------------------------------------

def literary_doc(doc: str, src: list[str], tgt: list[str], gold, rnd: random.Random):
    """Join runs of consecutive gold links' Arabic lines; returns (src, tgt, gold)."""
    gold = [(tuple(a), tuple(b)) for a, b in gold]  # in reading order, as the gold files list them
    flat_s = [i for a, _ in gold for i in a]
    flat_t = [j for _, b in gold for j in b]
    assert flat_s == list(range(len(src))) and flat_t == list(range(len(tgt))), f"{doc}: gold out of order"
    # Literary translations leave nothing out (issue 10: the sealed literary gold has no 0-1 link), unlike the
    # seeded omissions of the news and UN sets: those lines go.
    gold = [(a, b) for a, b in gold if a and b]
    new_src: list[str] = []
    new_tgt: list[str] = []
    new_gold = []
    k = 0
    while k < len(gold):
        want = 1 if rnd.random() < 0.2 else rnd.randint(2, 8)  # a fifth of the links are left alone
        run = [gold[k]]
        while (k + len(run) < len(gold) and len(run) < want
               and sum(len(x[1]) for x in run) + len(gold[k + len(run)][1]) <= 8):
            run.append(gold[k + len(run)])
        k += len(run)
        pieces = [src[i] for x in run for i in x[0]]
        # a cut inside a 2-1 link of the run (not at its ends) makes two lines sharing one English sentence: 2-k
        cuts = [sum(len(x[0]) for x in run[:r]) + 1 for r, x in enumerate(run) if len(x[0]) >= 2]
        cut = rnd.choice(cuts) if cuts and len(run) >= 2 and rnd.random() < 0.5 else None
        parts = [pieces[:cut], pieces[cut:]] if cut else [pieces]
        if len(run) == 1:
            parts = [[p] for p in pieces]  # left alone: its own lines
        first_s, first_t = len(new_src), len(new_tgt)
        new_src += [_chain(p, rnd) for p in parts]
        new_tgt += [tgt[j] for x in run for j in x[1]]
        new_gold.append((tuple(range(first_s, len(new_src))), tuple(range(first_t, len(new_tgt)))))
    return new_src, new_tgt, new_gold


def _chain(pieces: list[str], rnd: random.Random) -> str:
    """Sentences joined as literary Arabic chains them: most full stops become commas, some followed by "و"."""
    out = pieces[0].strip()
    for p in pieces[1:]:
        p = p.strip()
        if out.endswith(".") and rnd.random() < 0.7:
            out = out[:-1] + "،"
            if p[:1].isalpha() and not p.startswith("و") and rnd.random() < 0.4:
                p = "و" + p
        out += " " + p
    return out


def literary_set(bench: str, name: str, out: str) -> None:
    docs = []
    for doc, src, tgt, gold in read_bench_set(os.path.join(bench, name)):
        docs.append((doc, *literary_doc(doc, src, tgt, gold, random.Random(zlib.crc32(doc.encode())))))
    write_set(os.path.join(out, f"literary-{name}"), docs)
    shapes: dict[str, int] = {}
    for *_, gold in docs:
        for a, b in gold:
            shapes[f"{len(a)}-{len(b)}"] = shapes.get(f"{len(a)}-{len(b)}", 0) + 1
    top = ", ".join(f"{k} {v}" for k, v in sorted(shapes.items(), key=lambda kv: -kv[1]))
    print(f"literary-{name}: {len(docs)} documents; links {top}")


# --- classical Arabic: the Quran and an English translation ---------------------------------------------------

def quran_set(path: str, out: str) -> None:
    """classical-quran-ar-en from quran-json's quran_en.json: a surah a document, a verse a line, gold 1-1."""
    with open(path, encoding="utf-8") as f:
        surahs = json.load(f)
    one_line = lambda text: " ".join(text.split())   # noqa: E731 - a verse is one line
    docs = [(f"surah-{s['id']:03d}", [one_line(v["text"]) for v in s["verses"]],
             [one_line(v["translation"]) for v in s["verses"]], [((i,), (i,)) for i in range(len(s["verses"]))])
            for s in surahs]
    write_set(os.path.join(out, "classical-quran-ar-en"), docs)
    print(f"classical-quran-ar-en: {len(docs)} documents, {sum(len(d[1]) for d in docs)} verses")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "build", "dev"))
    ap.add_argument("--only", choices=("diac", "literary", "classical"))
    ap.add_argument("--quran", metavar="FILE", help="quran-json's dist/quran_en.json: also build classical-quran-ar-en")
    a = ap.parse_args()
    if a.quran or a.only == "classical":
        if not a.quran or not os.path.isfile(a.quran):
            sys.exit("make_dev_sets.py: --quran FILE (quran-json's dist/quran_en.json, see --help) is needed")
        quran_set(a.quran, a.out)
        if a.only == "classical":
            return
    if not os.path.isdir(a.bench):
        sys.exit(f"make_dev_sets.py: no benchmark folder at {a.bench}")
    if a.only != "diac":
        for name in LITERARY_SETS:
            literary_set(a.bench, name, a.out)
    if a.only != "literary":
        path = os.path.join(a.out, ".cache", "mishkal.json")
        cache = json.load(open(path, encoding="utf-8")) if os.path.exists(path) else {}
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            for name in DIAC_SETS:
                diacritise_set(a.bench, name, a.out, cache)
        finally:
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(cache, f, ensure_ascii=False)
            os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
