"""A real HTTP server on 127.0.0.1 that plays back recorded responses, for the fetcher tests
(no internet needed).

    with ReplayServer([Route("/api/query", [Reply(body=xml)])]) as server:
        fetch_something(client, base_url=server.url)

Each :class:`Route` answers the requests whose path (and the query items it names) match,
with its replies in order; the last one repeats. A reply can wait before answering
(``delay``, to provoke a client timeout), send fewer bytes than it announces (``truncate``,
a broken connection) or send its body one byte every ``drip`` seconds (a server that never
quite stops).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Reply:
    """One recorded response. ``body`` may contain ``{base}``, replaced by the server's URL
    (for ``Link`` headers and the like, also in ``headers`` values)."""

    status: int = 200
    body: str | bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/xml; charset=utf-8"
    delay: float = 0.0
    truncate: int | None = None  # send only this many body bytes, then close
    drip: float = 0.0  # seconds between body bytes (0: all at once)


@dataclass
class Route:
    """Replies for ``path`` (and, when given, requests whose query has these items)."""

    path: str
    replies: Sequence[Reply]
    query: Mapping[str, str] | None = None
    served: int = 0

    def matches(self, path: str, query: Mapping[str, str]) -> bool:
        if path != self.path:
            return False
        return all(query.get(k) == v for k, v in (self.query or {}).items())

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


@dataclass(frozen=True)
class Request:
    """What the server received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float
    body: bytes = b""


class ReplayServer:
    """Serve :class:`Route` s on ``127.0.0.1`` (a free port) in a background thread."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = list(routes)
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:  # the body is read, kept and answered like a GET
                length = int(self.headers.get("Content-Length") or 0)
                server._handle(self, self.rfile.read(length))

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str) -> Route:
        return next(r for r in self.routes if r.path == path)

    def stop(self) -> None:
        """Stop serving and close the socket (waits for nothing still sleeping)."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- serving -------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, sent_body: bytes = b"") -> None:
        parts = urlsplit(h.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self.requests.append(
                Request(
                    parts.path,
                    query,
                    {k.lower(): v for k, v in h.headers.items()},
                    time.time(),
                    sent_body,
                )
            )
            route = next((r for r in self.routes if r.matches(parts.path, query)), None)
            reply = route.next_reply() if route else Reply(404, b"no such route", {}, "text/plain")
        if reply.delay:
            self._stopping.wait(reply.delay)
        base = self.url
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        body = body.replace(b"{base}", base.encode())
        sent = body if reply.truncate is None else body[: reply.truncate]
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(body)))
            for k, v in reply.headers.items():
                h.send_header(k, v.replace("{base}", base))
            if reply.truncate is not None:
                h.send_header("Connection", "close")
            h.end_headers()
            if reply.drip:
                for k in range(len(sent)):
                    if self._stopping.wait(reply.drip):
                        return
                    h.wfile.write(sent[k : k + 1])
                    h.wfile.flush()
            else:
                h.wfile.write(sent)
                h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            return
        if reply.truncate is not None:
            h.close_connection = True
