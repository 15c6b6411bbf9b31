"""The HTML review view: self-contained, escaped, right-to-left where needed, rendered by headless Chromium."""

import html.parser
import os
import shutil
import subprocess

import pytest

from align.formats.html import render, score_colour, write_html
from align.links import Alignment, Link
from align.score.quality import document_quality

HOSTILE_SRC = '<script>alert("src")</script> نص'
HOSTILE_TGT = "<img src=x onerror=alert(1)> text"


def alignment():
    links = [
        Link([0], [0], 0.93, src="المقرر عقدها يوم الجمعة 6 آذار/مارس 2015، الساعة 12:40",
             tgt="To be held on Friday, 6 March 2015, at 12.40 p.m."),
        Link([1], [1], 0.41, src=HOSTILE_SRC, tgt=HOSTILE_TGT,
             flags=[{"check": "numbers", "severity": "major", "message": "number <b>7</b> missing"}]),
        Link([2], [], 0.8, src="فقرة لم تترجم.",
             flags=[{"check": "omission", "severity": "major", "message": "source segment has no translation"}]),
        Link([], [2], 0.7, tgt="An added sentence.",
             flags=[{"check": "addition", "severity": "major", "message": "target segment has no source"}]),
        Link([3, 4], [3], 0.12, src="جملة أولى. جملة ثانية.", tgt="One sentence."),
    ]
    return Alignment(links, 'align:0.1|enc:use-m3|<sig "x">', "ar", "en", "doc.ar.txt", "doc.en.txt")


class Rows(html.parser.HTMLParser):
    """Collects the rows of the links table and the attributes of every cell."""

    def __init__(self):
        super().__init__()
        self.rows, self.cells, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "tr" and "link" in attrs.get("class", ""):
            self.rows.append(attrs)
        if tag == "td":
            self.cells.append(attrs)


def parse(page):
    p = Rows()
    p.feed(page)
    return p


def test_hostile_text_is_escaped():
    page = render(alignment())
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>7</b>" not in page
    assert "&lt;script&gt;alert(&quot;src&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;sig &quot;x&quot;&gt;" in page
    # the only script element is the page's own filter
    assert [t for t, _ in parse(page).tags].count("script") == 1


def test_one_row_per_link_with_direction_per_language():
    p = parse(render(alignment()))
    assert len(p.rows) == 5
    assert [r["data-type"] for r in p.rows] == ["1-1", "1-1", "1-0", "0-1", "2-1"]
    text_cells = [c for c in p.cells if "dir" in c]
    assert {c["lang"]: c["dir"] for c in text_cells} == {"ar": "rtl", "en": "ltr"}


def test_flags_omissions_and_scores_are_marked():
    p = parse(render(alignment()))
    classes = [r["class"].split() for r in p.rows]
    assert ["flagged" in c for c in classes] == [False, True, True, True, False]
    assert ["omission" in c for c in classes] == [False, False, True, True, False]
    assert [r["data-score"] for r in p.rows] == ["0.9300", "0.4100", "0.8000", "0.7000", "0.1200"]
    assert p.rows[0]["style"] == f"background:{score_colour(0.93)}"
    page = render(alignment())
    assert "not translated: omitted from the target (1-0)" in page
    assert "no source: added in the target (0-1)" in page
    assert 'id="only-flagged"' in page


def test_score_colour_runs_from_red_to_green():
    assert score_colour(0) == "hsl(0,70%,88%)" and score_colour(1) == "hsl(120,70%,88%)"
    assert score_colour(7) == score_colour(1)


def test_quality_and_signature_at_the_top():
    page = render(alignment())
    head = page[: page.index("<table")]
    assert "Document quality" in head and "align:0.1|enc:use-m3|" in head
    quality = document_quality(alignment())
    assert f"<b>{quality['score']:.2f}</b> {quality['verdict']}" in head


def test_self_contained():
    p = parse(render(alignment()))
    for tag, attrs in p.tags:
        for key in ("src", "href"):
            assert key not in attrs, f"<{tag} {key}=...> would load a resource"
    assert tag != "link"


def test_write_html_to_path_and_file(tmp_path):
    path = tmp_path / "review.html"
    write_html(alignment(), str(path))
    with open(tmp_path / "other.html", "w", encoding="utf-8") as f:
        write_html(alignment(), f)
    assert path.read_text(encoding="utf-8") == (tmp_path / "other.html").read_text(encoding="utf-8")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(tmp_path, url, *args):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,800", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


@pytest.mark.skipif(CHROMIUM is None, reason="headless browser test needs Debian's chromium (apt-get install chromium)")
def test_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "review.html"
    write_html(alignment(), str(page))
    url = page.as_uri()
    dom = chromium(tmp_path, url, "--dump-dom").stdout
    # after the page's script ran: every row is shown and counted, the hostile text stayed text
    p = parse(dom)
    assert len(p.rows) == 5
    assert '<span id="shown">5</span>' in dom
    assert "&lt;script&gt;alert" in dom and "<img src=" not in dom
    # the filter: only the three flagged links remain visible
    dom = chromium(tmp_path, url + "#flagged", "--dump-dom").stdout
    assert '<span id="shown">3</span>' in dom and 'class="only-flagged"' in dom
    shot = tmp_path / "review.png"
    chromium(tmp_path, url, f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    if os.environ.get("ALIGN_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["ALIGN_KEEP_SCREENSHOT"])
