"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, any free port) that keeps what it
receives and can be told to fail: ``fail_next`` replies to DATA (e.g. ``"451 4.3.0 busy"``),
``refuse`` maps a recipient to a RCPT reply. Not a test module: imported by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from paperfeed.settings import SmtpSettings


@dataclass
class Sink:
    """What the server received, and how it should misbehave."""

    messages: list[EmailMessage] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_calls: int = 0
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_calls += 1
        if self.fail_next:
            return self.fail_next.pop(0)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def settings(self, **changes: Any) -> SmtpSettings:
        """Settings that reach this server (plain SMTP, no login, no waiting on retries)."""
        base: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "from_addr": "paperfeed <digest@example.org>",
            "timeout": 5.0,
            "retries": 2,
            "backoff": 0.0,
        }
        return SmtpSettings(**{**base, **changes})


class _Controller(Controller):
    """aiosmtpd's controller, bound to port 0 (a free one) and reporting which it got."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"digest", b"right")
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_sink(*, with_auth: bool = False) -> Iterator[Sink]:
    """Start the server on 127.0.0.1; stopped when the block ends. ``with_auth``: AUTH
    offered over plain SMTP, accepting user ``digest`` with password ``right``."""
    sink = Sink()
    kwargs: dict[str, Any] = {}
    if with_auth:
        kwargs = {"authenticator": _authenticator, "auth_require_tls": False}
    controller = _Controller(sink, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()
