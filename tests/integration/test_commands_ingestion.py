"""`paperfeed parse`, `author` and `fetch …` end to end with click's CliRunner; fetchers talk
to a real local server playing recorded responses. Also: `ingest` and `profile add` read
every format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperfeed.cli import cli
from paperfeed.store import open_store
from replay import ReplayServer, Reply, Route

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
SEED_001 = ROOT.parent / "shared" / "seeds" / "001_d815dd8ff115ccd5.txt"
JSON = "application/json; charset=utf-8"


def run(home: Path, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *args], input=input)
    assert "Traceback" not in result.output
    return result


def ok(home: Path, *args: str, input: str | None = None) -> Result:
    result = run(home, *args, input=input)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def fail(home: Path, *args: str) -> str:
    result = run(home, *args)
    assert result.exit_code != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("Error: ")
    return lines[-1]


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture()
def server() -> Iterator[list[ReplayServer]]:
    started: list[ReplayServer] = []
    yield started
    for s in started:
        s.stop()


def serve(started: list[ReplayServer], *routes: Route) -> str:
    srv = ReplayServer(list(routes))
    started.append(srv)
    return srv.url


def reply(folder: str, name: str, **kw: object) -> Reply:
    body = (FIX / folder / name).read_bytes()
    ctype = JSON if name.endswith(".json") else "application/xml; charset=utf-8"
    return Reply(body=body, content_type=ctype, **kw)  # type: ignore[arg-type]


def fetch(home: Path, *args: str) -> Result:
    return ok(home, "fetch", "--interval", "0", "--retries", "1", "--timeout", "2", *args)


# --- parse ------------------------------------------------------------------------------------


def test_parse_prints_json_lines_and_stores_nothing(home: Path) -> None:
    result = ok(home, "parse", str(FIX / "sources" / "library.bib"))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows][:2] == ["1706.03762", "1810.04805"]
    assert all(r["sources"] == ["bibtex"] for r in rows)
    assert "skipped" in result.stderr and "malformed BibTeX entry" in result.stderr
    assert "papers (bibtex)" in result.stderr.splitlines()[-1]
    assert not (home / "paperfeed.db").exists()


def test_parse_stdin_format_override_and_errors(home: Path) -> None:
    text = "Abstract: We study sparse attention and routing for very long documents in depth.\n"
    result = ok(home, "parse", "-", "--format", "abstracts", input=text)
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["abstract"].startswith("We study sparse attention") and row["id"].startswith("text:")
    assert "no such file" in fail(home, "parse", str(home / "missing.txt"))
    assert "not text" in fail(home, "parse", str(FIX / "sources" / "binary.png.txt"))
    assert run(home, "parse", "x", "--format", "nope").exit_code == 2


# --- author -----------------------------------------------------------------------------------


@pytest.mark.skipif(not SEED_001.exists(), reason="shared seeds not present")
def test_author_from_the_seed_listing_shows_the_people(home: Path) -> None:
    result = ok(home, "author", "Qiang Liu", "--from", str(SEED_001))
    out = result.stdout
    assert out.startswith("Qiang Liu: 10 papers, 5 people")
    assert "recommendation" in out and "subspace descent" in out and "vehicle" in out
    data = json.loads(ok(home, "author", "Qiang Liu", "--from", str(SEED_001), "--json").stdout)
    groups = [{p["id"] for p in person["papers"]} for person in data["people"]]
    assert {"2409.01081", "2408.12456", "2408.10645", "2408.06360", "2408.04400"} in groups
    assert {"2408.00621"} in groups and len(groups) == 5
    tfidf = ok(home, "author", "Qiang Liu", "--from", str(SEED_001), "--vectors", "tfidf")
    assert "Qiang Liu: 10 papers" in tfidf.stdout


def test_author_from_the_store(home: Path) -> None:
    ok(home, "ingest", "--no-embed", str(FIX / "identity" / "arxiv.jsonl"))
    ok(home, "ingest", "--no-embed", str(FIX / "identity" / "library.bib"))
    data = json.loads(ok(home, "author", "ana muller", "--json", "--vectors", "tfidf").stdout)
    assert data["papers"] == 1
    (person,) = data["people"]
    assert person["papers"][0]["id"] == "2406.12345"
    assert "Wei Chen" in person["coauthors"]
    assert "no papers by 'Nobody Atall'" in fail(home, "author", "Nobody Atall")


# --- fetch ------------------------------------------------------------------------------------


def test_fetch_arxiv_search_and_ids(home: Path, server: list[ReplayServer]) -> None:
    url = serve(
        server,
        Route("/api/query", [reply("fetch", "arxiv_search_p1.xml")], {"start": "0"}),
        Route("/api/query", [reply("fetch", "arxiv_search_p2.xml")], {"start": "2"}),
        Route("/ids/query", [reply("fetch", "arxiv_idlist.xml")]),
    )
    out = fetch(home, "arxiv", "cat:cs.LG", "AND", "ti:diffusion", "--base-url", f"{url}/api/query")
    assert out.stdout.startswith("arxiv: read 2, 2 new")  # 2 per page by default? no: max 100
    out = fetch(
        home, "arxiv", "--id", "2401.01234v2", "--id", "hep-th/9901001", "--json",
        "--base-url", f"{url}/ids/query", "--profile", "ann",
    )  # fmt: skip
    summary = json.loads(out.stdout)
    assert summary["inserted"] == 2 and summary["added_to_profile"] == 2
    with open_store(home / "paperfeed.db") as store:
        assert store.get_paper("2401.01234").title.startswith("Sparse Low-Rank")  # type: ignore[union-attr]
        assert [p.id for p in store.profile_papers("ann")] == ["2401.01234", "hep-th/9901001"]


def test_fetch_oai_is_resumable(home: Path, server: list[ReplayServer]) -> None:
    url = serve(
        server,
        Route("/oai", [reply("fetch", "oai_page2.xml")], {"resumptionToken": "7891|1001"}),
        Route("/oai", [reply("fetch", "oai_page3.xml")], {"resumptionToken": "7891|2001"}),
        Route("/oai", [reply("fetch", "oai_page1.xml")], {"metadataPrefix": "arXiv"}),
    )
    args = ("oai", "--set", "cs", "--from", "2024-06-10", "--base-url", f"{url}/oai")
    first = fetch(home, *args, "--max-pages", "1")
    assert "2 new" in first.stdout and "not finished" in first.stdout
    assert len(list((home / "harvest").iterdir())) == 1
    rest = json.loads(fetch(home, *args, "--json").stdout)
    assert rest["inserted"] == 2 and rest["complete"] is True and rest["pages"] == 2
    assert list((home / "harvest").iterdir()) == []
    with open_store(home / "paperfeed.db") as store:
        assert store.count_papers() == 4


def test_fetch_rss_hf_zotero(home: Path, server: list[ReplayServer]) -> None:
    link = '<{base}/users/475425/items/top?format=json&start=2&limit=100>; rel="next"'
    url = serve(
        server,
        Route("/rss/cs.LG", [reply("sources", "arxiv_rss_cs_LG.xml")]),
        Route("/api/daily_papers", [reply("sources", "hf_daily_papers.json")]),
        Route(
            "/users/475425/items/top",
            [reply("fetch", "zotero_items_p2.json", headers={"Total-Results": "4"})],
            {"start": "2"},
        ),
        Route(
            "/users/475425/items/top",
            [reply("fetch", "zotero_items_p1.json", headers={"Total-Results": "4", "Link": link})],
        ),
    )
    assert fetch(home, "rss", "cs.LG", "--base-url", url).stdout.startswith("rss: read 4, 4 new")
    assert "2 new" in fetch(home, "hf", "--date", "2024-01-08", "--base-url", url).stdout
    z = fetch(
        home,
        "zotero",
        "--zotero-user",
        "475425",
        "--api-key",
        "k",
        "--profile",
        "me",
        "--base-url",
        url,
    )
    assert "read 3" in z.stdout and "3 added to profile" in z.stdout


def test_fetch_ids_and_a_failing_service(home: Path, server: list[ReplayServer]) -> None:
    ids_file = home.parent / "ids.txt"
    ids_file.write_text("2401.01234v2\n10.1109/CVPR.2016.90\nnot an id\n")
    url = serve(
        server,
        Route("/api/query", [reply("fetch", "arxiv_idlist.xml")]),
        Route("/works", [reply("sources", "openalex_results.json")]),
        Route("/down", [Reply(503, "maintenance", {"Retry-After": "0"}, "text/plain")]),
    )
    out = fetch(
        home, "ids", "--file", str(ids_file),
        "--arxiv-url", f"{url}/api/query", "--openalex-url", url,
    )  # fmt: skip
    assert out.stdout.startswith("ids: read 3, 2 new") and "1 skipped" in out.stdout
    assert "not an arXiv id" in out.stderr
    result = run(
        home, "fetch", "--interval", "0", "--retries", "1",
        "arxiv", "ti:x", "--base-url", f"{url}/down",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: arXiv API: HTTP 503")
    bad = run(home, "fetch", "zotero", "--user", "me")
    assert bad.exit_code == 1 and "is a number" in bad.stderr


# --- ingest / profile add for every format ---------------------------------------------------

EVERY_FORMAT = {
    "abstracts_plain.txt": "abstracts",
    "arxiv_api_query.xml": "arxiv-atom",
    "arxiv_oai_arxiv.xml": "arxiv-oai",
    "arxiv_oai_arxivraw.xml": "arxiv-oai",
    "arxiv_rss_cs_LG.xml": "arxiv-rss",
    "arxiv_atom_feed_cs_LG.xml": "arxiv-rss",
    "arxiv_snapshot.jsonl": "jsonl",
    "papers.jsonl": "jsonl",
    "hf_daily_papers.json": "hf-daily-json",
    "library.bib": "bibtex",
    "zotero_csl.json": "csl-json",
    "zotero_api_items.json": "zotero-json",
    "openalex_results.json": "openalex-json",
    "biorxiv_details.json": "biorxiv-json",
}


@pytest.mark.parametrize(("name", "fmt"), sorted(EVERY_FORMAT.items()))
def test_ingest_reads_every_format(home: Path, name: str, fmt: str) -> None:
    path = FIX / "sources" / name
    summary = json.loads(ok(home, "ingest", "--no-embed", "--json", str(path)).stdout)
    assert summary["inserted"] > 0
    again = json.loads(ok(home, "ingest", "--no-embed", "--json", str(path)).stdout)
    assert again["inserted"] == 0 and again["updated"] == 0  # re-importing changes nothing
    forced = json.loads(
        ok(home, "ingest", "--no-embed", "--json", "--format", fmt, str(path)).stdout
    )
    assert forced["inserted"] == 0


@pytest.mark.parametrize(
    "path",
    [
        FIX / "identity" / "hf_page.txt",
        FIX / "sources" / "library.bib",
        FIX / "sources" / "zotero_csl.json",
        FIX / "sources" / "arxiv_oai_arxivraw.xml",
    ],
    ids=lambda p: p.name,
)
def test_profile_add_reads_other_formats(home: Path, path: Path) -> None:
    summary = json.loads(ok(home, "profile", "add", "--user", "ann", "--json", str(path)).stdout)
    assert summary["added_to_profile"] >= 2
