"""Issue 15, tried as a hostile or unlucky user would: one test (or a few) per item, security first.

Confined inputs and outputs, bounded readers, timeouts, no silent corruption, exit statuses that mean what they
say, garbage refused. The lexical encoder keeps the end-to-end cases fast.
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from align.cli import main
from align.errors import AlignError, Exit

AR = "اعتمدت الجمعية العامة جدول الأعمال. عقد المجلس 25 جلسة في عام 2015.\n"
EN = "The General Assembly adopted the agenda. The Council held 25 meetings in 2015.\n"


def write(path, text: str | bytes = "") -> str:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(r, status=Exit.USAGE) -> str:
    """The run ended with a one-line message (no traceback, not 'internal error') and the given status."""
    assert r.exit_code == status, (r.exit_code, r.output)
    assert "internal error" not in r.output and "Traceback" not in r.output, r.output
    lines = [l for l in r.output.splitlines() if l.startswith("align: error")]
    assert len(lines) == 1, r.output
    return lines[0]


# --- 1. manifest paths confined to the manifest's folder ------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    """A manifest folder with one good pair, plus a secret beside it (outside) and a symbolic link to it."""
    root = tmp_path / "corpus"
    write(root / "a.ar", AR)
    write(root / "a.en", EN)
    secret = write(tmp_path / "secret" / "passwd.en", "root:x:0:0:root:/root:/bin/bash\n" * 3)
    os.symlink(secret, root / "link.en")
    return root, secret


@pytest.mark.parametrize("tgt", ["SECRET", "../secret/passwd.en", "link.en"])
def test_manifest_paths_outside_its_folder_are_failure_records(outside, tmp_path, tgt):
    import pyarrow.parquet as pq

    root, secret = outside
    tgt = secret if tgt == "SECRET" else tgt
    m = write(root / "m.csv", f"doc_id,src,tgt\nok,a.ar,a.en\nbad,a.ar,{tgt}\n")
    out = tmp_path / "out"
    r = run("corpus", m, "-o", out, "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical", "--segmented")
    assert r.exit_code == Exit.PARTIAL, r.output
    (fail,) = [json.loads(l) for l in open(out / "failures.jsonl", encoding="utf-8")]
    assert fail["doc_id"] == "bad" and "outside the allowed folders" in fail["reason"]
    assert "--allow-outside" in fail["reason"]
    rows = pq.read_table(str(out / "data")).to_pylist()
    assert {r["doc_id"] for r in rows} == {"ok"} and not any("root:x" in r["translation"]["en"] for r in rows)
    # opting in, or naming the folder, reads it
    for extra in (["--allow-outside"], ["--root", os.path.dirname(secret)]):
        out2 = tmp_path / ("out-" + extra[0].strip("-"))
        r = run("corpus", m, "-o", out2, "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical",
                "--segmented", *extra)
        assert r.exit_code == Exit.OK, r.output
        assert "bad" in {r["doc_id"] for r in pq.read_table(str(out2 / "data")).to_pylist()}


def test_yaml_inputs_are_confined_too(outside, tmp_path):
    from align.corpus.config import load_config

    root, secret = outside
    y = write(root / "c.yaml", f"src_lang: ar\ntgt_lang: en\ninputs:\n  - {{src: a.ar, tgt: a.en}}\n"
                               f"  - {{src: a.ar, tgt: {secret}, doc_id: s}}\n")
    cfg = load_config(y)
    assert [bool(d.refused) for d in cfg.docs] == [False, True]
    assert not any(d.refused for d in load_config(y, allow_outside=True).docs)


# --- 2. the recipe's name cannot escape the output folder ----------------------------------------------------

@pytest.mark.parametrize("name", ["/tmp/escaped-by-align", "../../../x", "..", "a/b", "a\\\\b"])
def test_recipe_name_cannot_be_a_path(tmp_path, name):
    write(tmp_path / "a.ar", AR)
    write(tmp_path / "a.en", EN)
    y = write(tmp_path / "c.yaml", f"name: '{name}'\nsrc_lang: ar\ntgt_lang: en\nencoder: lexical\n"
                                   "inputs: [{src: a.ar, tgt: a.en}]\nexport: [moses, tmx]\n")
    before = set(os.listdir("/tmp"))
    r = run("corpus", y, "-o", tmp_path / "out")
    assert "plain name" in one_line_error(r)
    assert set(os.listdir("/tmp")) - before == set() and not os.path.exists(tmp_path / "out")


def test_exporter_never_writes_outside_its_folder(tmp_path):
    from align.corpus.config import CorpusConfig
    from align.corpus.export import Exporter

    cfg = CorpusConfig(docs=[], src_lang="ar", tgt_lang="en", exports=("moses",), card={"name": "../../evil"})
    with pytest.raises(AlignError, match="outside"):
        Exporter(cfg, str(tmp_path / "build"), "sentence")


# --- 3. readers bounded: reference loops, deep nesting, decompression bombs ----------------------------------

def raw_pdf(content: bytes, length: bytes | None = None, flate: bool = False, extra: tuple = ()) -> bytes:
    """A one-page PDF written by hand (no library writes broken ones): ``length`` replaces the content
    stream's /Length value, ``extra`` adds objects from number 6 on."""
    import zlib

    data = zlib.compress(content) if flate else content
    stream = (b"<< /Length " + (length or str(len(data)).encode()) + (b" /Filter /FlateDecode" if flate else b"")
              + b" >>\nstream\n" + data + b"\nendstream")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>", stream,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", *extra]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


