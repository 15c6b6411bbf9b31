"""align review: reading, resuming and saving a review, the lock, and the local web app (token, one output file,
escaping). The browser itself is driven in test_review_browser.py."""

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from align.errors import AlignError
from align.review import store
from align.review.edits import apply, merge
from align.review.server import ReviewServer, Session

HOSTILE = '<script>alert("x")</script> نص'
SIGNATURE = "align:0.1.0|enc:tokens:test|seg:lines|mode:segmented|k.4"


def write_alignment(tmp_path, with_inputs=True, hierarchical=False):
    """A small `align pair` JSONL: src lines s0..s5 (s3 hostile), tgt lines t0..t4."""
    src = ["s zero.", "s one", "s two", HOSTILE, "s four", "s five"]
    tgt = ["t zero.", "t one two", "t three", "t four", "t five"]
    if with_inputs:
        (tmp_path / "doc.ar.txt").write_text("\n".join(src) + "\n", encoding="utf-8")
        (tmp_path / "doc.en.txt").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    pairs = [([0], [0]), ([1, 2], [1]), ([3], [2]), ([4], []), ([], [3]), ([5], [4])]
    head = {"signature": SIGNATURE, "src_path": "doc.ar.txt", "tgt_path": "doc.en.txt", "src_lang": "ar",
            "tgt_lang": "en", "quality": {"score": 0.8, "verdict": "usable"}}
    rows = []
    if hierarchical:
        rows += [{"src": "", "tgt": "", "src_ids": [0], "tgt_ids": [0], "type": "1-1", "level": "paragraph",
                  "score": 0.9, "flags": []},
                 {"src": "", "tgt": "", "src_ids": [1], "tgt_ids": [1], "type": "1-1", "level": "paragraph",
                  "score": 0.8, "flags": []}]
    for k, (s, t) in enumerate(pairs):
        row = {"src": " ".join(src[i] for i in s), "tgt": " ".join(tgt[j] for j in t), "src_ids": s, "tgt_ids": t,
               "type": f"{len(s)}-{len(t)}", "level": "sentence", "score": round(0.95 - 0.1 * k, 2),
               "flags": [{"check": "numbers", "severity": "major", "message": "<b>7</b>"}] if k == 2 else []}
        if hierarchical:
            row["paragraph"] = 0 if k < 2 else 1
        rows.append(row)
    path = tmp_path / "doc.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [head] + rows) + "\n", encoding="utf-8")
    return str(path)


def pairs(items):
    return [(tuple(it.link.src_ids), tuple(it.link.tgt_ids)) for it in items]


def test_segment_texts_come_from_the_input_file_else_stay_a_block(tmp_path):
    path = write_alignment(tmp_path)
    doc, items = store.load(path, str(tmp_path / "out.jsonl"))
    assert doc.level == "sentence" and [it.status for it in items] == ["unreviewed"] * 6
    assert (doc.texts.src.single[1], doc.texts.src.single[2]) == ("s one", "s two") and not doc.texts.src.blocks
    os.remove(tmp_path / "doc.ar.txt")
    doc, _ = store.load(path, str(tmp_path / "out.jsonl"))
    # "s one s two" has no sentence end: the splitter cannot cut it either
    assert dict(doc.texts.src.blocks) == {(1, 2): "s one s two"} and 1 not in doc.texts.src.single


def test_the_sentence_splitter_recovers_boundaries_when_the_file_is_gone(tmp_path):
    path = write_alignment(tmp_path, with_inputs=False)
    text = open(path, encoding="utf-8").read().replace('"s one s two"', '"First one. Second one."')
    open(path, "w", encoding="utf-8").write(text)
    doc, _ = store.load(path, str(tmp_path / "out.jsonl"))
    assert (doc.texts.src.single[1], doc.texts.src.single[2]) == ("First one.", "Second one.")


