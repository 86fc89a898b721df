"""Serving the web app with Uvicorn on a socket bound up front (so port 0 gives a known
address), with keep-alive and header limits so half-open or slow connections do not pile
up, and an access log whose token links are redacted."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from paperfeed.web.links import redact

log = logging.getLogger("paperfeed.web.access")
KEEP_ALIVE_S = 5
MAX_HEADER_BYTES = 16 * 1024
MAX_CONNECTIONS = 256
REQUEST_TIMEOUT_S = 10.0
"""Seconds a new connection has to send a whole request head; one sent halfway (a slowloris)
is closed then, so it cannot hold one of the :data:`MAX_CONNECTIONS` for ever (Uvicorn itself
only times out idle keep-alive connections)."""


class TimedH11Protocol(H11Protocol):
    """Uvicorn's HTTP/1.1 protocol with a deadline for the first request's head."""

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline = self.loop.call_later(REQUEST_TIMEOUT_S, self._drop_half_sent)

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_deadline.cancel()
        super().connection_lost(exc)

    def _drop_half_sent(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()


class AccessLog:
    """ASGI middleware: one redacted line per request (``client "METHOD path" status``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [0]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = (scope.get("client") or ("-",))[0]
            path = redact(scope.get("path", ""))
            log.info('%s "%s %s" %s', client, scope["method"], path, status[0] or 500)


class WebServer:
    """Uvicorn on a bound socket: :meth:`serve_forever` in one thread (the main one handles
    Ctrl-C), :meth:`shutdown` from another."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 8000, proxy: bool = False):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.socket.listen(128)
        config = uvicorn.Config(
            AccessLog(app),
            http=TimedH11Protocol,
            log_config=None,
            access_log=False,
            timeout_keep_alive=KEEP_ALIVE_S,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            limit_concurrency=MAX_CONNECTIONS,
            timeout_graceful_shutdown=5,
            proxy_headers=proxy,
            forwarded_allow_ips="127.0.0.1" if proxy else None,
            server_header=False,
        )
        self.server = uvicorn.Server(config)

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown`, or Ctrl-C (then KeyboardInterrupt, in the main thread)."""
        self.server.run(sockets=[self.socket])

    def shutdown(self, timeout: float = 10.0) -> None:
        """Ask the server to stop and wait until it has."""
        self.server.should_exit = True
        deadline = time.monotonic() + timeout
        while self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def server_close(self) -> None:
        self.socket.close()


def make_server(
    app: Any, *, host: str = "127.0.0.1", port: int = 8000, proxy: bool = False
) -> WebServer:
    """A bound, not yet serving server for ``app`` (``port`` 0: any free port)."""
    return WebServer(app, host=host, port=port, proxy=proxy)
