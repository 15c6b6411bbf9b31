"""The editing page of `align review`: the static review view's header, styles and table (align.formats.html),
with the rows drawn by a script from the JSON API, a page of links at a time (a 5,000-link document draws 100
rows, not 5,000), and every piece of text put in with textContent (never parsed as markup)."""

from __future__ import annotations

import html
import json
import os

from align.formats.html import CSS, direction, header, table_head, title
from align.links import Alignment
from align.review.store import ReviewDoc

DOUBTFUL = 0.5    # a link scoring under this is doubtful (links scoring >= 0.5 are right ~95-99% of the time)
PAGE_SIZE = 100

REVIEW_CSS = """
.controls select,.controls input{font:inherit;font-size:13px}
#progress{font-weight:600}#message{color:#8b0000}#saved{color:#555}
tr.link{cursor:pointer;scroll-margin-top:190px}
tr.cur{outline:3px solid #1a5fb4;outline-offset:-3px}
tr.para td{background:#fff;color:#555;font-size:12px;padding:2px 8px;border-bottom:1px solid #bbb}
col.n{width:6.5em}td.n .st{display:block;font-weight:700;font-size:11px;white-space:nowrap}
tr.approved td.n .st{color:#1e7b1e}tr.rejected td.n .st{color:#b00}tr.corrected td.n .st{color:#1a5fb4}
tr.rejected td[dir]{text-decoration:line-through;text-decoration-color:#b00}
td[dir] span.seg{border-inline-start:2px solid #bbb;padding-inline-start:3px;margin-inline-end:4px}
td[dir] span.seg:first-child{border:0;padding:0}
#help{display:none;position:fixed;inset:60px 20% auto;background:#fff;border:1px solid #888;padding:12px 18px;
z-index:2;box-shadow:0 4px 18px #0004;font-size:14px}
body.help #help{display:block}
#help table{width:auto}#help td{border:0;padding:2px 10px}
kbd{border:1px solid #aaa;border-radius:3px;padding:0 4px;background:#f4f4f4;font-size:12px}
nav{padding:6px 18px;font-size:13px}
"""

KEYS = [
    ("j ↓", "next link"), ("k ↑", "previous link"), ("n", "next doubtful unreviewed link"),
    ("a", "approve (and go to the next)"), ("r", "reject (and go to the next)"), ("m", "merge with the next link"),
    ("s", "split the link in two"),
    ("] [", "move the last source segment to the next link / the first to the previous"),
    ("} {", "the same for target segments"), ("o O", "last / first source segment has no counterpart"),
    ("i I", "last / first target segment has no counterpart"), ("u Ctrl+Z", "undo"),
    ("PgDn PgUp", "next / previous page"), ("?", "this help"),
]

