"""align review in a real headless Chromium, driven over the DevTools protocol: keys pressed on the page, links
merged, split and moved, the saved file read back, and `align eval` against the gold gives 1.0."""

import json
import shutil
import subprocess
import threading
import time

import pytest

from align.eval import evaluate_paths
from align.review import store
from align.review.server import ReviewServer, Session

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
websocket = pytest.importorskip("websocket", reason="the browser test needs websocket-client (the test extra)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")

HOSTILE = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
SRC = ["المادة الأولى يولد جميع الناس أحرارا.", "وهم متساوون في الكرامة والحقوق.", "وقد وهبوا عقلا وضميرا.",
       "الجملة الرابعة.", "الجملة الخامسة.", "الجملة السادسة.", "الجملة السابعة.", "الجملة الثامنة.",
       "جملة لا ترجمة لها.", "الجملة العاشرة.", HOSTILE, "الجملة الثانية عشرة."]
TGT = ["Article 1. All human beings are born free and equal in dignity and rights.", "They are endowed with reason.",
       "The fourth sentence.", "The fifth sentence.", "The sixth sentence.", "The seventh sentence.",
       "The eighth sentence.", "The tenth sentence.", "The eleventh sentence.", "The twelfth sentence.",
       "An added sentence."]
GOLD = [([0, 1], [0]), ([2], [1]), ([3], [2]), ([4], [3]), ([5], [4]), ([6], [5]), ([7], [6]), ([8], []),
        ([9], [7]), ([10], [8]), ([11], [9]), ([], [10])]
# the alignment under review: the gold with five links broken, each fixed below with one key
PRED = [([0], [0]), ([1], []),               # a 2-1 link cut in two            -> m on link 1
        ([2], [1]),
        ([3, 4], [2, 3]),                    # two 1-1 links merged             -> s on link 4
        ([5], [4, 5]), ([6], []),            # a target segment one link early  -> } on link 5
        ([7, 8], [6]),                       # an omission swallowed            -> o on link 7
        ([9], [7]),
        ([10], []), ([11], [8, 9]),          # a target segment one link late   -> { on link 10
        ([], [10])]


def write_inputs(tmp_path):
    (tmp_path / "doc.ar.txt").write_text("\n".join(SRC) + "\n", encoding="utf-8")
    (tmp_path / "doc.en.txt").write_text("\n".join(TGT) + "\n", encoding="utf-8")
    (tmp_path / "gold.ladder").write_text("".join(f"{s}:{t}\n" for s, t in GOLD), encoding="utf-8")
    head = {"signature": "align:0.1.0|enc:tokens:test|seg:lines|mode:segmented|k.4", "src_path": "doc.ar.txt",
            "tgt_path": "doc.en.txt", "src_lang": "ar", "tgt_lang": "en",
            "quality": {"score": 0.7, "verdict": "usable"}}
    rows = [{"src": " ".join(SRC[i] for i in s), "tgt": " ".join(TGT[j] for j in t), "src_ids": s, "tgt_ids": t,
             "type": f"{len(s)}-{len(t)}", "level": "sentence", "score": 0.3 if (s, t) not in GOLD else 0.9,
             "flags": []} for s, t in PRED]
    path = tmp_path / "doc.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [head] + rows) + "\n", encoding="utf-8")
    return str(path)


class Browser:
    """Headless Chromium and one page, over the DevTools protocol on 127.0.0.1."""

    def __init__(self, tmp_path, url):
        profile = tmp_path / "profile"
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--window-size=1200,900", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.time() + 60
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1) and time.time() < deadline:
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        import urllib.request

        while time.time() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                pages = [t for t in json.load(r) if t["type"] == "page" and t["url"].startswith(url.split("?")[0])]
            if pages:
                break
            time.sleep(0.1)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.n = 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                assert "error" not in msg, msg
                return msg["result"]

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in r, r
        return r["result"].get("value")

    def wait(self, expr, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.js(expr):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expr}")

    def press(self, key):
        """A key as a user types it; waits until the page has the server's answer to an edit."""
        before = self.js("document.getElementById('message').textContent = ''; version")
        self.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=key if len(key) == 1 else "")
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key)
        if key not in "jkn?" and key not in ("ArrowDown", "ArrowUp"):
            self.wait(f"version > {before} || document.getElementById('message').textContent !== ''")

    def goto(self, link):
        """Put the cursor on link number `link` (0-based, document order) with j/k."""
        while self.js("view[cur]") != link:
            self.press("j" if self.js("view[cur]") < link else "k")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(30)


@pytest.fixture
def review(tmp_path):
    path = write_inputs(tmp_path)
    out = str(tmp_path / "doc.reviewed.jsonl")
    doc, items = store.load(path, out)
    srv = ReviewServer(Session(doc, items, out))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    browser = Browser(tmp_path, srv.url)
    browser.wait("typeof links !== 'undefined' && links.length > 0")
    yield srv, browser, path, out
    browser.close()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def saved_links(out):
    rows = [json.loads(l) for l in open(out, encoding="utf-8")]
    return [(r["src_ids"], r["tgt_ids"], r["review"]["status"]) for r in rows[1:]]


