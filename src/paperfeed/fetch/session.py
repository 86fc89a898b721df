"""How a caller asks for an HTTP session: the options of the ``fetch`` commands, turned into a
polite :class:`~paperfeed.fetch.http.HttpClient` (the only place one is configured)."""

from __future__ import annotations

from dataclasses import dataclass

from paperfeed.fetch.http import DEFAULT_INTERVALS, HttpClient, RetryPolicy


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Time-out per request, contact e-mail for the User-Agent, retries of 429/5xx/time-outs,
    and a minimum interval between requests to hosts without a published limit."""

    timeout: float = 30.0
    contact: str | None = None
    retries: int = 4
    interval: float | None = None


def open_client(options: FetchOptions) -> HttpClient:
    """An :class:`HttpClient` for ``options``; close it (or use it as a context manager)."""
    intervals = dict(DEFAULT_INTERVALS)
    if options.interval is not None:  # hosts without a published limit (mirrors, tests)
        intervals["*"] = options.interval
    return HttpClient(
        timeout=options.timeout,
        contact=options.contact,
        intervals=intervals,
        retry=RetryPolicy(retries=options.retries),
    )
