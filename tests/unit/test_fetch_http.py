"""The HTTP client against a real local server: rate limits, retries, Retry-After, broken
responses, timeouts, and the one-line error after the last retry."""

from __future__ import annotations

import gzip
import logging
import random
import time
from collections.abc import Iterator

import httpx
import pytest

from paperfeed.fetch.common import complete_xml
from paperfeed.fetch.http import (
    FetchError,
    HttpClient,
    RateLimiter,
    RetryPolicy,
    retry_after_seconds,
    user_agent,
)
from replay import ReplayServer, Reply, Route

XML = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>ok</title></feed>'


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture()
def fake() -> FakeTime:
    return FakeTime()


def client(fake: FakeTime, **kw: object) -> HttpClient:
    args: dict[str, object] = {
        "timeout": 2.0,
        "intervals": {"*": 3.0},
        "retry": RetryPolicy(retries=3, backoff=1.0, jitter=0.0),
        "clock": fake.clock,
        "sleep": fake.sleep,
        "rng": random.Random(0),
    }
    args.update(kw)
    return HttpClient(**args)  # type: ignore[arg-type]


@pytest.fixture()
def server(request: pytest.FixtureRequest) -> Iterator[ReplayServer]:
    srv = ReplayServer(request.param)
    yield srv
    srv.stop()


def routes(*replies: Reply, path: str = "/api") -> list[Route]:
    return [Route(path, list(replies))]


# --- rate limiter -------------------------------------------------------------------------


def test_rate_limiter_spaces_calls(fake: FakeTime) -> None:
    lim = RateLimiter(3.0, clock=fake.clock, sleep=fake.sleep)
    assert lim.wait() == 0.0
    fake.now += 1.0
    assert lim.wait() == pytest.approx(2.0)
    assert lim.wait() == pytest.approx(3.0)
    lim.defer(10.0)
    assert lim.wait() == pytest.approx(10.0)
    with pytest.raises(ValueError):
        RateLimiter(-1)


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    http_date = "Wed, 21 Oct 2015 07:28:30 GMT"
    assert retry_after_seconds(http_date, now=1445412500.0) == pytest.approx(10.0)


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff=2.0, max_backoff=10.0, jitter=0.5)
    rng = random.Random(1)
    delays = [policy.delay(n, rng) for n in range(5)]
    assert 2.0 <= delays[0] <= 3.0 and 4.0 <= delays[1] <= 6.0
    assert max(delays) <= 10.0


def test_user_agent_names_paperfeed_and_a_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAPERFEED_CONTACT", raising=False)
    ua = user_agent()
    assert ua.startswith("paperfeed/") and "mailto:" in ua
    assert "mailto:me@lab.org" in user_agent("me@lab.org")


# --- requests against a real server ---------------------------------------------------------


@pytest.mark.parametrize("server", [routes(Reply(body=XML))], indirect=True)
def test_get_sends_user_agent_and_waits_between_requests(
    server: ReplayServer, fake: FakeTime
) -> None:
    with client(fake) as http:
        for _ in range(3):
            assert http.get(f"{server.url}/api", params={"q": "x"}).text == XML
    assert [r.query for r in server.requests] == [{"q": "x"}] * 3
    assert server.requests[0].headers["user-agent"].startswith("paperfeed/")
    assert fake.sleeps == [3.0, 3.0]  # one request every 3 s, no more


@pytest.mark.parametrize(
    "server",
    [routes(Reply(429, "slow down", {"Retry-After": "7"}), Reply(503), Reply(body=XML))],
    indirect=True,
)
def test_429_retry_after_and_503_are_retried(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, intervals={"*": 0.0}) as http:
        assert http.get(f"{server.url}/api").text == XML
        assert http.requests == 3
    assert len(server.requests) == 3
    assert fake.sleeps == [7.0, 2.0]  # Retry-After honoured, then backoff 1 s * 2**1


