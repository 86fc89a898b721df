"""The one small interface every chat channel implements (:class:`Channel`: a ``name`` and
``send(digest)``), and what the webhook kinds share (:class:`WebhookChannel`): the digest is
rendered into requests by :mod:`paperfeed.digest` (pure), each is sent through fetch's
:class:`~paperfeed.fetch.webhooks.WebhookSender` (time-outs; retries with backoff on
time-outs, 429 and 5xx, ``Retry-After`` honoured; other 4xx and unreachable hosts fail at
once), and any failure becomes one :class:`ChannelError` line without the secret parts of
the URL."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import urlsplit

from paperfeed.digest.content import Digest
from paperfeed.fetch import FetchError
from paperfeed.fetch.webhooks import WebhookSender
from paperfeed.settings import ChannelSettings

_URL = re.compile(r"https?://[^\s;,)]+")


class ChannelError(RuntimeError):
    """A digest could not be posted to a channel; ``permanent`` when trying again later
    cannot help (a refused token, an unknown webhook), else it may (5xx, time-outs, no
    route to the host)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One request a channel sends: method, URL, JSON payload and headers."""

    method: str
    url: str
    payload: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def body(self) -> bytes:
        return json.dumps(self.payload, ensure_ascii=False).encode("utf-8")


@runtime_checkable
class Channel(Protocol):
    """Somewhere a digest can be posted. ``send`` raises :class:`ChannelError` (one line)
    when it cannot; ``requests`` says what it would send, for previews."""

    name: str

    def requests(self, digest: Digest) -> list[Outgoing]: ...

    def send(self, digest: Digest) -> None: ...


def redact(text: str) -> str:
    """``text`` with every URL cut to its scheme, host and port: a webhook's path (or a
    query's key) is its secret and must not reach a log or a cron mail."""

    def short(match: re.Match[str]) -> str:
        parts = urlsplit(match.group())
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}/…"

    return _URL.sub(short, text)


class WebhookChannel:
    """A channel reached over HTTP with JSON bodies; subclasses say what to send
    (:meth:`requests`) and name themselves (``what``)."""

    what: ClassVar[str] = "webhook"

    def __init__(self, settings: ChannelSettings, client: WebhookSender) -> None:
        self.settings = settings
        self.client = client
        self.name = settings.name

    def requests(self, digest: Digest) -> list[Outgoing]:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        """JSON, plus the channel's token as a Bearer token when it has one."""
        out = {"Content-Type": "application/json"}
        if self.settings.token:
            out["Authorization"] = f"Bearer {self.settings.token}"
        return out

    def send(self, digest: Digest) -> None:
        """Send every request of ``digest`` in order; :class:`ChannelError` on the first that
        fails for good (after the client's retries)."""
        requests = self.requests(digest)
        for i, req in enumerate(requests):
            try:
                self.client.send(req.method, req.url, req.body, req.headers, what=self.what)
            except FetchError as exc:
                raise self._failure(exc, posted=i, of=len(requests)) from None

    def _failure(self, exc: FetchError, *, posted: int, of: int) -> ChannelError:
        status = exc.status
        permanent = status is not None and 400 <= status < 500 and status not in (408, 429)
        message = redact(str(exc))
        key = self.settings.key
        if status in (401, 403):
            message += f"; check the token (or url) of {key}"
        elif status in (404, 410):
            message += f"; check the url of {key}"
        if posted:
            message += f" ({posted} of {of} messages were posted; a rerun posts all again)"
        return ChannelError(message, permanent=permanent)
