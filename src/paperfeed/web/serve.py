"""``paperfeed serve``: the small HTTP endpoint behind the links in digests and feeds.

``GET /rate/<token>`` records a one-click rating (once), ``GET|POST /unsubscribe/<token>``
stops the user's e-mails, ``GET /feed/<token>.xml`` (Atom; ``.rss`` for RSS 2.0) and
``/feed/<token>/<n>.xml`` serve the user's feed, all of it or interest n; all of it through
the :class:`~paperfeed.delivery.service.Delivery` facade. A forged, expired or used token gets
a 4xx page and changes nothing. Standard library only (``ThreadingHTTPServer``); binds
127.0.0.1 unless told otherwise — put a TLS-terminating reverse proxy in front of it to reach
it from outside.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from paperfeed.delivery.service import Delivery
from paperfeed.delivery.tokens import TokenError
from paperfeed.display import readable
from paperfeed.services import UserError

log = logging.getLogger("paperfeed.serve")

_TOKEN = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
_RATE = re.compile(rf"/rate/({_TOKEN})/?")
_UNSUBSCRIBE = re.compile(rf"/unsubscribe/({_TOKEN})/?")
_FEED = re.compile(rf"/feed/({_TOKEN})(?:/(\d{{1,3}}))?\.(xml|atom|rss)")
_SECRET_IN_PATH = re.compile(r"(/(?:rate|unsubscribe|feed)/[A-Za-z0-9_-]{0,6})[A-Za-z0-9_.\-/]*")

REQUEST_TIMEOUT_S = 30.0
"""Seconds a connection may sit idle (a request sent halfway, a keep-alive with nothing more)
before it is closed."""

STATUS_OF = {
    "forged": HTTPStatus.FORBIDDEN,
    "expired": HTTPStatus.GONE,
    "replayed": HTTPStatus.CONFLICT,
    "wrong-use": HTTPStatus.BAD_REQUEST,
}
_CSS = (
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f4f6;"
    "color:#1d1d1f;margin:0}main{max-width:560px;margin:12vh auto;background:#fff;"
    "border:1px solid #e2e2e6;border-radius:12px;padding:24px 28px}h1{font-size:20px;"
    "margin:0 0 8px}p{line-height:1.5;margin:6px 0}.brand{color:#0b57d0;font-weight:700;"
    "font-size:12px;letter-spacing:.08em}a{color:#0b57d0}"
)


def page(title: str, message: str, *, link: tuple[str, str] | None = None) -> str:
    """A small self-contained HTML page (``title`` and ``message`` are plain text)."""
    more = f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>' if link else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · paperfeed</title><style>{_CSS}</style></head><body><main>"
        f'<div class="brand">PAPERFEED</div><h1>{escape(title)}</h1><p>{escape(message)}</p>'
        f"{more}</main></body></html>"
    )


def redact(path: str) -> str:
    """A request path fit for a log: tokens cut to their first characters."""
    return _SECRET_IN_PATH.sub(r"\1…", path)


class PaperfeedServer(ThreadingHTTPServer):
    """The HTTP server and what its handlers need: the delivery facade and a clock. Ranking
    for feeds is serialized (one CPU-bound request at a time)."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        delivery: Delivery,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(address, Handler)
        self.delivery = delivery
        self.clock = clock
        self.rank_lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    server: PaperfeedServer
    server_version = "paperfeed"
    sys_version = ""
    timeout = REQUEST_TIMEOUT_S  # a half-sent request gives its thread back

    # --- plumbing -------------------------------------------------------------------------

    def log_message(self, format: str, *args: object) -> None:
        text = format % args
        log.info("%s %s", self.address_string(), redact(text))

    def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")  # the URL holds a token
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _page(self, status: int, title: str, message: str, **kw: object) -> None:
        self._send(status, page(title, message, **kw))  # type: ignore[arg-type]

    def _token_error(self, exc: TokenError) -> None:
        titles = {
            "forged": "Not a valid link",
            "expired": "This link has expired",
            "replayed": "Already recorded",
            "wrong-use": "Wrong kind of link",
        }
        status = STATUS_OF.get(exc.reason, HTTPStatus.BAD_REQUEST)
        self._page(status, titles.get(exc.reason, "Not a valid link"), f"{exc} Nothing changed.")

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    # --- routes ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self._path()
        if path == "/":
            self._page(200, "paperfeed is running", "Links in your digests and feeds lead here.")
        elif path == "/healthz":
            self._send(200, "ok\n", "text/plain; charset=utf-8")
        elif m := _RATE.fullmatch(path):
            self._rate(m.group(1))
        elif m := _UNSUBSCRIBE.fullmatch(path):
            self._unsubscribe(m.group(1))
        elif m := _FEED.fullmatch(path):
            interest = int(m.group(2)) - 1 if m.group(2) else None
            self._feed(m.group(1), interest, "rss" if m.group(3) == "rss" else "atom")
        else:
            self._page(404, "Not found", "There is nothing at this address.")

    def do_HEAD(self) -> None:
        if self._path() in ("/", "/healthz"):
            self.do_GET()
        else:  # never act on a link because something only peeked at it
            self._send(200, "")

    def do_POST(self) -> None:
        """RFC 8058 one-click unsubscribe (mail clients POST to the List-Unsubscribe URL)."""
        if m := _UNSUBSCRIBE.fullmatch(self._path()):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(min(length, 4096))
            self._unsubscribe(m.group(1))
        else:
            self._page(405, "Method not allowed", "Only unsubscribe links accept POST.")

    def _rate(self, token: str) -> None:
        srv = self.server
        try:
            rated = srv.delivery.redeem_rating(token, srv.clock())
        except TokenError as exc:
            self._token_error(exc)
            return
        except UserError as exc:
            self._page(404, "Paper not found", f"{exc}. Nothing changed.")
            return
        title = readable(rated.paper.display_title)
        if rated.value == "up":
            head, msg = "👍 Noted: more like this", f"You liked “{title}”."
        else:
            head, msg = "👎 Noted: less like this", f"You marked down “{title}”."
        msg += f" Your next digest ({rated.user}) takes it into account."
        self._page(200, head, msg)

    def _unsubscribe(self, token: str) -> None:
        srv = self.server
        try:
            claims = srv.delivery.redeem_unsubscribe(token, srv.clock())
        except TokenError as exc:
            self._token_error(exc)
            return
        self._page(
            200,
            "Unsubscribed",
            f"{claims.user} will get no more digest e-mails. Your feed keeps working; run "
            f"`paperfeed subscribe --user {claims.user}` to get e-mails again.",
        )

    def _feed(self, token: str, interest: int | None, fmt: str) -> None:
        srv = self.server
        try:
            user = srv.delivery.feed_owner(token, now=srv.clock())
        except TokenError as exc:
            self._token_error(exc)
            return
        if not srv.delivery.has_user(user):
            self._page(404, "No such user", f"There is no user {user!r} here any more.")
            return
        with srv.rank_lock:  # empty profile, empty store: an empty feed, not an error
            _, document = srv.delivery.user_feed(
                user,
                interest=interest,
                fmt=fmt,
                now=datetime.fromtimestamp(srv.clock(), UTC),
                or_empty=True,
            )
        kind = "application/rss+xml" if fmt == "rss" else "application/atom+xml"
        self._send(200, document, f"{kind}; charset=utf-8")


def make_server(
    delivery: Delivery,
    *,
    host: str = "127.0.0.1",
    port: int = 8787,
    clock: Callable[[], float] = time.time,
) -> PaperfeedServer:
    """A bound, not yet serving server (``port`` 0: any free port; see ``server.url``)."""
    return PaperfeedServer((host, port), delivery, clock=clock)