HELLO = b"BT /F1 12 Tf 72 720 Td (Hello world, this is a test.) Tj ET"


def test_pdf_whose_length_refers_to_itself_fails_fast(tmp_path):
    import time

    from align.io.pdf import read_pdf

    assert read_pdf(write(tmp_path / "ok.pdf", raw_pdf(HELLO))) == ["Hello world, this is a test."]
    for name, extra in (("self", (b"6 0 R",)), ("cycle", (b"7 0 R", b"6 0 R"))):
        path = write(tmp_path / f"{name}.pdf", raw_pdf(HELLO, length=b"6 0 R", extra=extra))
        start = time.monotonic()
        with pytest.raises(AlignError, match="refers to itself"):
            read_pdf(path)  # hung forever before
        assert time.monotonic() - start < 10


def test_pdf_nesting_beyond_the_stack_is_an_error(tmp_path):
    from align.io.pdf import read_pdf

    deep = b"[" * 100_000 + b"]" * 100_000
    path = write(tmp_path / "deep.pdf", raw_pdf(HELLO, extra=(deep,)))
    try:
        assert read_pdf(path)  # read despite the junk object, or refused in one line: never a crash
    except AlignError as e:
        assert "\n" not in str(e)


def test_flate_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    import align.io.pdf as pdf

    monkeypatch.setattr(pdf, "MAX_INFLATED", 4 << 20)
    bomb = write(tmp_path / "bomb.pdf", raw_pdf(HELLO + b" " * (16 << 20), flate=True))
    with pytest.raises(AlignError, match="decompression bomb"):
        pdf.read_pdf(bomb)
    assert pdf.read_pdf(write(tmp_path / "fine.pdf", raw_pdf(HELLO, flate=True))) == ["Hello world, this is a test."]