def test_save_then_resume(tmp_path):
    path, out = write_alignment(tmp_path), str(tmp_path / "doc.reviewed.jsonl")
    before = open(path, "rb").read()
    doc, items = store.load(path, out)
    items = apply(items, merge(items, 3, doc.texts, "2026-12-02T05:00:00Z"))
    store.save(doc, items, out)
    rows = [json.loads(l) for l in open(out, encoding="utf-8")]
    assert rows[0]["review"] == {"of": "doc.jsonl", "level": "sentence", "links": 5, "reviewed": 1,
                                 "at": "2026-12-02T05:00:00Z"}
    assert rows[0]["signature"] == SIGNATURE
    merged = rows[4]
    assert (merged["src_ids"], merged["tgt_ids"], merged["src"], merged["tgt"]) == ([4], [3], "s four", "t four")
    assert merged["review"] == {"status": "corrected", "at": "2026-12-02T05:00:00Z", "replaces": [
        {"src": "s four", "tgt": "", "src_ids": [4], "tgt_ids": [], "score": 0.65},
        {"src": "", "tgt": "t four", "src_ids": [], "tgt_ids": [3], "score": 0.55}]}
    assert rows[1]["review"] == {"status": "unreviewed", "at": None}
    doc2, again = store.load(path, out)
    assert again == items and open(path, "rb").read() == before


def test_resume_refuses_the_review_of_another_alignment(tmp_path):
    path, out = write_alignment(tmp_path), tmp_path / "doc.reviewed.jsonl"
    doc, items = store.load(path, str(out))
    store.save(doc, items, str(out))
    out.write_text(out.read_text(encoding="utf-8").replace(SIGNATURE, "align:other"), encoding="utf-8")
    with pytest.raises(AlignError, match="review of another alignment"):
        store.load(path, str(out))


def test_paragraph_links_are_kept_and_approved_when_all_their_sentences_are(tmp_path):
    path, out = write_alignment(tmp_path, hierarchical=True), str(tmp_path / "r.jsonl")
    doc, items = store.load(path, out)
    assert len(doc.context) == 2 and len(items) == 6
    from align.review.edits import set_status

    for i in (0, 1):
        items = apply(items, set_status(items, i, "approved", "2026-12-02T05:00:00Z"))
    rows = store.rows(doc, items)
    assert [r["review"]["status"] for r in rows[1:3]] == ["approved", "unreviewed"]
    assert [r["level"] for r in rows[1:]] == ["paragraph"] * 2 + ["sentence"] * 6


