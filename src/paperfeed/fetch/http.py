"""The HTTP side of fetching: one polite client with timeouts, per-host rate limits and
retries (exponential backoff with jitter, ``Retry-After`` honoured).

Time-outs, 429/5xx and broken or corrupt bodies are retried, each wait logged on the
``paperfeed.fetch`` logger; no network (a name that does not resolve, a refused
connection), a redirect loop and an oversized body fail at once. Every request has an
overall deadline, so a server dripping bytes is cut off.

Every service module in :mod:`paperfeed.fetch` goes through :class:`HttpClient.get`; tests
inject a fake clock and sleep so that nothing waits for real.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from paperfeed import __version__
from paperfeed.settings import ENV
from paperfeed.sources.reading import size_text

CONTACT_PLACEHOLDER = "paperfeed-user@example.org"
PROJECT_URL = "https://github.com/paperfeed/paperfeed"

# Seconds between two requests to one host: arXiv asks for one request every 3 s (API,
# OAI-PMH and listings alike); OpenAlex allows 10 per second; the others (bioRxiv included)
# publish no number, so we stay gentle. "*" is every other host.
DEFAULT_INTERVALS: dict[str, float] = {
    "export.arxiv.org": 3.0,
    "arxiv.org": 3.0,
    "oaipmh.arxiv.org": 3.0,
    "rss.arxiv.org": 3.0,
    "api.openalex.org": 0.1,
    "huggingface.co": 0.5,
    "api.zotero.org": 0.5,
    "api.biorxiv.org": 1.0,
    "*": 1.0,
}
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""Default cap on one response body, decompressed (the largest API pages are a few MB)."""
DEADLINE = 120.0
"""Default seconds one request may take in all, however steadily the bytes trickle in."""

log = logging.getLogger("paperfeed.fetch")

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Validator = Callable[[httpx.Response], str | None]


class FetchError(ValueError):
    """A request that failed for good (after retries, or a status not worth retrying).

    A ``ValueError`` so that command-line layers show it as one line. ``status`` is the
    last HTTP status, when there was one.
    """

    def __init__(self, message: str, *, status: int | None = None, url: str = "") -> None:
        super().__init__(" ".join(message.split()))
        self.status = status
        self.url = url


def user_agent(contact: str | None = None) -> str:
    """``paperfeed/0.1.0 (+project URL; mailto:contact)`` — services ask for a way to reach
    whoever runs the harvester; ``$PAPERFEED_CONTACT`` sets it."""
    who = contact or ENV.contact.read() or CONTACT_PLACEHOLDER
    return f"paperfeed/{__version__} (+{PROJECT_URL}; mailto:{who})"