def test_fix_five_broken_links_with_the_keyboard(review, tmp_path):
    srv, b, path, out = review
    assert b.js("document.getElementById('progress').textContent") == "0 of 11 links reviewed"
    # Arabic right to left, English left to right, hostile text shown as text and never run
    assert b.js("[...document.querySelectorAll('tr.link td[dir]')].slice(0, 2).map(td => td.dir + ':' + td.lang)") == \
        ["rtl:ar", "ltr:en"]
    b.goto(8)
    assert b.js("document.querySelector('tr.cur td[dir=rtl]').textContent") == HOSTILE
    assert b.js("document.querySelectorAll('img, tbody script').length") == 0 and b.js("document.title") != "owned"

    b.goto(0)
    b.press("n")                         # the next doubtful unreviewed link: [1]:[] scores 0.3
    assert b.js("view[cur]") == 1
    b.goto(0)
    b.press("a")                         # link 0 is half of the 2-1 link: approved by mistake ...
    assert saved_links(out)[0][2] == "approved"
    b.press("u")                         # ... and undone
    assert saved_links(out)[0][2] == "unreviewed" and b.js("view[cur]") == 0
    b.press("m")                         # 1. merge links 0 and 1 -> [0,1]:[0]
    b.goto(2)
    b.press("s")                         # 2. split [3,4]:[2,3] -> [3]:[2] + [4]:[3]
    b.goto(4)
    b.press("}")                         # 3. [5]:[4,5] gives target 5 to [6]:[] -> [5]:[4] + [6]:[5]
    b.goto(6)
    b.press("o")                         # 4. [7,8]:[6] -> [7]:[6] + [8]:[] (no counterpart)
    b.goto(10)
    b.press("{")                         # 5. [11]:[8,9] gives target 8 to [10]:[] -> [10]:[8] + [11]:[9]
    b.press("n")                         # every broken link is fixed: nothing doubtful is left
    assert b.js("document.getElementById('message').textContent") == "no doubtful unreviewed link left in this view"
    for _ in range(b.js("links.length")):   # approve whatever is left, from the top
        if b.js("links.every(l => l.status !== 'unreviewed')"):
            break
        b.goto(b.js("links.findIndex(l => l.status === 'unreviewed')"))
        b.press("a")

    assert b.js("document.getElementById('progress').textContent") == "12 of 12 links reviewed"
    got = [(tuple(s), tuple(t)) for s, t, _ in saved_links(out)]
    assert got == [(tuple(s), tuple(t)) for s, t in GOLD]
    assert [st for _, _, st in saved_links(out)] == ["corrected", "approved", "corrected", "corrected", "corrected",
                                                     "corrected", "corrected", "corrected", "approved", "corrected",
                                                     "corrected", "approved"]
    gold = str(tmp_path / "gold.ladder")
    assert evaluate_paths(gold, out)["strict"]["f1"] == 1.0        # the reviewed file as the prediction ...
    assert evaluate_paths(out, gold)["strict"]["f1"] == 1.0        # ... and as the gold
    assert evaluate_paths(gold, path)["strict"]["f1"] < 0.6        # the alignment it came from is untouched
    # re-opening resumes: a new page shows the same state
    b.call("Page.reload")
    b.wait("typeof links !== 'undefined' && links.length === 12")
    assert b.js("document.getElementById('progress').textContent") == "12 of 12 links reviewed"


def test_filter_sort_and_paging(review):
    srv, b, path, out = review
    b.js("document.getElementById('filter').value = 'doubtful'; document.getElementById('filter')"
         ".dispatchEvent(new Event('change'))")
    doubtful = [i for i, (s, t) in enumerate(PRED) if (s, t) not in GOLD]
    assert b.js("[...document.querySelectorAll('tr.link')].map(r => +r.dataset.index)") == doubtful
    b.press("r")                         # reject the first doubtful one: the cursor moves to the next
    assert b.js("view[cur]") == doubtful[1] and saved_links(out)[doubtful[0]][2] == "rejected"
    b.js("document.getElementById('filter').value = 'all'; document.getElementById('sort').value = 'score';"
         "document.getElementById('sort').dispatchEvent(new Event('change'))")
    scores = b.js("[...document.querySelectorAll('tr.link')].map(r => +r.dataset.score)")
    assert scores == sorted(scores) and len(scores) == len(PRED)
    assert b.js("document.querySelectorAll('tr.para').length") == 0      # groups only in document order
    assert b.js("document.getElementById('page').textContent").startswith("page 1 of 1 · 11 links shown")


def test_keys_typed_faster_than_the_server_answers_apply_in_order(review):
    srv, b, path, out = review
    for key in "aaa":    # no waiting between the keys
        b.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=key)
    b.wait("version === 3")
    assert [st for _, _, st in saved_links(out)][:4] == ["approved"] * 3 + ["unreviewed"]
    assert b.js("view[cur]") == 3 and b.js("document.getElementById('message').textContent") == ""