def test_not_an_alignment_is_refused(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text("not json\n")
    with pytest.raises(AlignError, match="not JSON"):
        store.load(str(bad), str(tmp_path / "o.jsonl"))
    bad.write_text('{"signature": "x"}\n')
    with pytest.raises(AlignError, match="no links"):
        store.load(str(bad), str(tmp_path / "o.jsonl"))


def test_the_lock_refuses_a_second_review_and_names_the_holder(tmp_path):
    out = str(tmp_path / "r.jsonl")
    with store.review_lock(out):
        with pytest.raises(AlignError, match=f"process {os.getpid()}"):
            with store.review_lock(out):
                pass
    with store.review_lock(out):   # released: a later review may start
        pass


@pytest.fixture
def server(tmp_path):
    path, out = write_alignment(tmp_path), str(tmp_path / "doc.reviewed.jsonl")
    doc, items = store.load(path, out)
    srv = ReviewServer(Session(doc, items, out))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def call(srv, path, body=None, token="ok", host=None, raw=None):
    headers = {"X-Review-Token": srv.token if token == "ok" else token}
    if host:
        headers["Host"] = host
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{srv.port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def test_server_listens_on_loopback_only_with_a_long_random_token(server):
    assert server.server_address[0] == "127.0.0.1"
    assert len(server.token) >= 40 and server.url.startswith(f"http://127.0.0.1:{server.port}/?token=")


def test_every_request_without_the_token_is_refused(server):
    assert call(server, "/", token="")[0] == 403                         # the page: token in the query
    assert call(server, "/?token=wrong")[0] == 403
    assert call(server, f"/?token={server.token}")[0] == 200
    assert call(server, "/api/state", token="")[0] == 403
    assert call(server, "/api/state", token=server.token[:-1] + "x")[0] == 403
    status, body = call(server, "/api/edit", {"op": "reject", "index": 0, "version": 0}, token="nope")
    assert status == 403 and "forbidden" in body
    assert call(server, "/api/state", host="evil.example:80")[0] == 403      # DNS rebinding
    assert not os.path.exists(server.session.output) or "rejected" not in open(server.session.output).read()


def test_edits_write_only_the_output_file(server, tmp_path):
    before = {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)}
    status, body = call(server, "/api/edit", {"op": "merge", "index": 3, "version": 0})
    assert status == 200
    d = json.loads(body)
    assert d["patch"]["start"] == 3 and d["patch"]["removed"] == 2 and d["version"] == 1
    assert (d["reviewed"], d["total"]) == (1, 5)
    after = set(os.listdir(tmp_path))
    assert after - set(before) == {"doc.reviewed.jsonl"}
    assert all((tmp_path / p).read_bytes() == b for p, b in before.items())    # the alignment is untouched
    rows = [json.loads(l) for l in open(server.session.output, encoding="utf-8")]
    assert [(r["src_ids"], r["tgt_ids"]) for r in rows[1:]] == [([0], [0]), ([1, 2], [1]), ([3], [2]), ([4], [3]),
                                                                ([5], [4])]
    # no request can name a file: other paths are 404 whatever they say
    for path in ("/api/save?path=/tmp/x", "/../../etc/passwd", "/api/edit/../state"):
        assert call(server, path, {"version": 1})[0] == 404


def test_undo_stale_versions_and_bad_edits(server):
    assert call(server, "/api/edit", {"op": "split", "index": 1, "version": 0})[0] == 200
    status, body = call(server, "/api/edit", {"op": "approve", "index": 0, "version": 0})
    assert status == 409 and "out of date" in json.loads(body)["error"]
    status, body = call(server, "/api/edit", {"op": "merge", "index": 99, "version": 1})
    assert status == 400 and "no link 100" in json.loads(body)["error"]
    status, body = call(server, "/api/undo", {"version": 1})
    assert status == 200 and json.loads(body)["patch"] == {"start": 1, "removed": 2, "inserted": [json.loads(
        call(server, "/api/state")[1])["links"][1]]}
    assert pairs(server.session.items)[1] == ((1, 2), (1,))
    assert json.loads(call(server, "/api/undo", {"version": 2})[1])["error"] == "nothing to undo"
    status, body = call(server, "/api/edit", raw=b"{not json")
    assert status == 400 and json.loads(body)["error"] == "not JSON"


def test_text_reaches_the_page_only_as_json_data(server):
    status, page = call(server, f"/?token={server.token}")
    assert status == 200 and "alert(" not in page and "<b>7</b>" not in page   # no link text in the markup
    state = json.loads(call(server, "/api/state")[1])
    assert state["links"][2]["src"] == HOSTILE and state["links"][2]["flags"][0]["message"] == "<b>7</b>"
    assert page.count("<script") == 2 and "textContent" in page and ".innerHTML" not in page


def test_page_header_escapes_the_file_names(tmp_path):
    path = write_alignment(tmp_path)
    text = open(path, encoding="utf-8").read().replace('"doc.ar.txt"', '"<img src=x onerror=alert(1)>.txt"', 1)
    open(path, "w", encoding="utf-8").write(text)
    from align.review.page import page

    doc, _ = store.load(path, str(tmp_path / "o.jsonl"))
    html = page(doc, "o.jsonl", "n0nce")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.txt" in html


def test_cli_prints_the_address_refuses_a_second_review_and_stops_on_ctrl_c(tmp_path):
    path = write_alignment(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    cmd = [sys.executable, "-m", "align", "review", path]
    # Ctrl-C as a terminal sends it, even when this test runs in a background job (SIGINT ignored, and inherited so)
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines = [first.stdout.readline() for _ in range(2)]
        assert "0 of 6 links reviewed; saving to" in lines[0] and lines[0].rstrip().endswith("doc.reviewed.jsonl")
        url = lines[1].split()[-1]
        assert url.startswith("http://127.0.0.1:") and "token=" in url
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200
        second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert second.returncode == 2
        assert f"being reviewed by another `align review` (process {first.pid})" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert "0 of 6 links reviewed, saved in" in out


def test_a_real_two_level_alignment_splits_everywhere_with_or_without_its_inputs(tmp_path):
    from align.encode import get_encoder
    from align.formats import write
    from align.pipeline import align_files
    from align.review.edits import split

    seeds = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds")
    src, tgt = os.path.join(seeds, "udhr_arb.txt"), os.path.join(seeds, "udhr_eng.txt")
    al = align_files(src, tgt, "ar", "en", encoder=get_encoder("lexical"))
    path = str(tmp_path / "udhr.jsonl")
    write(al, path, "jsonl")
    doc, items = store.load(path, str(tmp_path / "r.jsonl"))
    assert doc.level == "sentence"
    assert len(doc.context) == len(al.at("paragraph")) and len(items) == len(al.at("sentence"))
    multi = [k for k, it in enumerate(items) if len(it.link.src_ids) + len(it.link.tgt_ids) > 2]
    assert len(multi) >= 3
    for k in multi:     # every cut gives the link's own text back, piece by piece
        a, b = apply(items, split(items, k, doc.texts, "t"))[k:k + 2]
        assert " ".join(x for x in (a.link.src, b.link.src) if x) == items[k].link.src
        assert " ".join(x for x in (a.link.tgt, b.link.tgt) if x) == items[k].link.tgt
    # the inputs gone: the sentence splitter finds the same boundaries
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    rows[0]["src_path"] = rows[0]["tgt_path"] = str(tmp_path / "gone.txt")
    open(path, "w", encoding="utf-8").write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    gone, _ = store.load(path, str(tmp_path / "r.jsonl"))
    assert gone.texts == doc.texts


def test_serve_refuses_to_write_the_alignment_itself_or_a_busy_port(tmp_path):
    import socket

    from align.review.server import serve

    path = write_alignment(tmp_path)
    with pytest.raises(AlignError, match="must not be the alignment itself"):
        serve(path, path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(AlignError, match=f"cannot listen on 127.0.0.1:{s.getsockname()[1]}"):
            serve(path, str(tmp_path / "r.jsonl"), port=s.getsockname()[1], echo=lambda *_: None)
    assert not os.path.exists(tmp_path / "r.jsonl")                     # nothing written
    assert open(tmp_path / "r.jsonl.lock").read() == ""                 # and the lock released


def test_the_reviewed_file_is_still_an_align_pair_jsonl(tmp_path):
    from align.score.pairs import read_aligned_pairs

    path, out = write_alignment(tmp_path), str(tmp_path / "doc.reviewed.jsonl")
    doc, items = store.load(path, out)
    store.save(doc, apply(items, merge(items, 0, doc.texts, "t")), out)
    pairs = read_aligned_pairs(out, "ar", "en")      # what `align score` reads
    assert [(p["src"], p["tgt"], p["review"]["status"]) for p in pairs[:2]] == [
        ("s zero. s one s two", "t zero. t one two", "corrected"), (HOSTILE, "t three", "unreviewed")]


def test_dataset_part_is_the_review_without_its_rejected_links(tmp_path):
    from align.review.edits import set_status

    path, out = write_alignment(tmp_path, hierarchical=True), str(tmp_path / "r.jsonl")
    doc, items = store.load(path, out)
    items = apply(items, merge(items, 3, doc.texts, "t"))
    items = apply(items, set_status(items, 0, "rejected", "t"))
    store.save(doc, items, out)
    part = store.dataset_part(out, "doc-1")
    assert (part["doc_id"], part["signature"], part["quality"]["verdict"]) == ("doc-1", SIGNATURE, "usable")
    assert [(l["level"], l["src_ids"], l["tgt_ids"], l["review"]["status"]) for l in part["links"]] == [
        ("paragraph", [0], [0], "unreviewed"), ("paragraph", [1], [1], "unreviewed"),
        ("sentence", [1, 2], [1], "unreviewed"), ("sentence", [3], [2], "unreviewed"),
        ("sentence", [4], [3], "corrected"), ("sentence", [5], [4], "unreviewed")]
    with pytest.raises(AlignError, match="not a reviewed file"):
        store.dataset_part(path, "doc-1")
