"""The review view: one self-contained HTML page (inline CSS and JS, nothing fetched) for checking an alignment.
Opening it as ``review.html#flagged`` starts with only the flagged links shown.

Source and target side by side, each cell in its language's direction (Arabic right-to-left), each row
coloured by its link score, flags with their messages, omitted and added segments (1-0 / 0-1) marked, a filter
for flagged links, and the signature and document quality at the top. Every piece of input text is escaped.
"""

from __future__ import annotations

import html
import os

from align.links import Alignment, Link
from align.score.flags import RANK, worst

RTL = {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"}

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{padding:12px 18px;background:#fff;border-bottom:1px solid #ddd;position:sticky;top:0;z-index:1}
h1{font-size:18px;margin:0 0 4px}
.meta{color:#555;font-size:13px;word-break:break-all}
.quality b{font-size:16px}
.controls{margin-top:6px;font-size:14px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th{background:#eee;font-size:13px;text-align:start;padding:4px 8px}
td{padding:6px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top;overflow-wrap:anywhere}
col.n{width:4.5em}col.score{width:5em}col.flags{width:24%}
td.n{color:#777;font-size:12px}
td.score{font-weight:600;font-variant-numeric:tabular-nums}
td[dir=rtl]{font-size:16px}
td.missing{color:#999;font-style:italic;background:repeating-linear-gradient(45deg,#f4f4f4 0 6px,#e9e9e9 6px 12px)}
tr.omission td.score{outline:2px dashed #b00;outline-offset:-3px}
ul.flags{margin:0;padding:0;list-style:none;font-size:13px}
.sev{display:inline-block;border-radius:3px;padding:0 4px;margin-inline-end:4px;color:#fff;font-size:11px}
.sev.critical{background:#8b0000}.sev.major{background:#d9480f}.sev.minor{background:#7a7a7a}
body.only-flagged tr.link:not(.flagged){display:none}
"""

JS = """
const box = document.getElementById('only-flagged');
const shown = document.getElementById('shown');
function update(){
  document.body.classList.toggle('only-flagged', box.checked);
  shown.textContent = [...document.querySelectorAll('tr.link')].filter(r => r.offsetParent !== null).length;
}
box.addEventListener('change', update);
if (location.hash === '#flagged') box.checked = true;   // a link straight to the flagged links
update();
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def score_colour(score: float) -> str:
    """Red (0) through yellow to green (1), pale enough to read text on."""
    score = min(1.0, max(0.0, float(score)))
    return f"hsl({round(score * 120)},70%,88%)"


def direction(lang: str) -> str:
    return "rtl" if lang.split("-")[0].lower() in RTL else "ltr"


def _cell(text: str, ids: list[int], lang: str, what: str) -> str:
    if not ids:
        return f'<td class="missing">{_e(what)}</td>'
    return f'<td lang="{_e(lang)}" dir="{direction(lang)}">{_e(text)}</td>'


def _row(n: int, link: Link, src_lang: str, tgt_lang: str) -> str:
    classes = ["link"]
    if link.flags:
        classes.append("flagged")
    if not link.src_ids or not link.tgt_ids:
        classes.append("omission")
    flags = "".join(
        f'<li><span class="sev {_e(f["severity"])}">{_e(f["severity"])}</span>'
        f'<b>{_e(f["check"])}</b>: {_e(f["message"])}</li>'
        for f in sorted(link.flags, key=lambda f: RANK.get(f["severity"], 9))
    )
    ids = f'{",".join(map(str, link.src_ids)) or "–"} : {",".join(map(str, link.tgt_ids)) or "–"}'
    return (
        f'<tr class="{" ".join(classes)}" data-score="{link.score:.4f}" data-type="{_e(link.type)}" '
        f'data-severity="{_e(worst(link.flags) or "")}" style="background:{score_colour(link.score)}">'
        f'<td class="n" title="source : target segment numbers">{n}<br>{_e(ids)}</td>'
        f'<td class="score">{link.score:.2f}</td>'
        + _cell(link.src, link.src_ids, src_lang, "no source: added in the target (0-1)")
        + _cell(link.tgt, link.tgt_ids, tgt_lang, "not translated: omitted from the target (1-0)")
        + f'<td><ul class="flags">{flags}</ul></td></tr>'
    )


def title(alignment: Alignment) -> str:
    return " / ".join(os.path.basename(p) for p in (alignment.src_path, alignment.tgt_path) if p) or "alignment"


def header(alignment: Alignment, quality: dict, controls: str) -> str:
    """The top of the page (title, files, signature, document quality), then `controls` (markup, escaped by
    the caller). Shared with the editing page of `align review`."""
    score = quality.get("score")
    src = f"{_e(alignment.src_path or '')} ({_e(alignment.src_lang)})"
    tgt = f"{_e(alignment.tgt_path or '')} ({_e(alignment.tgt_lang)})"
    shown = "–" if score is None else f"{score:.2f}"
    return f"""<header>
<h1>{_e(title(alignment))}</h1>
<div class="meta">{src} ↔ {tgt}</div>
<div class="meta" id="signature">{_e(alignment.signature)}</div>
<div class="quality" id="quality">Document quality: <b>{shown}</b> {_e(quality.get("verdict", ""))}</div>
<div class="controls">{controls}</div>
</header>"""


def table_head(alignment: Alignment) -> str:
    src, tgt = _e(alignment.src_lang), _e(alignment.tgt_lang)
    return f"""<colgroup><col class="n"><col class="score"><col><col><col class="flags"></colgroup>
<thead><tr><th>#</th><th>score</th><th>source ({src})</th><th>target ({tgt})</th><th>flags</th></tr></thead>"""


def render(alignment: Alignment) -> str:
    from align.score.quality import document_quality, finest_links

    links = finest_links(alignment)
    quality = alignment.quality or document_quality(alignment)
    flagged = sum(bool(l.flags) for l in links)
    omissions = sum(not l.src_ids or not l.tgt_ids for l in links)
    rows = "\n".join(_row(i + 1, l, alignment.src_lang, alignment.tgt_lang) for i, l in enumerate(links))
    controls = (f'<label><input type="checkbox" id="only-flagged"> only flagged links</label>\n'
                f' · <span id="shown">{len(links)}</span> of {len(links)} {_e(links[0].level if links else "")} '
                'links shown\n'
                f' · {flagged} flagged · {omissions} omitted or added')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title(alignment))} – align review</title>
<style>{CSS}</style></head>
<body>
{header(alignment, quality, controls)}
<table>
{table_head(alignment)}
<tbody>
{rows}
</tbody></table>
<script>{JS}</script>
</body></html>
"""


def write_html(alignment: Alignment, path_or_file) -> None:
    """Write the review page to a path or an open text file."""
    page = render(alignment)
    if hasattr(path_or_file, "write"):
        path_or_file.write(page)
        return
    with open(path_or_file, "w", encoding="utf-8") as f:
        f.write(page)
