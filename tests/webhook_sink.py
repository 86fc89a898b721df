"""A webhook sink for the channel tests: a real HTTP server on 127.0.0.1 (a free port, in a
background thread) that records every request (method, path, headers, body) and answers the
paths it was told about with scripted replies — a status (500, 429 with ``Retry-After``), a
delay (a slow server) — and everything else with 200. Not a test module: imported by them.

    with WebhookSink() as sink:
        sink.script("/slack", Answer(503), Answer(429, headers={"Retry-After": "7"}))
        post_to(f"{sink.url}/slack")          # 503, then 429, then 200
        assert sink.hits("/slack")[-1].json()["blocks"]
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass(frozen=True)
class Hit:
    """One request the sink received; ``path`` is percent-decoded, header names lower-case."""

    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    """One scripted reply: status, body, headers, and seconds to wait before answering."""

    status: int = 200
    body: str = '{"ok": true}'
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


class WebhookSink:
    """Records requests and answers them (see the module docstring). :meth:`script` queues
    replies for the requests whose path starts with a prefix; once used up, 200 again."""

    def __init__(self) -> None:
        self._hits: list[Hit] = []
        self._scripts: dict[str, list[Answer]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                sink._handle(self)

            def do_PUT(self) -> None:
                sink._handle(self)

            def do_GET(self) -> None:
                sink._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, prefix: str, *answers: Answer) -> None:
        """Answer the next requests to paths starting with ``prefix`` with ``answers``."""
        with self._lock:
            self._scripts[prefix] = list(answers)

    def hits(self, prefix: str = "/") -> list[Hit]:
        """The requests to paths starting with ``prefix``, in the order they came."""
        with self._lock:
            return [h for h in self._hits if h.path.startswith(prefix)]

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WebhookSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        with self._lock:
            self._hits.append(
                Hit(
                    h.command,
                    path,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {k.lower(): v for k, v in h.headers.items()},
                    body,
                )
            )
            queue = next((q for p, q in self._scripts.items() if path.startswith(p) and q), [])
            answer = queue.pop(0) if queue else Answer()
        if answer.delay and self._stopping.wait(answer.delay):
            return
        data = answer.body.encode("utf-8")
        try:
            h.send_response(answer.status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            for k, v in answer.headers.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a time-out)
            return


def closed_port_url() -> str:
    """``http://127.0.0.1:PORT`` where nothing listens (a port just bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
