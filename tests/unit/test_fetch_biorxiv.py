"""The bioRxiv/medRxiv fetcher against recorded pages served by a real local HTTP server:
cursor paging, the newest version across pages, category filters, limits, and every way the
API or the network can fail (429, 5xx, malformed JSON, error statuses, ignored filters)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from paperfeed.fetch import FetchError, HttpClient, RetryPolicy, biorxiv_details
from paperfeed.fetch.biorxiv import day_interval, interval
from paperfeed.fetch.session import FetchOptions
from paperfeed.fetch.sources import remote_fetcher
from replay import ReplayServer, Reply, Route

FETCH = Path(__file__).resolve().parents[1] / "fixtures" / "fetch"
JSON = "application/json"  # what api.biorxiv.org sends
SPAN = "2024-01-02/2024-01-03"
BASE = f"/details/biorxiv/{SPAN}"


def js(name: str, **kw: object) -> Reply:
    return Reply(body=(FETCH / name).read_bytes(), content_type=JSON, **kw)  # type: ignore[arg-type]


class NoSleep:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


@pytest.fixture()
def time_() -> NoSleep:
    return NoSleep()


@pytest.fixture()
def http(time_: NoSleep) -> Iterator[HttpClient]:
    with HttpClient(
        timeout=2.0,
        intervals={"*": 1.0},  # bioRxiv's pace; the fake clock makes it free
        retry=RetryPolicy(retries=2, backoff=1.0, jitter=0.0),
        clock=time_.clock,
        sleep=time_.sleep,
        rng=random.Random(0),
    ) as client:
        yield client


@pytest.fixture()
def serve() -> Iterator[list[ReplayServer]]:
    started: list[ReplayServer] = []
    yield started
    for s in started:
        s.stop()


def start(serve: list[ReplayServer], *routes: Route) -> ReplayServer:
    srv = ReplayServer(list(routes))
    serve.append(srv)
    return srv


def three_pages(serve: list[ReplayServer]) -> ReplayServer:
    return start(
        serve,
        Route(f"{BASE}/0/json", [js("biorxiv_neuro_p1.json")]),
        Route(f"{BASE}/3/json", [js("biorxiv_neuro_p2.json")]),
        Route(f"{BASE}/6/json", [js("biorxiv_neuro_p3.json")]),
    )


def test_pages_through_the_cursor_and_keeps_the_newest_version(
    http: HttpClient, serve: list[ReplayServer], time_: NoSleep
) -> None:
    srv = three_pages(serve)
    result = biorxiv_details(http, span=SPAN, categories=["Neuroscience"], base_url=srv.url)
    assert [r.path for r in srv.requests] == [f"{BASE}/0/json", f"{BASE}/3/json", f"{BASE}/6/json"]
    assert all(r.query == {"category": "neuroscience"} for r in srv.requests)
    assert time_.sleeps == [1.0, 1.0]  # one request a second
    assert result.issues == [] and result.format == "biorxiv-json"
    ids = [p.id for p in result.papers]
    assert len(ids) == 6 == len(set(ids))  # 7 records, one DOI twice (v1 on page 1, v2 on 2)
    grid = result.papers[0]
    assert grid.id == "doi:10.1101/2023.12.28.573540" and grid.version == 2
    assert grid.url.endswith("573540v2") and "& debated" in grid.abstract
    assert result.papers[-1].id == "doi:10.1101/2023.12.20.572611"


def test_limit_and_max_pages_bound_a_listing(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = three_pages(serve)
    two = biorxiv_details(http, span=SPAN, limit=2, base_url=srv.url)
    assert len(two.papers) == 2 and len(srv.requests) == 1 and srv.requests[0].query == {}
    one_page = biorxiv_details(http, span=SPAN, max_pages=1, base_url=srv.url)
    assert len(one_page.papers) == 3 and len(srv.requests) == 2
    (note,) = one_page.issues
    assert "stopped after 1 pages (limit max_pages)" in note.message
    assert note.where == f"bioRxiv API {SPAN} cursor 3"


def test_medrxiv_and_the_days_interval(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/details/medrxiv/7d/0/json", [js("medrxiv_epidemiology.json")]))
    result = biorxiv_details(http, "medrxiv", span="7d", base_url=srv.url)
    assert [p.url for p in result.papers] == [
        "https://www.medrxiv.org/content/10.1101/2024.01.02.24300712v1",
        "https://www.medrxiv.org/content/10.1101/2023.12.29.23300644v2",
    ]
    assert srv.requests[0].headers["user-agent"].startswith("paperfeed/")


def test_429_is_waited_out_then_the_page_is_read(
    http: HttpClient, serve: list[ReplayServer], time_: NoSleep
) -> None:
    srv = start(
        serve,
        Route(
            "/details/medrxiv/1d/0/json",
            [
                Reply(429, "Too Many Requests", {"Retry-After": "7"}, "text/plain"),
                js("medrxiv_epidemiology.json"),
            ],
        ),
    )
    result = biorxiv_details(http, "medrxiv", base_url=srv.url)
    assert len(result.papers) == 2 and len(srv.requests) == 2
    assert 7.0 in time_.sleeps


def test_server_errors_end_in_one_line(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/details/biorxiv/1d/0/json", [Reply(500, "oops", {}, "text/html")]))
    with pytest.raises(FetchError) as err:
        biorxiv_details(http, base_url=srv.url)
    message = str(err.value)
    assert message.startswith("bioRxiv API: HTTP 500 Internal Server Error for http://127.0.0.1")
    assert message.endswith("gave up after 3 attempts") and "\n" not in message
    assert len(srv.requests) == 3


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"messages":[{"status":"ok"', r"incomplete JSON.*gave up after 3 attempts"),
        ("", r"incomplete JSON.*gave up after 3 attempts"),  # an empty 200 is not "no posts"
        ("<html><body>Service busy</body></html>", r"incomplete JSON"),
    ],
)
def test_malformed_answers_are_retried_then_one_line(
    http: HttpClient, serve: list[ReplayServer], body: str, expected: str
) -> None:
    srv = start(serve, Route("/details/biorxiv/1d/0/json", [Reply(body=body, content_type=JSON)]))
    with pytest.raises(FetchError, match=expected) as err:
        biorxiv_details(http, base_url=srv.url)
    assert "\n" not in str(err.value) and len(srv.requests) == 3


def test_answers_the_api_marks_as_errors(http: HttpClient, serve: list[ReplayServer]) -> None:
    error = '{"messages":[{"status":"error: interval not valid"}],"collection":[]}'
    srv = start(
        serve,
        Route("/details/biorxiv/1d/0/json", [Reply(body=error, content_type=JSON)]),
        Route("/details/biorxiv/2d/0/json", [Reply(body='{"collection": []}', content_type=JSON)]),
        Route("/details/biorxiv/3d/0/json", [js("biorxiv_no_posts.json")]),
    )
    with pytest.raises(FetchError, match=r"^bioRxiv API: error: interval not valid \(for http"):
        biorxiv_details(http, base_url=srv.url)
    with pytest.raises(FetchError, match="not a bioRxiv API answer"):
        biorxiv_details(http, span="2d", base_url=srv.url)
    nothing = biorxiv_details(http, span="3d", base_url=srv.url)
    assert nothing.papers == [] and nothing.issues == []


def test_a_category_the_api_ignored_is_an_error_naming_the_known_ones(
    http: HttpClient, serve: list[ReplayServer]
) -> None:
    srv = start(serve, Route("/details/biorxiv/1d/0/json", [js("biorxiv_filter_ignored.json")]))
    with pytest.raises(FetchError) as err:
        biorxiv_details(http, categories=["neuroscienc"], base_url=srv.url)
    message = str(err.value)
    assert message.startswith("bioRxiv API ignored the category filter 'neuroscienc'")
    assert "known: animal behavior and cognition, biochemistry," in message
    assert srv.requests[0].query == {"category": "neuroscienc"}
    assert len(srv.requests) == 1  # not 52,190 unfiltered preprints


def test_several_categories_are_listed_one_after_the_other(
    http: HttpClient, serve: list[ReplayServer]
) -> None:
    srv = start(
        serve,
        Route("/details/medrxiv/1d/0/json", [js("medrxiv_epidemiology.json")]),
    )
    result = biorxiv_details(
        http, "medrxiv", categories=["epidemiology", "Epidemiology"], base_url=srv.url
    )
    assert len(result.papers) == 2 and len(srv.requests) == 1  # one listing per category


def test_usage_errors() -> None:
    with HttpClient() as client:
        with pytest.raises(FetchError, match="biorxiv or medrxiv"):
            biorxiv_details(client, "arxiv")
        with pytest.raises(FetchError, match="not an interval"):
            biorxiv_details(client, span="../../etc")
        with pytest.raises(FetchError, match="limit must be at least 1"):
            biorxiv_details(client, limit=0)


def test_intervals() -> None:
    assert interval() == "1d" and interval(days=7) == "7d"
    today = date(2024, 1, 9)
    assert interval(from_date="2024-01-02", today=today) == "2024-01-02/2024-01-09"
    assert interval(from_date="2024-01-02", until="2024-01-03") == SPAN
    assert day_interval("2024-01-03") == SPAN
    for kwargs, message in [
        ({"days": 7, "from_date": "2024-01-02"}, "not both"),
        ({"until": "2024-01-03"}, "--until needs --from"),
        ({"from_date": "2024-01-05", "until": "2024-01-03"}, "is after"),
        ({"from_date": "Jan 5"}, "YYYY-MM-DD"),
        ({"days": 0}, "between 1 and 3650"),
    ]:
        with pytest.raises(FetchError, match=message):
            interval(**kwargs)  # type: ignore[arg-type]


def test_the_daily_source_fetches_the_day_before_and_the_day(
    serve: list[ReplayServer],
) -> None:
    no_posts = [js("biorxiv_no_posts.json")]
    srv = start(
        serve,
        Route(f"{BASE}/0/json", no_posts, {"category": "cell_biology"}),
        Route(f"{BASE}/0/json", [js("biorxiv_neuro_p1.json")]),
        Route(f"{BASE}/3/json", [js("biorxiv_neuro_p2.json")]),
        Route(f"{BASE}/6/json", [js("biorxiv_neuro_p3.json")]),
    )
    med = start(
        serve,
        Route(f"/details/medrxiv/{SPAN}/0/json", [js("medrxiv_epidemiology.json")]),
    )
    fetch = remote_fetcher(
        options=FetchOptions(timeout=2.0, retries=1, interval=0.0),
        base_urls={"biorxiv": srv.url, "medrxiv": med.url},
    )
    neuro = fetch("biorxiv", "neuroscience+cell biology", "2024-01-03")
    queries = [r.query.get("category") for r in srv.requests]
    assert queries == ["neuroscience"] * 3 + ["cell_biology"] and len(neuro.papers) == 6
    assert len(fetch("medrxiv", "", "2024-01-03").papers) == 2 and len(med.requests) == 1
