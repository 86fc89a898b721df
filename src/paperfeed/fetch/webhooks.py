"""Sending to webhooks (the chat channels of :mod:`paperfeed.delivery.channels`): JSON bodies
POSTed or PUT through the polite :class:`~paperfeed.fetch.http.HttpClient`, so they get its
time-outs, overall deadline and retries (exponential backoff on time-outs, 429 and 5xx,
``Retry-After`` honoured up to :data:`MAX_RETRY_AFTER`); other 4xx and unreachable hosts fail
at once with a :class:`~paperfeed.fetch.http.FetchError`. No spacing between requests: a run
posts a handful, and a server that wants fewer says so with 429."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Self

from paperfeed.fetch.http import Clock, HttpClient, RetryPolicy, Sleep
from paperfeed.settings import WebhookSettings

MAX_RETRY_AFTER = 120.0
"""Longest wait a channel's ``Retry-After`` gets before the next try (seconds)."""
MAX_ANSWER_BYTES = 1024 * 1024
"""Webhooks answer with a few bytes; anything bigger is refused."""


class WebhookSender:
    """One HTTP session for a run's webhooks, as ``cfg`` (config.toml ``[webhooks]``) says;
    ``clock``/``sleep``/``rng`` are injectable so that tests never wait. Close it, or use
    it as a context manager."""

    def __init__(
        self,
        cfg: WebhookSettings,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._client = HttpClient(
            timeout=cfg.timeout,
            deadline=max(3 * cfg.timeout, 30.0),
            max_bytes=MAX_ANSWER_BYTES,
            intervals={"*": 0.0},
            retry=RetryPolicy(
                retries=cfg.retries, backoff=cfg.backoff, max_retry_after=MAX_RETRY_AFTER
            ),
            clock=clock,
            sleep=sleep,
            rng=rng,
        )

    @property
    def requests(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._client.requests

    def send(
        self, method: str, url: str, body: bytes, headers: Mapping[str, str], *, what: str
    ) -> None:
        """Send ``body`` to ``url`` with ``method`` (POST, PUT); :class:`FetchError` naming
        ``what`` when it fails for good."""
        self._client.get(url, body=body, method=method, headers=headers, what=what)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