def test_docx_zip_bomb_is_refused_from_its_declared_sizes(tmp_path, monkeypatch):
    import zipfile

    import align.io.word as word

    monkeypatch.setattr(word, "MAX_INFLATED", 4 << 20)
    path = str(tmp_path / "bomb.docx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b" " * (8 << 20))
    with pytest.raises(AlignError, match="decompression bomb"):
        word.read_docx(path)


# --- 4. align publish: timeouts, retries, what it waits for --------------------------------------------------

@pytest.fixture(scope="module")
def dataset_folder(tmp_path_factory):
    from align.corpus.config import load_config
    from align.corpus.run import build_corpus
    from test_corpus import make_corpus

    root = tmp_path_factory.mktemp("pub")
    build_corpus(load_config(make_corpus(root)), str(root / "out"), progress=False)
    return str(root / "out")


@pytest.fixture
def silent_server():
    """A server on 127.0.0.1 that accepts every connection and never answers; yields (endpoint, connections)."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    held, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}", held
    stop.set()
    t.join(5)
    for c in held:
        c.close()
    srv.close()


@pytest.fixture
def fast_publish(monkeypatch):
    import align.publish as pub

    monkeypatch.setattr(pub, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(pub, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(pub, "BACKOFF", 0.05)
    monkeypatch.setattr(pub, "RETRIES", 2)
    yield pub
    from huggingface_hub import close_session

    close_session()  # the next user gets a fresh session


def test_publish_to_a_server_that_never_answers_times_out_and_retries(dataset_folder, silent_server, fast_publish):
    import time

    from huggingface_hub import HfApi

    endpoint, held = silent_server
    heard = []
    start = time.monotonic()
    with pytest.raises(AlignError, match="cannot reach the Hugging Face Hub.*3 attempts") as e:
        fast_publish.publish(dataset_folder, "org/name", "hf_x", api=HfApi(endpoint=endpoint, token="hf_x"),
                             say=heard.append)
    assert time.monotonic() - start < 30 and "\n" not in str(e.value)
    assert len(held) >= 1
    assert heard[0].startswith("creating the dataset repository org/name on " + endpoint)
    assert "waiting up to" in heard[0]
    assert sum("trying again" in h for h in heard) == 2


def test_publish_when_the_hub_answers_unexpected_json(dataset_folder, fast_publish):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from huggingface_hub import HfApi

    class Odd(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"[1, 2, 3]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Odd)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(AlignError, match="unexpected answer from the Hub") as e:
            fast_publish.publish(dataset_folder, "org/name", "hf_x",
                                 api=HfApi(endpoint=f"http://127.0.0.1:{srv.server_port}", token="hf_x"))
        assert "\n" not in str(e.value)
    finally:
        srv.shutdown()
        srv.server_close()


# --- 6. one stray byte does not turn a UTF-8 file into mojibake ----------------------------------------------

def test_utf8_file_with_a_stray_byte_stays_utf8_with_a_warning(tmp_path, capsys):
    from align.io import read_text

    good = (AR * 40).encode("utf-8")
    cut = good.index(b"\n", 300) + 1  # a line start: the stray byte damages nothing else
    path = write(tmp_path / "a.ar", good[:cut] + b"\xd8" + good[cut:])
    text = read_text(path)
    assert text == good[:cut].decode() + "\ufffd" + good[cut:].decode()  # not Windows-1256 mojibake
    err = capsys.readouterr().err
    line = good[:cut].count(b"\n") + 1
    assert f"1 byte(s) that are not UTF-8 replaced by U+FFFD: line {line} (byte {cut})" in err
    # a file that is Windows-1256 as a whole still is
    assert read_text(write(tmp_path / "b.ar", (AR * 40).encode("cp1256"))) == AR * 40


def test_pair_score_and_corpus_read_the_damaged_file_alike(tmp_path):
    import pyarrow.parquet as pq

    from test_corpus import PAIRS

    ar = [p[0].encode() for p in PAIRS]
    src = write(tmp_path / "a.ar", b"\n".join(ar[:5] + [b"\xd8" + ar[5]] + ar[6:]) + b"\n")
    tgt = write(tmp_path / "a.en", "".join(p[1] + "\n" for p in PAIRS))
    r = run("pair", src, tgt, "-o", tmp_path / "p.jsonl", "--src-lang", "ar", "--tgt-lang", "en", "--segmented",
            "--encoder", "lexical")
    assert r.exit_code == 0 and "not UTF-8" in r.output, r.output
    pair_src = [json.loads(l)["src"] for l in list(open(tmp_path / "p.jsonl", encoding="utf-8"))[1:]]
    tsv = write(tmp_path / "s.tsv", b"\t".join([AR.strip().encode() + b"\xd8", EN.strip().encode()]) + b"\n")
    r = run("score", tsv, "-o", tmp_path / "r.jsonl", "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical")
    assert r.exit_code == 0 and "not UTF-8" in r.output, r.output
    (scored,) = [json.loads(l) for l in open(tmp_path / "r.jsonl", encoding="utf-8")]
    assert scored["src"] == AR.strip() + "\ufffd"
    write(tmp_path / "m.csv", "doc_id,src,tgt\nd,a.ar,a.en\n")
    r = run("corpus", tmp_path / "m.csv", "-o", tmp_path / "out", "--src-lang", "ar", "--tgt-lang", "en",
            "--segmented", "--encoder", "lexical")
    assert r.exit_code == 0, r.output
    rows = pq.read_table(str(tmp_path / "out" / "data")).to_pylist()
    corpus_src = [r["translation"]["ar"] for r in rows]
    for texts in (pair_src, corpus_src):  # the same decoding: the stray byte replaced, no mojibake
        assert any("\ufffd" + PAIRS[5][0] in t for t in texts) and not any("ط§" in t for t in texts)


# --- 10. JSONL: "\n" is the only line break ------------------------------------------------------------------

def test_jsonl_with_unicode_line_separators_round_trips_through_eval_and_score(tmp_path):
    from align.eval import read_links

    src = write(tmp_path / "a.ar", "اعتمدت\u2028الجمعية العامة جدول الأعمال.\nعقد المجلس 25 جلسة\u2029في عام 2015.\n")
    tgt = write(tmp_path / "a.en",
                "The General Assembly\u2028adopted the agenda.\nThe Council held 25 meetings in 2015.\n")
    out = tmp_path / "p.jsonl"
    r = run("pair", src, tgt, "-o", out, "--src-lang", "ar", "--tgt-lang", "en", "--segmented", "--encoder", "lexical")
    assert r.exit_code == 0, r.output
    lines = open(out, encoding="utf-8", newline="").read().split("\n")
    assert lines[-1] == "" and any("\u2028" in l for l in lines)  # written raw, inside JSON strings
    links = [json.loads(l) for l in lines[1:-1]]  # every line one whole object
    assert read_links(str(out)) == [(tuple(l["src_ids"]), tuple(l["tgt_ids"])) for l in links]
    r = run("eval", out, out, "--json")
    assert r.exit_code == 0 and json.loads(r.output)["strict"]["f1"] == 1.0, r.output
    r = run("score", out, "-o", tmp_path / "r.jsonl", "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical")
    assert r.exit_code == 0, r.output
    rows = [json.loads(l) for l in open(tmp_path / "r.jsonl", encoding="utf-8")]
    assert [row["src"] for row in rows] == [l["src"] for l in links]  # U+2028 inside a segment kept


# --- 11/12. align eval: one-line errors, garbage refused -----------------------------------------------------

GOLD = "[0]:[0]\n[1]:[1]\n[2]:[]\n"


@pytest.mark.parametrize("pred, message", [
    ("[0]:[0]\n[1,,2]:[1]\n", "not a link line"),
    ("[0]:[0] junk\n", "not a link line"),
    ("[0]:[0]:0.5:x\n", "not a link line"),
    ('{"src_ids": "01", "tgt_ids": [0]}\n', "lists of sentence numbers"),
    ('{"src_ids": [0]}\n', "lists of sentence numbers"),
    ('{"src_ids": [0], "tgt_ids": [0]}\n{"src_ids": [0], "tgt_ids": [1]}\n', "in two links"),
    ("[0]:[0]\n[0]:[0]\n", "in two links"),
    ("[0]:[0]\n[7]:[1]\n", "out of range"),
    ('{"src_ids": [0], "tgt_ids": [0]\n', "not JSON"),
    ("[1, 2, 3]\n", "not a link line"),
    (b"\xff\xfe[\x000\x00]\x00:\x00[\x000\x00]\x00\n\x00", None),    # UTF-16 with a BOM: read
    (b"\x00\x01\x02\x03" * 50, "binary"),
])
def test_eval_refuses_garbage_in_one_line(tmp_path, pred, message):
    gold = write(tmp_path / "gold", GOLD)
    p = write(tmp_path / "pred", pred)
    r = run("eval", gold, p, "--json")
    if message is None:
        assert r.exit_code == 0 and json.loads(r.output)["strict"]["precision"] == 1.0, r.output
    else:
        assert message in one_line_error(r)


def test_eval_missing_prediction_file_is_an_error_not_zeros(tmp_path):
    write(tmp_path / "g" / "d1", GOLD)
    write(tmp_path / "g" / "d2", GOLD)
    write(tmp_path / "p" / "d1", GOLD)
    assert "no prediction for 1 gold file(s), e.g. d2" in one_line_error(run("eval", tmp_path / "g", tmp_path / "p"))
    assert "no such file" in one_line_error(run("eval", tmp_path / "g" / "d1", tmp_path / "nowhere"))


# --- 11. user errors are exit 2 with one line, found before the work ------------------------------------------

@pytest.fixture
def pair_files(tmp_path):
    from test_corpus import PAIRS

    return (write(tmp_path / "in" / "a.ar", "".join(p[0] + "\n" for p in PAIRS)),
            write(tmp_path / "in" / "a.en", "".join(p[1] + "\n" for p in PAIRS)))


def test_pair_output_problems_are_found_before_aligning(tmp_path, pair_files, monkeypatch):
    import align.pipeline

    def never(*a, **k):
        raise AssertionError("aligned before checking the outputs")

    monkeypatch.setattr(align.pipeline, "align_files", never)
    import align.formats

    (tmp_path / "folder.jsonl").mkdir()
    ro = tmp_path / "ro"
    ro.mkdir()
    real_access = os.access
    # a read-only folder, as an unprivileged user sees it (the tests may run as root, who writes anywhere)
    monkeypatch.setattr(align.formats.os, "access", lambda p, mode: real_access(p, mode) and str(p) != str(ro))
    base = ["pair", *pair_files, "--src-lang", "ar", "--tgt-lang", "en", "--segmented", "--encoder", "lexical"]
    assert "is a folder" in one_line_error(run(*base, "-o", tmp_path / "folder.jsonl"))
    assert "permission denied" in one_line_error(run(*base, "-o", ro / "out.jsonl"))
    assert "permission denied" in one_line_error(run(*base, "-o", ro / "new" / "deeper" / "out.jsonl"))


def test_score_outputs_checked_first_and_plot_folder_created(tmp_path):
    tsv = write(tmp_path / "s.tsv", "a 1\tb 1\n")
    base = ["score", tsv, "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical"]
    (tmp_path / "dir").mkdir()
    assert "is a folder" in one_line_error(run(*base, "-o", tmp_path / "dir"))
    assert "is a folder" in one_line_error(run(*base, "-o", tmp_path / "r.jsonl", "--plot", tmp_path / "dir"))
    r = run(*base, "-o", tmp_path / "r.jsonl", "--plot", tmp_path / "new" / "deeper" / "p.png")
    assert r.exit_code == 0, r.output
    assert open(tmp_path / "new" / "deeper" / "p.png", "rb").read(4) == b"\x89PNG"


def test_score_refuses_non_text_pairs(tmp_path):
    p = write(tmp_path / "p.jsonl", '{"src": 5, "tgt": "x"}\n')
    r = run("score", p, "-o", tmp_path / "r.jsonl", "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical")
    assert "must be text" in one_line_error(r)


@pytest.mark.parametrize("doc_id, message", [
    ("{name.upper}", "unknown placeholder"),
    ("{name!r}", "unknown placeholder"),
    ("{name[0]}", "unknown placeholder"),
    ("{name:>300000000}", "unknown placeholder"),
    ("{0}", "unknown placeholder"),
    ("{name", "bad placeholder"),
])
def test_recipe_templates_are_only_name_and_stem(tmp_path, doc_id, message):
    from align.corpus.config import load_config

    write(tmp_path / "ar" / "x.txt", AR)
    write(tmp_path / "en" / "x.txt", EN)
    head = "src_lang: ar\ntgt_lang: en\n"
    y = write(tmp_path / "c.yaml", head + f"inputs: [{{src: ar/*.txt, tgt: 'en/{{name}}', doc_id: '{doc_id}'}}]\n")
    with pytest.raises(AlignError, match=message):
        load_config(y)
    ok = write(tmp_path / "ok.yaml", head + "inputs: [{src: ar/*.txt, tgt: 'en/{stem}.txt', doc_id: 'd-{stem}'}]\n")
    assert [d.doc_id for d in load_config(ok).docs] == ["d-x"]


def test_disk_full_is_one_line_and_the_build_resumes(tmp_path, monkeypatch):
    import errno

    import align.formats
    import pyarrow.parquet as pq
    from test_corpus import make_corpus

    y = make_corpus(tmp_path / "in")
    real, calls = os.replace, []

    def full(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(align.formats.os, "replace", full)
    r = run("corpus", y, "-o", tmp_path / "out")
    assert "No space left on device" in one_line_error(r)
    monkeypatch.setattr(align.formats.os, "replace", real)
    assert not [n for d, _, names in os.walk(tmp_path / "out") for n in names if n.startswith(".tmp-")]
    r = run("corpus", y, "-o", tmp_path / "out")
    assert r.exit_code == 0 and "already done" in r.output, r.output
    assert len(pq.read_table(str(tmp_path / "out" / "data"))) > 0
    r = run("corpus", y, "-o", tmp_path / "clean")
    assert pq.read_table(str(tmp_path / "out" / "data")).equals(pq.read_table(str(tmp_path / "clean" / "data")))


def test_disk_full_in_a_library_writer_is_one_line(tmp_path, pair_files, monkeypatch):
    import errno

    import align.formats

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(align.formats, "write", full)
    monkeypatch.setattr("align.commands.pair.write", full)
    monkeypatch.setattr(align.formats.LinkWriter, "finish", full)  # `align pair` writes links as they come
    r = run("pair", *pair_files, "-o", tmp_path / "o.jsonl", "--src-lang", "ar", "--tgt-lang", "en", "--segmented",
            "--encoder", "lexical")
    assert "disk is full" in one_line_error(r)


# --- 12. garbage refused: manifests, options, filters -------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("doc_id,src,tgt,src\nd,a,b,c\n", "column 'src' twice"),
    ("doc_id,src,tgt,x,x\nd,a,b,1,2\n", "column 'x' twice"),
    ("doc_id,src,tgt\n  ,a,b\n", "must not be empty"),
])
def test_manifest_garbage_is_refused(tmp_path, text, message):
    m = write(tmp_path / "m.csv", text)
    assert message in one_line_error(run("corpus", m, "-o", tmp_path / "o", "--src-lang", "ar", "--tgt-lang", "en"))


@pytest.mark.parametrize("option", [
    ["--skip", "nan"], ["--skip", "inf"], ["--skip", "-100"], ["--max-link", "0"],
])
def test_aligner_options_out_of_range_are_refused(tmp_path, pair_files, option):
    r = run("pair", *pair_files, "-o", tmp_path / "o.jsonl", "--src-lang", "ar", "--tgt-lang", "en", *option)
    assert "aligner setting" in one_line_error(r)
    m = write(tmp_path / "in" / "m.csv", "doc_id,src,tgt\nd,a.ar,a.en\n")
    r = run("corpus", m, "-o", tmp_path / "out", "--src-lang", "ar", "--tgt-lang", "en", *option)
    assert "aligner setting" in one_line_error(r) and not os.path.exists(tmp_path / "out")


@pytest.mark.parametrize("option", [["--min-score", "nan"], ["--min-score", "-inf"], ["--max-length-ratio", "nan"],
                                    ["--max-length-ratio", "0.5"]])
def test_filter_options_must_be_numbers_in_range(tmp_path, pair_files, option):
    m = write(tmp_path / "in" / "m.csv", "doc_id,src,tgt\nd,a.ar,a.en\n")
    r = run("corpus", m, "-o", tmp_path / "out", "--src-lang", "ar", "--tgt-lang", "en", *option)
    assert "must be a number of at least" in one_line_error(r)


# --- 12. the vector cache: damaged rows dropped and encoded again, the file within its limit -----------------

@pytest.mark.parametrize("damage", ["truncated", "nan", "empty", "odd bytes"])
def test_damaged_cache_rows_are_dropped_and_encoded_again(tmp_path, damage, capsys):
    import sqlite3

    import numpy as np

    from align.encode.cache import CachedEncoder, VectorCache, key
    from test_encode_cache import FakeEncoder

    fake = FakeEncoder(dim=16)
    enc = CachedEncoder(fake, VectorCache(tmp_path))
    enc.encode(["a", "b", "c"])
    enc.cache.close()
    blob = {"truncated": fake.vec("b").tobytes()[:20], "nan": np.full(16, np.nan, np.float32).tobytes(),
            "empty": b"", "odd bytes": fake.vec("b").tobytes() + b"x"}[damage]
    with sqlite3.connect(enc.cache.path) as db:
        db.execute("UPDATE vec SET data = ? WHERE key = ?", (blob, key(fake.signature, "b")))
    enc = CachedEncoder(fake, VectorCache(tmp_path))
    fake.calls.clear()
    out = enc.encode(["a", "b", "c"])
    assert fake.calls == [["b"]]  # only the damaged one encoded again
    np.testing.assert_allclose(out, np.stack([fake.vec(t) for t in "abc"]), atol=1e-6)
    assert "1 damaged vector(s) dropped" in capsys.readouterr().err
    fake.calls.clear()
    enc.encode(["b"])
    assert fake.calls == []  # stored again, whole


def test_cache_file_stays_within_its_limit(tmp_path):
    from align.encode.cache import CachedEncoder, VectorCache
    from test_encode_cache import FakeEncoder

    limit = 4 << 20
    cache = VectorCache(tmp_path, max_bytes=limit)
    enc = CachedEncoder(FakeEncoder(dim=512), cache)  # 2 kB vectors, as USE's
    for batch in range(30):  # 30 MB of vectors, 7x the limit
        enc.encode([f"text {batch} {i}" for i in range(500)])
        assert os.path.getsize(cache.path) <= limit
    cache.close()  # the write-ahead log is folded in and removed
    assert os.path.getsize(cache.path) <= limit and not os.path.exists(str(cache.path) + "-wal")


# --- 5. memory and time: anchors chain in O(n log n), giant segments capped and split ------------------------

def _chain_quadratic(pairs):
    """The former implementation: the reference the fast one must equal, ties included."""
    best: list = []
    for i, j in pairs:
        options = [c for c in best if c[-1][0] < i and c[-1][1] < j]
        best.append(max(options, key=len, default=[]) + [(i, j)])
    return max(best, key=len, default=[])


def test_increasing_chain_equals_the_quadratic_one_and_is_fast():
    import random
    import time

    from align.pipeline import _increasing_chain

    rng = random.Random(15)
    for _ in range(500):
        pairs = sorted({(rng.randint(0, 12), rng.randint(0, 12)) for _ in range(rng.randint(0, 25))})
        assert _increasing_chain(pairs) == _chain_quadratic(pairs), pairs
    pairs = sorted({(i, i + rng.randint(-3, 3)) for i in range(50_000)})
    start = time.process_time()
    chain = _increasing_chain(pairs)
    assert time.process_time() - start < 5  # quadratic: 4.1 s for 8,000 anchors, hours for 50,000
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(chain, chain[1:])) and len(chain) > 20_000


def test_giant_sentences_are_split_and_encoders_see_a_bounded_prefix(tmp_path):
    from align.encode.base import MAX_ENCODED, Memo
    from align.io import read_document
    from align.segment import MAX_SENTENCE

    words = " ".join(f"word{k}" for k in range(60_000))  # ~500 kB, no sentence punctuation at all
    doc = read_document(write(tmp_path / "a.en", words + "\n"), "en")
    assert max(len(s) for s in doc.sentences) <= MAX_SENTENCE and len(doc.sentences) > 60
    assert " ".join(doc.sentences) == words  # nothing lost

    class Recorder:
        name, signature = "rec", "rec:1"
        seen: list = []

        def encode(self, texts):
            import numpy as np

            self.seen += texts
            return np.ones((len(texts), 4), np.float32)

    rec = Recorder()
    Memo(rec).encode([words, "short"])
    assert [len(t) for t in rec.seen] == [MAX_ENCODED, 5]


def test_numbers_of_a_long_segment_cost_linear_time():
    import time

    from align.score.numbers import quantities

    text = " ".join(f"Paragraph {k}. The Council held {k} meetings." for k in range(12_000))  # ~500 kB
    start = time.process_time()
    found = quantities(text)
    assert len(found) == 24_000
    assert time.process_time() - start < 10  # main searched all the text before each number: 51 s


def test_lexical_encoder_in_batches_gives_the_same_vectors(monkeypatch):
    import numpy as np

    import align.encode.lexical as lexical
    from test_corpus import PAIRS

    texts = [p[k] for p in PAIRS for k in (0, 1)] * 3
    whole = lexical.LexicalEncoder().encode(texts)
    monkeypatch.setattr(lexical, "BATCH", 5)  # bounded work arrays: 200,000 texts needed 1.5 GB at once
    assert np.array_equal(lexical.LexicalEncoder().encode(texts), whole)


def test_out_of_memory_says_so(tmp_path, pair_files, monkeypatch):
    def huge(*a, **k):
        raise MemoryError("Unable to allocate 5.3 GiB for an array with shape (4, 200000, 1658)")

    monkeypatch.setattr("align.pipeline.align_files", huge)
    r = run("pair", *pair_files, "-o", tmp_path / "o.jsonl", "--src-lang", "ar", "--tgt-lang", "en", "--encoder",
            "lexical")
    assert "out of memory (Unable to allocate 5.3 GiB" in one_line_error(r, Exit.INTERNAL)


def test_html_nested_beyond_the_stack_is_read(tmp_path):
    from align.io import read_paragraphs

    page = "<html><body>" + "<div>" * 50_000 + "<p>Hello world.</p>" + "</div>" * 50_000 + "<p>Bye.</p></body></html>"
    assert read_paragraphs(write(tmp_path / "deep.html", page)) == ["Hello world.", "Bye."]  # RecursionError before


def test_memo_returns_new_vectors_without_a_second_copy():
    import numpy as np

    from align.encode.base import Memo
    from align.encode.lexical import LexicalEncoder

    memo = Memo(LexicalEncoder())
    first = memo.encode(["a 1", "b 2", "c 3"])
    assert not first.flags.writeable  # the memo's own rows: shared, so read-only
    again = memo.encode(["c 3", "a 1", "a 1"])  # from the memo: a fresh array
    assert np.array_equal(again, first[[2, 0, 0]]) and again.flags.writeable