class RateLimiter:
    """At most one call of :meth:`wait` per ``interval`` seconds (thread-safe).

    ``defer(s)`` pushes the next allowed time back (a server's ``Retry-After`` or
    ``Backoff``). ``clock`` and ``sleep`` are injectable so that tests never sleep.
    """

    def __init__(
        self, interval: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        if interval < 0:
            raise ValueError("a rate-limit interval cannot be negative")
        self.interval = float(interval)
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until a request is allowed; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            delay = max(0.0, self._next - now)
            if delay > 0:
                self._sleep(delay)
                now += delay
            self._next = now + self.interval
            return delay

    def defer(self, seconds: float) -> None:
        """No request before ``seconds`` from now."""
        with self._lock:
            self._next = max(self._next, self._clock() + max(0.0, seconds))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``retries`` more attempts after the first, waiting ``backoff * 2**n`` seconds (plus up
    to ``jitter`` of that at random, capped at ``max_backoff``) or what ``Retry-After`` asks
    (capped at ``max_retry_after``)."""

    retries: int = 4
    backoff: float = 2.0
    max_backoff: float = 60.0
    jitter: float = 0.5
    max_retry_after: float = 300.0
    statuses: frozenset[int] = RETRY_STATUSES

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.max_backoff, self.backoff * (2**attempt))
        return min(self.max_backoff, base * (1.0 + self.jitter * rng.random()))


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every client (building one costs ~0.1 s)."""
    return httpx.create_ssl_context()


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _shorten(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


class _Failure(Exception):
    """One attempt that failed in a way worth retrying."""

    def __init__(
        self, problem: str, shown: str, *, status: int | None = None, wait: float | None = None
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.shown = shown
        self.status = status
        self.wait = wait


class HttpClient:
    """GET with a User-Agent, timeouts, per-host rate limits and retries.

    ``intervals`` maps host → seconds between requests (``"*"``: any other host);
    ``timeout`` bounds each network wait, ``deadline`` a whole request, ``max_bytes`` a
    body; ``clock``/``sleep``/``rng`` are injectable for tests. Use as a context manager or
    call :meth:`close`.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        deadline: float = DEADLINE,
        max_bytes: int = MAX_RESPONSE_BYTES,
        contact: str | None = None,
        intervals: Mapping[str, float] | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.retry = retry or RetryPolicy()
        self.intervals = dict(DEFAULT_INTERVALS if intervals is None else intervals)
        self.user_agent = user_agent(contact)
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._limiters: dict[str, RateLimiter] = {}
        self._lock = threading.Lock()
        self.requests = 0  # how many HTTP requests were sent (retries included)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            transport=transport,
            verify=_ssl_context(),
        )

    # --- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- rate limits -------------------------------------------------------------------

    def limiter(self, host: str) -> RateLimiter:
        """The rate limiter of ``host`` (created on first use)."""
        with self._lock:
            lim = self._limiters.get(host)
            if lim is None:
                interval = self.intervals.get(host, self.intervals.get("*", 1.0))
                lim = RateLimiter(interval, clock=self._clock, sleep=self._sleep)
                self._limiters[host] = lim
            return lim

    # --- requests ----------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        what: str = "",
        ok_statuses: Iterable[int] = (),
        validate: Validator | None = None,
        body: bytes | None = None,
        method: str | None = None,
    ) -> httpx.Response:
        """GET ``url`` (POST ``body`` when one is given, or send it with ``method``, e.g. PUT)
        and return the response (body read).

        Retries timeouts, broken connections, truncated or corrupt bodies, the statuses of
        :class:`RetryPolicy` and bodies ``validate`` rejects (it returns a problem or
        None). Any other status ≥ 400 not in ``ok_statuses`` raises :class:`FetchError`
        at once, as do no network, a redirect loop and an oversized body; so does the last
        failed attempt. ``what`` names the service in messages.
        """
        label = what or _host(url) or url
        limiter = self.limiter(_host(url))
        policy = self.retry
        attempts = policy.retries + 1
        failure = _Failure("", _shorten(url))
        for attempt in range(attempts):
            limiter.wait()
            self.requests += 1
            try:
                resp = self._send(url, params, headers, label, body, method)
                return self._check(resp, label, set(ok_statuses), validate, limiter)
            except _Failure as exc:
                failure = exc
            if attempt == attempts - 1:
                break
            if failure.wait is None:
                wait = policy.delay(attempt, self._rng)
            else:
                wait = min(failure.wait, policy.max_retry_after)
            log.info(
                "waiting %.0f s before retry %d of %d (%s from %s)",
                wait,
                attempt + 1,
                policy.retries,
                failure.problem,
                _host(url) or url,
            )
            limiter.defer(wait)
        raise FetchError(
            f"{label}: {failure.problem} for {failure.shown}; gave up after {attempts} attempt"
            + ("s" if attempts > 1 else ""),
            status=failure.status,
            url=url,
        )

    def _send(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        label: str,
        body: bytes | None = None,
        method: str | None = None,
    ) -> httpx.Response:
        """One request, transport errors sorted into retryable (:class:`_Failure`) and final
        (:class:`FetchError`)."""
        shown = _shorten(url)
        try:
            return self._read(url, params, headers, label, body, method)
        except httpx.TimeoutException:
            raise _Failure(f"no answer within {self.timeout:g} s", shown) from None
        except httpx.ConnectError as exc:  # no network, unknown host, refused: retrying is moot
            raise FetchError(
                f"{label}: cannot connect ({_first_line(exc)}) for {shown}; "
                "not retried, check the network connection",
                url=url,
            ) from None
        except httpx.TooManyRedirects:
            raise FetchError(
                f"{label}: too many redirects (a redirect loop?) for {shown}", url=url
            ) from None
        except httpx.DecodingError as exc:
            raise _Failure(f"corrupt compressed body ({_first_line(exc)})", shown) from None
        except httpx.RemoteProtocolError as exc:
            raise _Failure(f"connection broken ({_first_line(exc)})", shown) from None
        except httpx.TransportError as exc:
            raise _Failure(f"cannot connect ({_first_line(exc)})", shown) from None

    def _read(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        label: str,
        body: bytes | None = None,
        method: str | None = None,
    ) -> httpx.Response:
        """GET ``url`` (POST ``body``, or ``method``) and read the answer within
        :attr:`deadline` and :attr:`max_bytes`."""
        stop = time.monotonic() + self.deadline
        method = method or ("GET" if body is None else "POST")
        with self._client.stream(method, url, params=params, headers=headers, content=body) as resp:
            shown = _shorten(str(resp.request.url))
            announced = resp.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) > self.max_bytes:
                raise self._oversized(label, shown, str(resp.request.url))
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._oversized(label, shown, str(resp.request.url))
                chunks.append(chunk)
                if time.monotonic() > stop:
                    raise _Failure(f"body not complete within {self.deadline:g} s", shown)
        plain = [
            (k, v)
            for k, v in resp.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            resp.status_code,
            headers=plain,
            content=b"".join(chunks),
            request=resp.request,
            extensions={
                k: v for k, v in resp.extensions.items() if k in ("http_version", "reason_phrase")
            },
        )

    def _oversized(self, label: str, shown: str, url: str) -> FetchError:
        return FetchError(
            f"{label}: response larger than {size_text(self.max_bytes)} for {shown}; refused "
            "(limit max_bytes)",
            url=url,
        )

    def _check(
        self,
        resp: httpx.Response,
        label: str,
        accepted: set[int],
        validate: Validator | None,
        limiter: RateLimiter,
    ) -> httpx.Response:
        """``resp`` when it is usable; raises :class:`_Failure` for a status or body worth
        retrying, :class:`FetchError` for any other error status."""
        policy = self.retry
        status = resp.status_code
        shown = _shorten(str(resp.request.url))
        backoff = retry_after_seconds(resp.headers.get("Backoff"))
        if backoff:
            limiter.defer(min(backoff, policy.max_retry_after))
        if status in policy.statuses and status not in accepted:
            raise _Failure(
                f"HTTP {status} {resp.reason_phrase}".rstrip(),
                shown,
                status=status,
                wait=retry_after_seconds(resp.headers.get("Retry-After")),
            )
        if status >= 400 and status not in accepted:
            raise FetchError(
                f"{label}: HTTP {status} {resp.reason_phrase} for {shown}" + _body_hint(resp),
                status=status,
                url=str(resp.request.url),
            )
        bad = validate(resp) if validate else None
        if bad is not None:
            raise _Failure(f"unusable response ({bad})", shown, status=status)
        return resp


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__


def _body_hint(resp: httpx.Response) -> str:
    """``': <first words of a short text body>'`` for error messages, else ''."""
    ctype = resp.headers.get("Content-Type", "")
    if not any(t in ctype for t in ("text/plain", "json")):
        return ""
    text = " ".join(resp.text.split())[:160]
    return f": {text}" if text else ""
