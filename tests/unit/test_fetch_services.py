"""Each fetcher against recorded responses (in the services' real formats) served by a real
local HTTP server: arXiv API, OAI-PMH (resumable), listing feed, Hugging Face, Zotero,
OpenAlex and id resolution."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperfeed.fetch import (
    FetchError,
    HttpClient,
    OaiHarvest,
    RetryPolicy,
    arxiv_listing,
    arxiv_lookup,
    arxiv_search,
    hf_daily,
    oai_harvest,
    openalex_work,
    openalex_works,
    resolve_ids,
    resolve_stubs,
    zotero_items,
)
from paperfeed.models import Paper
from paperfeed.sources import ParseIssue, ParseResult, parse_text
from replay import ReplayServer, Reply, Route

ROOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
FETCH = ROOT / "fetch"
SOURCES = ROOT / "sources"
JSON = "application/json; charset=utf-8"


def xml(name: str, folder: Path = FETCH, **kw: object) -> Reply:
    return Reply(body=(folder / name).read_bytes(), **kw)  # type: ignore[arg-type]


def js(name: str, folder: Path = FETCH, **kw: object) -> Reply:
    return Reply(body=(folder / name).read_bytes(), content_type=JSON, **kw)  # type: ignore[arg-type]


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
        intervals={"*": 3.0},  # arXiv's pace; the fake clock makes it free
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


# --- arXiv API ------------------------------------------------------------------------------


def test_arxiv_search_pages_through_results(
    http: HttpClient, serve: list[ReplayServer], time_: NoSleep
) -> None:
    srv = start(
        serve,
        Route("/api/query", [xml("arxiv_search_p1.xml")], {"start": "0"}),
        Route("/api/query", [xml("arxiv_search_p2.xml")], {"start": "2"}),
    )
    result = arxiv_search(
        http,
        "cat:cs.LG AND ti:diffusion",
        page_size=2,
        max_results=10,
        base_url=srv.url + "/api/query",
    )
    assert [p.id for p in result.papers] == ["2406.11111", "2406.10222", "2406.09333"]
    assert result.issues == []
    first = result.papers[0]
    assert first.version == 2 and first.authors == ("Mira Okafor", "Lars Nygård")
    assert first.categories == ("cs.LG", "stat.ML")
    q = srv.requests[0].query
    assert q["search_query"] == "cat:cs.LG AND ti:diffusion"
    assert q["sortBy"] == "submittedDate" and q["sortOrder"] == "descending"
    assert [r.query["start"] for r in srv.requests] == ["0", "2"]
    assert time_.sleeps == [3.0]  # the second page waited for arXiv's 3 s


def test_arxiv_search_stops_at_max_results(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/api/query", [xml("arxiv_search_p1.xml")]))
    result = arxiv_search(http, "ti:diffusion", max_results=2, base_url=srv.url + "/api/query")
    assert len(result.papers) == 2 and len(srv.requests) == 1
    assert srv.requests[0].query["max_results"] == "2"


def test_arxiv_search_error_is_one_line(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/api/query", [xml("arxiv_api_error.xml", SOURCES, status=400)]))
    with pytest.raises(FetchError, match="arXiv API error: incorrect id format"):
        arxiv_search(http, "id:1234.12345", base_url=srv.url + "/api/query")
    with pytest.raises(FetchError, match="empty"):
        arxiv_search(http, "  ", base_url=srv.url + "/api/query")


def test_arxiv_lookup_reports_unknown_ids(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/api/query", [xml("arxiv_idlist.xml")]))
    result = arxiv_lookup(
        http,
        ["arXiv:2401.01234v2", "https://arxiv.org/abs/hep-th/9901001", "2407.99999", "nope"],
        base_url=srv.url + "/api/query",
    )
    assert [p.id for p in result.papers] == ["2401.01234", "hep-th/9901001"]
    assert srv.requests[0].query["id_list"] == "2401.01234v2,hep-th/9901001,2407.99999"
    messages = [i.message for i in result.issues]
    assert "arXiv has no paper 2407.99999" in messages and "not an arXiv id" in messages


def test_arxiv_page_cut_off_mid_document_is_fetched_again(
    http: HttpClient, serve: list[ReplayServer]
) -> None:
    body = (FETCH / "arxiv_idlist.xml").read_bytes()
    srv = start(serve, Route("/api/query", [Reply(body=body[:900]), Reply(body=body)]))
    result = arxiv_lookup(http, ["2401.01234", "hep-th/9901001"], base_url=srv.url + "/api/query")
    assert len(result.papers) == 2 and len(srv.requests) == 2


# --- OAI-PMH ------------------------------------------------------------------------------------


def oai_routes() -> list[Route]:
    return [
        Route("/oai", [xml("oai_page2.xml")], {"resumptionToken": "7891|1001"}),
        Route("/oai", [xml("oai_page3.xml")], {"resumptionToken": "7891|2001"}),
        Route("/oai", [xml("oai_page1.xml")], {"metadataPrefix": "arXiv"}),
    ]


def test_oai_harvest_follows_resumption_tokens(
    http: HttpClient, serve: list[ReplayServer], tmp_path: Path
) -> None:
    srv = start(serve, *oai_routes())
    got: list[str] = []
    summary = oai_harvest(
        http,
        lambda page: got.extend(p.id for p in page.papers),
        set_spec="cs",
        from_date="2024-06-10",
        until="2024-06-19",
        state_dir=tmp_path,
        base_url=srv.url + "/oai",
    )
    assert got == ["2406.10001", "2406.10002", "2406.10003", "2406.10004"]
    assert summary.complete and summary.pages == 3 and summary.records == 4
    assert srv.requests[0].query == {
        "verb": "ListRecords",
        "metadataPrefix": "arXiv",
        "set": "cs",
        "from": "2024-06-10",
        "until": "2024-06-19",
    }
    assert srv.requests[1].query == {"verb": "ListRecords", "resumptionToken": "7891|1001"}
    assert list(tmp_path.iterdir()) == []  # a finished harvest leaves no state


def test_oai_harvest_resumes_after_a_crash(
    http: HttpClient, serve: list[ReplayServer], tmp_path: Path
) -> None:
    srv = start(serve, *oai_routes())
    stored: list[str] = []

    def crash_on_page_2(page: ParseResult) -> None:
        if any(p.id == "2406.10003" for p in page.papers):
            raise RuntimeError("power cut")
        stored.extend(p.id for p in page.papers)

    kwargs = {"set_spec": "cs", "state_dir": tmp_path, "base_url": srv.url + "/oai"}
    with pytest.raises(RuntimeError):
        oai_harvest(http, crash_on_page_2, **kwargs)  # type: ignore[arg-type]
    (state_file,) = tmp_path.iterdir()
    state = json.loads(state_file.read_text())
    assert state["token"] == "7891|1001" and state["pages"] == 1 and state["records"] == 2
    assert not list(tmp_path.glob(".*.tmp"))  # written via a temporary file, then renamed

    summary = oai_harvest(http, lambda page: stored.extend(p.id for p in page.papers), **kwargs)  # type: ignore[arg-type]
    assert summary.resumed and summary.complete and summary.pages == 2
    assert stored == ["2406.10001", "2406.10002", "2406.10003", "2406.10004"]
    # the second run started from the saved token, not from the beginning
    assert srv.requests[2].query == {"verb": "ListRecords", "resumptionToken": "7891|1001"}
    assert not state_file.exists()


def test_oai_max_pages_then_continue(
    http: HttpClient, serve: list[ReplayServer], tmp_path: Path
) -> None:
    srv = start(serve, *oai_routes())
    h = OaiHarvest(http, set_spec="cs", state_dir=tmp_path, base_url=srv.url + "/oai")
    seen: list[str] = []
    first = h.run(lambda page: seen.extend(p.id for p in page.papers), max_pages=1)
    assert not first.complete and h.load_state() is not None
    rest = h.run(lambda page: seen.extend(p.id for p in page.papers))
    assert rest.complete and len(seen) == 4
    assert h.load_state() is None


def test_oai_expired_token_and_errors(
    http: HttpClient, serve: list[ReplayServer], tmp_path: Path
) -> None:
    srv = start(
        serve,
        Route("/oai", [xml("oai_bad_token.xml")], {"resumptionToken": "7891|1001"}),
        Route("/oai", [xml("oai_bad_argument.xml")], {"set": "nonsense"}),
        Route("/oai", [xml("oai_no_records.xml")], {"from": "2030-01-01"}),
    )
    h = OaiHarvest(http, set_spec="cs", state_dir=tmp_path, base_url=srv.url + "/oai")
    h._save("7891|1001", 1, 2, "2024-06-20T00:00:00Z")
    with pytest.raises(FetchError, match=r"expired.*--restart"):
        h.run(lambda page: None)
    with pytest.raises(FetchError, match="noSetHierarchy"):
        oai_harvest(http, lambda page: None, set_spec="nonsense", base_url=srv.url + "/oai")
    empty = oai_harvest(http, lambda page: None, from_date="2030-01-01", base_url=srv.url + "/oai")
    assert empty.complete and empty.records == 0
    with pytest.raises(FetchError, match="YYYY-MM-DD"):
        OaiHarvest(http, from_date="June")
    with pytest.raises(FetchError, match="metadata prefix"):
        OaiHarvest(http, metadata_prefix="marc")


def test_oai_503_with_retry_after_is_waited_out(
    http: HttpClient, serve: list[ReplayServer], time_: NoSleep
) -> None:
    srv = start(
        serve,
        Route("/oai", [Reply(503, "", {"Retry-After": "20"}), xml("oai_page3.xml")]),
    )
    summary = oai_harvest(http, lambda page: None, base_url=srv.url + "/oai")
    assert summary.complete and summary.records == 1
    assert time_.sleeps == [20.0]


# --- listing feed, Hugging Face ---------------------------------------------------------------


def test_listing_feed(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/rss/cs.LG+stat.ML", [xml("arxiv_rss_cs_LG.xml", SOURCES)]))
    result = arxiv_listing(http, "cs.LG+stat.ML", base_url=srv.url)
    assert result.format == "arxiv-rss" and len(result.papers) == 4
    assert result.papers[0].extra["announce_type"] == "new"
    with pytest.raises(FetchError, match="not an arXiv category"):
        arxiv_listing(http, ["cs.LG", "../etc"], base_url=srv.url)


def test_hf_daily_papers(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/api/daily_papers", [js("hf_daily_papers.json", SOURCES)]))
    result = hf_daily(http, "2024-01-08", limit=50, base_url=srv.url)
    assert [p.id for p in result.papers] == ["2401.02954", "2401.04088"]
    assert srv.requests[0].query == {"date": "2024-01-08", "limit": "50"}
    with pytest.raises(FetchError, match="YYYY-MM-DD"):
        hf_daily(http, "yesterday", base_url=srv.url)


def test_hf_truncated_json_is_retried_then_reported(
    http: HttpClient, serve: list[ReplayServer]
) -> None:
    body = (SOURCES / "hf_daily_papers.json").read_bytes()
    srv = start(serve, Route("/api/daily_papers", [Reply(body=body[:300], content_type=JSON)]))
    with pytest.raises(FetchError, match=r"incomplete JSON.*gave up after 3 attempts"):
        hf_daily(http, base_url=srv.url)
    assert len(srv.requests) == 3


# --- Zotero --------------------------------------------------------------------------------------


def test_zotero_pages_with_link_header_and_api_key(
    http: HttpClient, serve: list[ReplayServer]
) -> None:
    link = '<{base}/users/475425/items/top?format=json&start=2&limit=2>; rel="next"'
    srv = start(
        serve,
        Route(
            "/users/475425/items/top",
            [js("zotero_items_p2.json", headers={"Total-Results": "4"})],
            {"start": "2"},
        ),
        Route(
            "/users/475425/items/top",
            [js("zotero_items_p1.json", headers={"Total-Results": "4", "Link": link})],
        ),
    )
    result = zotero_items(
        http, user="475425", api_key="P9NiFoyLeZu2bZNvvuQPDWsd", page_size=2, base_url=srv.url
    )
    assert [p.id for p in result.papers] == ["doi:10.1109/cvpr.2016.90", "2401.01234", "2406.10003"]
    assert [r.query.get("start") for r in srv.requests] == ["0", "2"]
    assert all(r.headers["zotero-api-key"] == "P9NiFoyLeZu2bZNvvuQPDWsd" for r in srv.requests)
    assert srv.requests[0].headers["zotero-api-version"] == "3"
    code = result.papers[2]
    assert code.venue == "ICML 2024" and code.authors == ("Wei Chen",)  # the editor is left out


def test_zotero_pages_by_total_results_without_link(
    http: HttpClient, serve: list[ReplayServer]
) -> None:
    srv = start(
        serve,
        Route(
            "/groups/12/items/top",
            [js("zotero_items_p2.json", headers={"Total-Results": "4"})],
            {"start": "2"},
        ),
        Route("/groups/12/items/top", [js("zotero_items_p1.json", headers={"Total-Results": "4"})]),
    )
    result = zotero_items(http, group="12", page_size=2, base_url=srv.url)
    assert len(result.papers) == 3 and len(srv.requests) == 2


def test_zotero_errors(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/users/1/items/top", [Reply(403, "Forbidden", {}, "text/plain")]))
    with pytest.raises(FetchError, match="access denied"):
        zotero_items(http, user="1", base_url=srv.url)
    with pytest.raises(FetchError, match="exactly one"):
        zotero_items(http, user="1", group="2", base_url=srv.url)
    with pytest.raises(FetchError, match="is a number"):
        zotero_items(http, user="alice", base_url=srv.url)


# --- OpenAlex and id resolution --------------------------------------------------------------


def test_openalex_work_by_doi(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(
        serve,
        Route("/works/doi:10.1109/cvpr.2016.90", [js("openalex_work.json", SOURCES)]),
        Route("/works/doi:10.1000/missing", [Reply(404, '{"error": "Not Found"}', {}, JSON)]),
    )
    result = openalex_work(http, "https://doi.org/10.1109/CVPR.2016.90", base_url=srv.url)
    assert result.papers[0].id == "1512.03385"
    missing = openalex_work(http, "10.1000/missing", base_url=srv.url)
    assert missing.papers == [] and "knows no work" in missing.issues[0].message


def test_openalex_batch(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(serve, Route("/works", [js("openalex_results.json", SOURCES)]))
    result = openalex_works(
        http,
        ["10.48550/arXiv.2401.01234", "10.1109/cvpr.2016.90", "10.1000/gone"],
        base_url=srv.url,
    )
    assert [p.id for p in result.papers] == ["2401.01234", "doi:10.1109/cvpr.2016.90"]
    assert srv.requests[0].query["filter"] == (
        "doi:10.48550/arxiv.2401.01234|10.1109/cvpr.2016.90|10.1000/gone"
    )
    assert [i.where for i in result.issues] == ["doi:10.1000/gone"]


def test_resolve_ids_and_stubs(http: HttpClient, serve: list[ReplayServer]) -> None:
    srv = start(
        serve,
        Route("/api/query", [xml("arxiv_idlist.xml")]),
        Route("/works", [js("openalex_results.json", SOURCES)]),
    )
    urls = {"arxiv_url": srv.url + "/api/query", "openalex_url": srv.url}
    resolved = resolve_ids(http, ["2401.01234v2", "doi:10.1109/CVPR.2016.90", "banana"], **urls)
    assert {p.id for p in resolved.papers} == {"2401.01234", "doi:10.1109/cvpr.2016.90"}
    assert any("banana" in i.where for i in resolved.issues)

    listing = parse_text("2401.01234v2\nhep-th/9901001\n2407.99999\n10.1109/CVPR.2016.90\n", "ids")
    kept = Paper(id="text:abc", abstract="already a paper")
    issues: list[ParseIssue] = []
    papers = resolve_stubs([kept, *listing.papers], http, issues=issues, **urls)
    assert [p.id for p in papers] == [
        "text:abc",
        "2401.01234",
        "hep-th/9901001",
        "doi:10.1109/cvpr.2016.90",
    ]
    lora = papers[1]
    assert lora.title == "Sparse Low-Rank Adapters for Efficient Fine-Tuning"
    assert "needs_fetch" not in lora.extra and lora.sources == ("ids", "arxiv-atom")
    assert [(i.where, i.skipped) for i in issues] == [("2407.99999", True)]
    assert resolve_stubs([kept], http) == [kept]  # nothing to fetch: no request