JS = r"""
'use strict';
const TOKEN = new URLSearchParams(location.search).get('token') || '';
const META = JSON.parse(document.getElementById('meta').textContent);
const $ = id => document.getElementById(id);
let links = [], version = 0, view = [], cur = 0, page = 0;

async function api(path, body) {
  const opts = {method: body ? 'POST' : 'GET', headers: {'X-Review-Token': TOKEN}};
  if (body) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  const data = await r.json();
  if (r.status === 409) { await load(); throw new Error(data.error); }
  if (!r.ok) throw new Error(data.error || ('HTTP ' + r.status));
  return data;
}
function say(text) { $('message').textContent = text || ''; }
function doubtful(l) { return l.score < META.doubtful || l.flags.length > 0; }
const RANK = {critical: 0, major: 1, minor: 2};
function worst(l) { return Math.min(9, ...l.flags.map(f => RANK[f.severity] ?? 9)); }

function progress(d) {
  version = d.version;
  const n = x => x.toLocaleString('en-US');
  $('progress').textContent = n(d.reviewed) + ' of ' + n(d.total) + ' links reviewed';
}
async function load() {
  const d = await api('/api/state');
  links = d.links; progress(d); fillFlags(); rebuild(0);
}
function fillFlags() {
  const sel = $('flag'), had = sel.value, checks = new Set();
  links.forEach(l => l.flags.forEach(f => checks.add(f.check)));
  while (sel.options.length > 1) sel.remove(1);
  [...checks].sort().forEach(c => {
    const o = document.createElement('option'); o.value = o.textContent = c; sel.append(o);
  });
  sel.value = checks.has(had) ? had : '';
}
function keep(l) {
  const f = $('filter').value, flag = $('flag').value, below = parseFloat($('below').value);
  if (f === 'doubtful' && !doubtful(l)) return false;
  if (f === 'unreviewed' && l.status !== 'unreviewed') return false;
  if (f === 'reviewed' && l.status === 'unreviewed') return false;
  if (f === 'flagged' && !l.flags.length) return false;
  if (flag && !l.flags.some(x => x.check === flag)) return false;
  if (!isNaN(below) && !(l.score < below)) return false;
  return true;
}
// the view: indices into links, filtered and sorted; the cursor follows link `at` (a link index) when it can
function rebuild(at) {
  view = links.map((l, i) => i).filter(i => keep(links[i]));
  const s = $('sort').value;
  if (s === 'score') view.sort((a, b) => links[a].score - links[b].score || a - b);
  if (s === 'score-desc') view.sort((a, b) => links[b].score - links[a].score || a - b);
  if (s === 'severity') view.sort((a, b) => worst(links[a]) - worst(links[b]) || a - b);
  let pos = view.indexOf(at);
  if (pos < 0) pos = Math.max(0, view.findIndex(i => i >= at));
  go(pos < 0 ? 0 : pos, true);
}
function go(pos, redraw) {
  const was = page;
  cur = Math.max(0, Math.min(view.length - 1, pos));
  page = Math.floor(cur / META.page_size);
  if (redraw || page !== was || !moveCursor()) render();
}
// on the same page only the highlight moves (the rows stay as they are)
function moveCursor() {
  const rows = $('rows').querySelectorAll('tr.link'), first = page * META.page_size;
  if (!rows.length || +rows[0].dataset.pos !== first) return false;
  rows.forEach(r => r.classList.toggle('cur', +r.dataset.pos === cur));
  const c = $('rows').querySelector('tr.cur');
  if (c) c.scrollIntoView({block: 'nearest'});
  return true;
}
function cell(tr, l, side) {
  const td = document.createElement('td'), ids = l[side + '_ids'];
  if (!ids.length) {
    td.className = 'missing';
    td.textContent = side === 'src' ? 'no source: added in the target (0-1)'
                                    : 'not translated: omitted from the target (1-0)';
  } else {
    td.lang = META[side + '_lang']; td.dir = META[side + '_dir']; td.textContent = l[side];
  }
  tr.append(td);
}
function row(i, pos) {
  const l = links[i], tr = document.createElement('tr');
  const omission = !l.src_ids.length || !l.tgt_ids.length;
  tr.className = ['link', l.status, l.flags.length ? 'flagged' : '', omission ? 'omission' : '',
                  pos === cur ? 'cur' : ''].join(' ').trim();
  tr.style.background = l.colour;
  Object.assign(tr.dataset, {index: i, pos: pos, type: l.type, score: l.score.toFixed(4), status: l.status});
  const n = document.createElement('td'); n.className = 'n';
  n.title = 'source : target segment numbers';
  const st = document.createElement('span'); st.className = 'st';
  st.textContent = {approved: '✓ approved', rejected: '✗ rejected', corrected: '✎ corrected', unreviewed: ''}[l.status];
  n.append(String(i + 1), document.createElement('br'),
           (l.src_ids.join(',') || '–') + ' : ' + (l.tgt_ids.join(',') || '–'), st);
  const sc = document.createElement('td'); sc.className = 'score'; sc.textContent = l.score.toFixed(2);
  tr.append(n, sc); cell(tr, l, 'src'); cell(tr, l, 'tgt');
  const fl = document.createElement('td'), ul = document.createElement('ul'); ul.className = 'flags';
  [...l.flags].sort((a, b) => (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9)).forEach(f => {
    const li = document.createElement('li'), sev = document.createElement('span'), b = document.createElement('b');
    sev.className = 'sev ' + f.severity; sev.textContent = f.severity; b.textContent = f.check;
    li.append(sev, b, ': ' + f.message); ul.append(li);
  });
  fl.append(ul); tr.append(fl);
  tr.addEventListener('click', () => go(pos));
  return tr;
}
function paraRow(k) {
  const tr = document.createElement('tr'), td = document.createElement('td'), p = META.paragraphs[k];
  tr.className = 'para'; td.colSpan = 5;
  const ids = x => x.join(',') || '–';
  const what = p ? ' · paragraph link ' + ids(p.src_ids) + ' : ' + ids(p.tgt_ids) + ' · score ' + p.score.toFixed(2)
                 : '';
  td.textContent = '¶ ' + (k + 1) + what;
  tr.append(td); return tr;
}
function render() {
  const body = $('rows'), first = page * META.page_size, grouped = $('sort').value === 'doc';
  const rows = [];
  let para = undefined;
  view.slice(first, first + META.page_size).forEach((i, k) => {
    const p = links[i].paragraph;
    if (grouped && p !== undefined && p !== para) rows.push(paraRow(p));
    para = p;
    rows.push(row(i, first + k));
  });
  body.replaceChildren(...rows);
  const pages = Math.max(1, Math.ceil(view.length / META.page_size));
  $('page').textContent = 'page ' + (page + 1) + ' of ' + pages + ' · ' + view.length.toLocaleString('en-US') +
                          ' links shown';
  const c = body.querySelector('tr.cur');
  if (c) c.scrollIntoView({block: 'nearest'});
}
// edits run one after another, each on the cursor as it is when its turn comes: keys typed faster than the
// server answers (a a a) act as if typed slowly
let queue = Promise.resolve();
function later(f) { queue = queue.then(f, f); return queue; }
function send(op, args, advance) {
  return later(async () => {
    if (!view.length) return;
    const at = view[cur], then = advance ? (view[cur + 1] ?? at) : at;   // a verdict moves on to the next link
    try { applyPatch(await api('/api/edit', {op: op, index: at, args: args || {}, version: version}), then); }
    catch (e) { say(e.message); }
  });
}
function applyPatch(d, at) {
  const p = d.patch;
  links.splice(p.start, p.removed, ...p.inserted);
  progress(d); say('');
  $('saved').textContent = 'saved ' + d.saved.slice(11, 19) + ' UTC to ' + META.output;
  fillFlags(); rebuild(at);
}
function undo() {
  return later(async () => {
    try { const d = await api('/api/undo', {version: version}); applyPatch(d, d.patch.start); }
    catch (e) { say(e.message); }
  });
}
function nextDoubtful() {
  for (let k = 1; k <= view.length; k++) {
    const pos = (cur + k) % view.length, l = links[view[pos]];
    if (l.status === 'unreviewed' && doubtful(l)) return go(pos);
  }
  say('no doubtful unreviewed link left in this view');
}
const KEYS = {
  j: () => go(cur + 1), ArrowDown: () => go(cur + 1), k: () => go(cur - 1), ArrowUp: () => go(cur - 1),
  PageDown: () => go((page + 1) * META.page_size), PageUp: () => go((page - 1) * META.page_size),
  n: nextDoubtful, a: () => send('approve', {}, true), r: () => send('reject', {}, true),
  m: () => send('merge'), s: () => send('split'), u: undo,
  ']': () => send('move', {side: 'src', step: 1}), '[': () => send('move', {side: 'src', step: -1}),
  '}': () => send('move', {side: 'tgt', step: 1}), '{': () => send('move', {side: 'tgt', step: -1}),
  o: () => send('detach', {side: 'src', last: true}), O: () => send('detach', {side: 'src', last: false}),
  i: () => send('detach', {side: 'tgt', last: true}), I: () => send('detach', {side: 'tgt', last: false}),
  '?': () => document.body.classList.toggle('help'), Escape: () => document.body.classList.remove('help'),
};
document.addEventListener('keydown', e => {
  if (e.target.closest('select,input')) return;
  if ((e.ctrlKey || e.metaKey) && e.key === 'z') { e.preventDefault(); return undo(); }
  if (e.ctrlKey || e.metaKey || e.altKey || !KEYS[e.key]) return;
  e.preventDefault(); KEYS[e.key]();
});
['filter', 'flag', 'sort', 'below'].forEach(id => $(id).addEventListener('change', () => {
  rebuild(view[cur] ?? 0); $(id).blur();
}));
$('prev').addEventListener('click', KEYS.PageUp); $('next').addEventListener('click', KEYS.PageDown);
load().catch(e => say(e.message));
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def controls() -> str:
    return ('<span id="progress">…</span> · '
            '<label>show <select id="filter"><option value="all">all links</option>'
            '<option value="doubtful">doubtful (score &lt; 0.5 or flagged)</option>'
            '<option value="unreviewed">unreviewed</option><option value="reviewed">reviewed</option>'
            '<option value="flagged">flagged</option></select></label> '
            '<label>flag <select id="flag"><option value="">any</option></select></label> '
            '<label>score below <input id="below" type="number" min="0" max="1" step="0.05" size="4"></label> '
            '<label>sort <select id="sort"><option value="doc">document order</option>'
            '<option value="score">score, lowest first</option><option value="score-desc">score, highest first</option>'
            '<option value="severity">worst flag first</option></select></label> · '
            'press <kbd>?</kbd> for the keys · <span id="saved"></span> <span id="message" role="status"></span>')


def _help() -> str:
    rows = "".join(f"<tr><td><kbd>{_e(k)}</kbd></td><td>{_e(what)}</td></tr>" for k, what in KEYS)
    return f'<div id="help"><b>Keys</b> (changes are saved at once)<table>{rows}</table></div>'


def page(doc: ReviewDoc, output: str, nonce: str) -> str:
    h = doc.header
    al = Alignment([], h.get("signature", ""), h.get("src_lang", ""), h.get("tgt_lang", ""), h.get("src_path"),
                   h.get("tgt_path"), h.get("quality") or {})
    meta = {"src_lang": al.src_lang, "tgt_lang": al.tgt_lang, "src_dir": direction(al.src_lang or "en"),
            "tgt_dir": direction(al.tgt_lang or "en"), "doubtful": DOUBTFUL, "page_size": PAGE_SIZE,
            "output": os.path.basename(output),
            "paragraphs": [{"src_ids": l.src_ids, "tgt_ids": l.tgt_ids, "score": l.score} for l in doc.context]}
    # JSON inside <script type=application/json>: "</" escaped so no text can close the element
    data = json.dumps(meta, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title(al))} – align review</title>
<style nonce="{nonce}">{CSS}{REVIEW_CSS}</style></head>
<body>
{header(al, al.quality, controls())}
{_help()}
<table>
{table_head(al)}
<tbody id="rows"></tbody></table>
<nav><button id="prev">previous page</button> <span id="page"></span> <button id="next">next page</button></nav>
<script type="application/json" id="meta" nonce="{nonce}">{data}</script>
<script nonce="{nonce}">{JS}</script>
</body></html>
"""
