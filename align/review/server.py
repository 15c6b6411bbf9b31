"""The review web app: a standard-library HTTP server on 127.0.0.1 that serves one page and a small JSON API.

Why the standard library: one page, four routes and one user; http.server does it without a dependency.
Security: bound to 127.0.0.1 only; every request (the page too) must carry the random token (compared in
constant time), the API in a header, so another local user or a web page open in the same browser can neither
read the text nor write through it (a cross-site request cannot set the header without a CORS preflight, which
is never granted); a Host header other than 127.0.0.1/localhost is refused (DNS rebinding); the page runs under
a strict Content-Security-Policy. No request names a file: the server writes only the one output file.

API (JSON; every edit names the version it was made on, so a second tab cannot edit a stale view):
    GET  /?token=T        the page
    GET  /api/state       {meta, links, version, reviewed, total}
    POST /api/edit        {op, index, args, version} -> {patch, version, reviewed, total, saved}
    POST /api/undo        {version}                   -> the same
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from align.errors import AlignError
from align.formats.html import score_colour
from align.review import store
from align.review.edits import Item, Patch, apply, edit, invert, reviewed
from align.review.page import page

TOKEN_HEADER = "X-Review-Token"
MAX_BODY = 64 * 1024          # an edit is ~100 bytes
UNDO_DEPTH = 1000


def row(item: Item) -> dict:
    """A link as the page gets it."""
    return {**item.link.as_dict(), "status": item.status, "at": item.at, "colour": score_colour(item.link.score)}


class Session:
    """The links under review, the undo history and the version the page must name; every change is saved
    before it is answered."""

    def __init__(self, doc: store.ReviewDoc, items: tuple[Item, ...], output: str):
        self.doc, self.items, self.output = doc, items, output
        self.version = 0
        self.history: list[Patch] = []
        self.lock = threading.Lock()
        self.lines: dict[int, tuple[Item, str]] = {}   # store.lines' cache of serialised links

    def state(self) -> dict:
        with self.lock:
            return {"links": [row(it) for it in self.items], **self._progress()}

    def edit(self, op: str, index, args, version) -> dict:
        with self.lock:
            self._check_version(version)
            if isinstance(index, bool) or not isinstance(index, int):
                raise AlignError("index must be a whole number")
            if not isinstance(args, dict):
                raise AlignError("args must be an object")
            patch = edit(self.items, str(op), index, self.doc.texts, store.now(), args)
            self.history = (self.history + [invert(self.items, patch)])[-UNDO_DEPTH:]
            return self._commit(patch)

    def undo(self, version) -> dict:
        with self.lock:
            self._check_version(version)
            if not self.history:
                raise AlignError("nothing to undo")
            return self._commit(self.history.pop())

    def _check_version(self, version) -> None:
        if version != self.version:
            raise Conflict(f"the page is out of date (version {version}, now {self.version}): reload it")

    def _commit(self, patch: Patch) -> dict:
        items = apply(self.items, patch)
        store.save(self.doc, items, self.output, self.lines)
        self.items = items
        self.version += 1
        inserted = [row(it) for it in patch.inserted]
        return {"patch": {"start": patch.start, "removed": patch.removed, "inserted": inserted}, "saved": store.now(),
                **self._progress()}

    def _progress(self) -> dict:
        return {"version": self.version, "reviewed": reviewed(self.items), "total": len(self.items)}


class Conflict(AlignError):
    """An edit made on a stale view of the links."""


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, session: Session, port: int = 0, token: str | None = None):
        self.session = session
        self.token = token or secrets.token_urlsafe(32)
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer   # HTTP/1.0: one request per connection, so a refused request's unread body harms nothing

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        if not self._allowed(parse_qs(url.query).get("token", [""])[0] if url.path == "/" else None):
            return
        if url.path == "/":
            nonce = secrets.token_urlsafe(16)
            body = page(self.server.session.doc, self.server.session.output, nonce).encode("utf-8")
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8",
                       csp=f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                           "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        elif url.path == "/api/state":
            self._json(HTTPStatus.OK, self.server.session.state())
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self):
        url = urlsplit(self.path)
        if not self._allowed(None):
            return
        if url.path not in ("/api/edit", "/api/undo"):
            return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
        try:
            body = self._body()
            s = self.server.session
            if url.path == "/api/edit":
                out = s.edit(body.get("op"), body.get("index"), body.get("args") or {}, body.get("version"))
            else:
                out = s.undo(body.get("version"))
        except Conflict as e:
            return self._json(HTTPStatus.CONFLICT, {"error": str(e)})
        except AlignError as e:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": str(e)})
        self._json(HTTPStatus.OK, out)

    def _allowed(self, query_token: str | None) -> bool:
        """The Host is this machine and the token matches (constant-time); else 403 and nothing else."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        given = query_token if query_token is not None else self.headers.get(TOKEN_HEADER, "")
        right = hmac.compare_digest(given.encode(), self.server.token.encode())
        if host not in ("127.0.0.1", "localhost") or not right:
            self._json(HTTPStatus.FORBIDDEN, {"error": "forbidden: open the address align review printed"})
            return False
        return True

    def _body(self) -> dict:
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise AlignError("bad Content-Length") from None
        if not 0 < n <= MAX_BODY:
            raise AlignError("an edit is a small JSON object")
        try:
            body = json.loads(self.rfile.read(n))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise AlignError("not JSON") from None
        if not isinstance(body, dict):
            raise AlignError("not a JSON object")
        return body

    def _json(self, status: HTTPStatus, data: dict) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, ctype: str, csp: str = "default-src 'none'") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")   # the token is in the page's address
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        self.wfile.write(body)


def serve(alignment: str, output: str, port: int = 0, open_browser: bool = False, echo=print) -> None:
    """Review `alignment`, saving to `output`, until Ctrl-C. The alignment itself is never written."""
    if not os.path.isfile(alignment):
        raise AlignError(f"{alignment}: no such file")
    if os.path.exists(output) and os.path.exists(alignment) and os.path.samefile(output, alignment):
        raise AlignError("the reviewed file must not be the alignment itself: give another -o")
    with store.review_lock(output):
        doc, items = store.load(alignment, output)
        session = Session(doc, items, output)
        try:
            server = ReviewServer(session, port)
        except OSError as e:
            raise AlignError(f"cannot listen on 127.0.0.1:{port} ({e.strerror})") from None
        with server:
            if not os.path.exists(output):
                store.save(doc, items, output)    # the output exists (and is writable) from the start
            echo(f"reviewing {alignment}: {reviewed(items):,} of {len(items):,} links reviewed; saving to {output}")
            echo(f"open {server.url}")
            echo("Ctrl-C stops (every change is already saved)")
            if open_browser:
                webbrowser.open(server.url)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
        echo(f"{reviewed(session.items):,} of {len(session.items):,} links reviewed, saved in {output}")