@pytest.mark.parametrize("server", [routes(Reply(503, "down"))], indirect=True)
def test_gives_up_with_one_line_after_the_last_retry(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, intervals={"*": 0.0}) as http, pytest.raises(FetchError) as err:
        http.get(f"{server.url}/api", what="arXiv API")
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("arXiv API: HTTP 503") and "gave up after 4 attempts" in msg
    assert err.value.status == 503
    assert fake.sleeps == [1.0, 2.0, 4.0]  # exponential backoff
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    "server", [routes(Reply(404, "no such thing", {}, "text/plain"))], indirect=True
)
def test_client_errors_are_not_retried(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake) as http, pytest.raises(FetchError, match=r"HTTP 404.*no such thing") as err:
        http.get(f"{server.url}/api")
    assert err.value.status == 404
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "server", [routes(Reply(body=XML, truncate=20), Reply(body=XML))], indirect=True
)
def test_a_truncated_body_is_retried(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, intervals={"*": 0.0}) as http:
        assert http.get(f"{server.url}/api").text == XML
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "server",
    [routes(Reply(body=XML[:40]), Reply(body=XML))],  # complete HTTP, cut-off XML
    indirect=True,
)
def test_an_incomplete_document_is_retried(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, intervals={"*": 0.0}) as http:
        assert http.get(f"{server.url}/api", validate=complete_xml).text == XML
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "server", [routes(Reply(body=XML, delay=1.0), Reply(body=XML))], indirect=True
)
def test_a_timeout_is_retried(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, timeout=0.2, intervals={"*": 0.0}) as http:
        assert http.get(f"{server.url}/api").text == XML
    assert len(server.requests) == 2


@pytest.mark.parametrize("server", [routes(Reply(body=XML, delay=1.0))], indirect=True)
def test_timeouts_end_in_one_line_error(server: ReplayServer, fake: FakeTime) -> None:
    retry = RetryPolicy(retries=1, backoff=0.5, jitter=0.0)
    with client(fake, timeout=0.2, retry=retry) as http, pytest.raises(FetchError) as err:
        http.get(f"{server.url}/api", what="OpenAlex")
    assert "OpenAlex: no answer within 0.2 s" in str(err.value)
    assert "gave up after 2 attempts" in str(err.value)


def test_connection_refused_fails_at_once(fake: FakeTime) -> None:
    srv = ReplayServer([])
    url = srv.url
    srv.stop()  # nothing listens there any more
    retry = RetryPolicy(retries=1, backoff=0.1, jitter=0.0)
    with client(fake, retry=retry) as http, pytest.raises(FetchError, match="cannot connect"):
        http.get(f"{url}/api")
    assert http.requests == 1 and fake.sleeps == []


@pytest.mark.parametrize(
    "server", [routes(Reply(body=XML, headers={"Backoff": "30"}), Reply(body=XML))], indirect=True
)
def test_backoff_header_delays_the_next_request(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, intervals={"*": 0.0}) as http:
        http.get(f"{server.url}/api")
        http.get(f"{server.url}/api")
    assert fake.sleeps == [30.0]


# --- hostile or failing servers (issue 14 point 6, issue 13 point 7) --------------------------


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors_are_retried(status: int, fake: FakeTime) -> None:
    with ReplayServer(routes(Reply(status, "oops"), Reply(body=XML))) as srv:
        with client(fake, intervals={"*": 0.0}) as http:
            assert http.get(f"{srv.url}/api").text == XML
        assert len(srv.requests) == 2
    assert fake.sleeps == [1.0]


@pytest.mark.parametrize(
    "server",
    [routes(Reply(503, "busy", {"Retry-After": "86400"}), Reply(body=XML))],
    indirect=True,
)
def test_retry_after_is_capped(server: ReplayServer, fake: FakeTime) -> None:
    retry = RetryPolicy(retries=1, backoff=1.0, jitter=0.0, max_retry_after=120.0)
    with client(fake, intervals={"*": 0.0}, retry=retry) as http:
        assert http.get(f"{server.url}/api").text == XML
    assert fake.sleeps == [120.0]  # not a day


def _mock(*outcomes: Exception | httpx.Response) -> tuple[httpx.MockTransport, list[str]]:
    """A transport that raises or returns ``outcomes`` in order (the last one repeats)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        outcome = outcomes[min(len(seen), len(outcomes) - 1)]
        seen.append(str(request.url))
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return httpx.MockTransport(handler), seen


def test_a_connect_timeout_is_retried(fake: FakeTime) -> None:
    transport, seen = _mock(httpx.ConnectTimeout("timed out"), httpx.Response(200, text=XML))
    with client(fake, intervals={"*": 0.0}, transport=transport) as http:
        assert http.get("https://example.org/api").text == XML
    assert len(seen) == 2 and fake.sleeps == [1.0]


@pytest.mark.parametrize(
    "error",
    [
        "[Errno -3] Temporary failure in name resolution",
        "[Errno -2] Name or service not known",
        "[Errno 101] Network is unreachable",
    ],
)
def test_no_network_fails_at_once(error: str, fake: FakeTime) -> None:
    transport, seen = _mock(httpx.ConnectError(error))
    with client(fake, transport=transport) as http, pytest.raises(FetchError) as err:
        http.get("https://export.arxiv.org/api/query", what="arXiv API")
    assert len(seen) == 1 and fake.sleeps == []  # no backoff: 35-42 s offline before
    msg = str(err.value)
    assert msg.startswith(f"arXiv API: cannot connect ({error})") and "not retried" in msg


def test_retries_are_logged_while_waiting(fake: FakeTime, caplog: pytest.LogCaptureFixture) -> None:
    with (
        ReplayServer(routes(Reply(503, "busy"), Reply(body=XML))) as srv,
        caplog.at_level(logging.INFO, logger="paperfeed.fetch"),
        client(fake) as http,
    ):
        http.get(f"{srv.url}/api")
    (record,) = caplog.records
    assert record.name == "paperfeed.fetch"
    assert record.getMessage() == (
        "waiting 1 s before retry 1 of 3 (HTTP 503 Service Unavailable from 127.0.0.1)"
    )


@pytest.mark.parametrize(
    "server",
    [
        routes(
            Reply(body=b"this is not gzip at all", headers={"Content-Encoding": "gzip"}),
            Reply(body=XML),
        )
    ],
    indirect=True,
)
def test_a_corrupt_content_encoding_is_retried(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, intervals={"*": 0.0}) as http:
        assert http.get(f"{server.url}/api").text == XML
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "server",
    [routes(Reply(body=b"still not gzip", headers={"Content-Encoding": "gzip"}))],
    indirect=True,
)
def test_a_corrupt_encoding_ends_in_one_line_error(server: ReplayServer, fake: FakeTime) -> None:
    retry = RetryPolicy(retries=1, backoff=1.0, jitter=0.0)
    with client(fake, retry=retry) as http, pytest.raises(FetchError) as err:
        http.get(f"{server.url}/api", what="OpenAlex")
    assert str(err.value).startswith("OpenAlex: corrupt compressed body (")
    assert "gave up after 2 attempts" in str(err.value)


@pytest.mark.parametrize(
    "server", [routes(Reply(302, headers={"Location": "{base}/api"}))], indirect=True
)
def test_a_redirect_loop_is_a_one_line_error(server: ReplayServer, fake: FakeTime) -> None:
    with client(fake, intervals={"*": 0.0}) as http, pytest.raises(FetchError) as err:
        http.get(f"{server.url}/api", what="Zotero")
    assert str(err.value).startswith("Zotero: too many redirects (a redirect loop?) for http")
    assert len(server.requests) == 21  # one request and 20 redirects, not retried


@pytest.mark.parametrize(
    "server", [routes(Reply(body=XML, drip=0.05), Reply(body=XML))], indirect=True
)
def test_a_dripping_server_is_cut_off_at_the_deadline(server: ReplayServer, fake: FakeTime) -> None:
    start = time.monotonic()
    with client(fake, deadline=0.3, intervals={"*": 0.0}) as http:
        assert http.get(f"{server.url}/api").text == XML
    assert time.monotonic() - start < 2.0  # the drip alone takes 4.5 s
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "server",
    [
        routes(Reply(body=b"x" * 5000), path="/announced"),
        routes(
            Reply(body=gzip.compress(b"x" * 500_000), headers={"Content-Encoding": "gzip"}),
            path="/inflated",
        ),
    ],
    indirect=True,
)
def test_an_oversized_response_is_refused(server: ReplayServer, fake: FakeTime) -> None:
    path = server.routes[0].path
    with client(fake, max_bytes=4096) as http, pytest.raises(FetchError) as err:
        http.get(f"{server.url}{path}", what="OpenAlex")
    assert str(err.value).startswith("OpenAlex: response larger than 4 KB for http")
    assert len(server.requests) == 1
