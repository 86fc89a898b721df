"""bioRxiv/medRxiv and Zotero collections end to end: `paperfeed fetch biorxiv`, `fetch zotero
--collection/--ignore-collection`, `profile add --collection` on exports, and `daily` with
bioRxiv/medRxiv sources, against recorded answers served from 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from paperfeed.cli import cli
from paperfeed.delivery import tokens
from paperfeed.delivery.service import Delivery
from paperfeed.embed import get_embedder
from paperfeed.services import FetchOptions, Paperfeed, remote_fetcher
from paperfeed.settings import Settings
from paperfeed.store import open_store
from replay import ReplayServer, Reply, Route

pytestmark = pytest.mark.integration

FIX = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
JSON = "application/json"
SPAN = "2024-01-02/2024-01-03"
NEURO = f"/details/biorxiv/{SPAN}"
LIB = "/users/475425"
GRID = "doi:10.1101/2023.12.28.573540"


def run(home: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *args])
    assert "Traceback" not in result.output, result.output
    return result


def ok(home: Path, *args: str) -> Result:
    result = run(home, *args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def error_line(result: Result) -> str:
    assert result.exit_code != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines[-1].startswith("Error: ")
    return lines[-1]


def fetch(home: Path, *args: str) -> Result:
    return run(home, "fetch", "--interval", "0", "--retries", "1", "--timeout", "2", *args)


def js(folder: str, name: str) -> Reply:
    return Reply(body=(FIX / folder / name).read_bytes(), content_type=JSON)


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n')
    return home


@pytest.fixture()
def servers() -> Iterator[list[ReplayServer]]:
    started: list[ReplayServer] = []
    yield started
    for s in started:
        s.stop()


def serve(started: list[ReplayServer], *routes: Route) -> str:
    srv = ReplayServer(list(routes))
    started.append(srv)
    return srv.url


def neuro_routes(prefix: str = NEURO) -> list[Route]:
    return [
        Route(f"{prefix}/0/json", [js("fetch", "biorxiv_neuro_p1.json")]),
        Route(f"{prefix}/3/json", [js("fetch", "biorxiv_neuro_p2.json")]),
        Route(f"{prefix}/6/json", [js("fetch", "biorxiv_neuro_p3.json")]),
    ]


# --- fetch biorxiv -----------------------------------------------------------------------------


def test_fetch_biorxiv_pages_stores_the_newest_version_and_is_idempotent(
    home: Path, servers: list[ReplayServer]
) -> None:
    url = serve(servers, *neuro_routes())
    args = ("biorxiv", "--from", "2024-01-02", "--until", "2024-01-03")
    first = fetch(home, *args, "--category", "neuroscience", "--base-url", url, "--json")
    summary = json.loads(first.stdout)
    assert summary["read"] == 6 and summary["inserted"] == 6 and summary["skipped"] == 0
    again = json.loads(fetch(home, *args, "--base-url", url, "--json").stdout)
    assert again["inserted"] == 0 and again["updated"] == 0 and again["unchanged"] == 6
    # an older listing that still holds v1 does not take the paper back to v1
    old = serve(servers, Route(f"{NEURO}/0/json", [js("fetch", "biorxiv_neuro_p1.json")]))
    assert fetch(home, *args, "--max-pages", "1", "--base-url", old).exit_code == 0
    with open_store(home / "paperfeed.db") as store:
        grid = store.get_paper(GRID)
        assert store.count_papers() == 6
    assert grid is not None and grid.version == 2 and grid.url is not None
    assert grid.url.endswith("v2") and grid.sources == ("biorxiv-json",)


def test_fetch_medrxiv_into_a_profile_merges_with_the_same_doi_from_zotero(
    home: Path, servers: list[ReplayServer], tmp_path: Path
) -> None:
    url = serve(
        servers, Route("/details/medrxiv/7d/0/json", [js("fetch", "medrxiv_epidemiology.json")])
    )
    out = fetch(home, "biorxiv", "--server", "medrxiv", "--days", "7", "--base-url", url)
    assert out.exit_code == 0 and out.stdout.startswith("medrxiv: read 2, 2 new")
    zotero = tmp_path / "items.json"
    item = {
        "key": "WW4P8QDA",
        "data": {
            "key": "WW4P8QDA",
            "itemType": "preprint",
            "title": "Wastewater surveillance anticipates influenza hospitalisations by one week",
            "DOI": "10.1101/2023.12.29.23300644",
            "repository": "medRxiv",
            "collections": [],
        },
    }
    zotero.write_text(json.dumps([item]))
    added = json.loads(ok(home, "profile", "add", "-u", "kim", "--json", str(zotero)).stdout)
    assert added["inserted"] == 0 and added["added_to_profile"] == 1
    with open_store(home / "paperfeed.db") as store:
        (paper,) = store.profile_papers("kim")
        assert store.count_papers() == 2
    assert paper.id == "doi:10.1101/2023.12.29.23300644" and paper.version == 2
    assert {"biorxiv-json", "zotero-json"} <= set(paper.sources)


def test_fetch_biorxiv_failures_are_one_line(home: Path, servers: list[ReplayServer]) -> None:
    url = serve(
        servers,
        Route(
            "/details/biorxiv/1d/0/json",
            [Reply(500, "<h1>Internal error</h1>", {"Retry-After": "0"}, "text/html")],
        ),
        Route("/details/biorxiv/2d/0/json", [Reply(body='{"messages":[{"sta', content_type=JSON)]),
        Route("/details/biorxiv/3d/0/json", [js("fetch", "biorxiv_filter_ignored.json")]),
    )
    down = error_line(fetch(home, "biorxiv", "--base-url", url))
    assert down.startswith("Error: bioRxiv API: HTTP 500 Internal Server Error for http://")
    assert down.endswith("gave up after 2 attempts")
    cut = run(home, "fetch", "--interval", "0", "--retries", "0", "biorxiv", "--days", "2",
              "--base-url", url)  # fmt: skip
    assert "unusable response (incomplete JSON" in error_line(cut)
    typo = fetch(home, "biorxiv", "--days", "3", "--category", "neurosience", "--base-url", url)
    assert "ignored the category filter 'neurosience'" in error_line(typo)
    both = fetch(home, "biorxiv", "--days", "2", "--from", "2024-01-01", "--base-url", url)
    assert "not both" in error_line(both)
    assert fetch(home, "biorxiv", "--server", "arxiv").exit_code == 2  # a usage error
    with open_store(home / "paperfeed.db") as store:
        assert store.count_papers() == 0  # nothing half-stored


# --- Zotero collections ------------------------------------------------------------------------


def _items_in(key: str) -> bytes:
    items: list[dict[str, Any]] = json.loads(
        (FIX / "fetch" / "zotero_library_items.json").read_text()
    )
    return json.dumps([i for i in items if key in i["data"]["collections"]]).encode()


def zotero_routes() -> list[Route]:
    collections = json.loads((FIX / "fetch" / "zotero_collections.json").read_text())
    return [
        Route(f"{LIB}/collections", [Reply(body=json.dumps(collections), content_type=JSON)]),
        Route(f"{LIB}/items/top", [js("fetch", "zotero_library_items.json")]),
        *(
            Route(f"{LIB}/collections/{c['key']}/items/top", [Reply(body=_items_in(c["key"]))])
            for c in collections
        ),
    ]


def profile_ids(home: Path, user: str) -> list[str]:
    with open_store(home / "paperfeed.db") as store:
        return sorted(p.id for p in store.profile_papers(user))


def test_fetch_zotero_with_collections(home: Path, servers: list[ReplayServer]) -> None:
    url = serve(servers, *zotero_routes())
    lib = ("zotero", "--zotero-user", "475425", "--base-url", url)
    ml = fetch(home, *lib, "--collection", "machine learning", "--profile", "ml")
    assert ml.exit_code == 0 and "4 added to profile" in ml.stdout
    assert profile_ids(home, "ml") == [
        "1412.6980",
        "1706.03762",
        "2205.14135",
        "doi:10.1109/cvpr.2016.90",
    ]
    nested = fetch(
        home, *lib, "--collection", "Machine Learning/Transformers", "--ignore-collection",
        "ZX7C8VBN", "--profile", "tf",
    )  # fmt: skip
    assert nested.exit_code == 0 and profile_ids(home, "tf") == ["1706.03762"]
    rest = fetch(
        home,
        *lib,
        "--ignore-collection",
        "teaching",
        "--ignore-collection",
        "READING GROUP",
        "--profile",
        "r",
    )
    assert rest.exit_code == 0 and "3 item(s) left out: in ignored ones" in rest.stderr
    assert profile_ids(home, "r") == ["1412.6980", "1706.03762", "2001.08361", "2205.14135"]
    unknown = error_line(fetch(home, *lib, "--collection", "Deep Learning"))
    assert unknown.startswith("Error: Zotero: no collection 'Deep Learning'; available: ")
    assert "Machine Learning/Transformers" in unknown and "Teaching" in unknown


def test_profile_add_from_zotero_exports_with_collections(home: Path, tmp_path: Path) -> None:
    bbt = str(FIX / "sources" / "zotero_bbt.json")
    out = ok(home, "profile", "add", "-u", "t", bbt, "--collection", "teaching", "--json")
    summary = json.loads(out.stdout)
    assert summary["added_to_profile"] == 2 and summary["embedded"] == 2
    assert profile_ids(home, "t")[0] == "doi:10.1109/cvpr.2016.90"
    ok(home, "profile", "add", "-u", "n", bbt, "--ignore-collection", "Machine learning")
    assert profile_ids(home, "n") == ["2001.08361", "2004.05150", profile_ids(home, "t")[1]]
    # an API items file knows its collections by key only
    items = str(FIX / "fetch" / "zotero_library_items.json")
    by_key = ok(home, "profile", "add", "-u", "k", items, "--collection", "pl4k2jhg")
    assert "1 added to profile" in by_key.stdout and profile_ids(home, "k") == ["1412.6980"]
    named = error_line(run(home, "profile", "add", "-u", "k", items, "--collection", "Teaching"))
    assert "no collection 'Teaching'; available: 9KH9TNSJ, PL4K2JHG" in named
    csl = error_line(
        run(home, "profile", "add", "-u", "k", str(FIX / "sources" / "zotero_csl.json"),
            "--collection", "Teaching")
    )  # fmt: skip
    assert "a csl-json file names no Zotero collections" in csl
    empty = error_line(
        run(
            home,
            "profile",
            "add",
            "-u",
            "k",
            bbt,
            "--collection",
            "Reading group/Transformers",
            "--ignore-collection",
            "transformers",
        )
    )
    assert "no papers in the chosen collections" in empty


# --- daily ---------------------------------------------------------------------------------------


def test_daily_fetches_biorxiv_and_medrxiv_sources(
    tmp_path: Path, servers: list[ReplayServer]
) -> None:
    home = tmp_path / "daily"
    home.mkdir()
    (home / "config.toml").write_text(
        'model = "hashing-64"\n[digest]\nsize = 3\n'
        'sources = ["biorxiv:neuroscience", "medrxiv", "medrxiv:epidemiology"]\n'
        '[users.ada]\nemail = "ada@example.org"\n'
    )
    bio = serve(servers, *neuro_routes())
    med = serve(
        servers,
        Route(
            f"/details/medrxiv/{SPAN}/0/json",
            [js("fetch", "medrxiv_epidemiology.json")],
            {"category": "epidemiology"},
        ),
        Route(
            f"/details/medrxiv/{SPAN}/0/json",
            [Reply(503, "maintenance", {"Retry-After": "0"}, "text/plain")],
        ),
    )
    store = open_store(home / "paperfeed.db")
    app = Paperfeed(store=store, embedder_factory=lambda: get_embedder("hashing-64"))
    app.profile_add("ada", [str(FIX / "sources" / "biorxiv_details.json")])
    remote = remote_fetcher(
        options=FetchOptions(timeout=2.0, retries=1, interval=0.0),
        base_urls={"biorxiv": bio, "medrxiv": med},
    )
    delivery = Delivery(app, Settings.load(home), tokens.load_or_create_secret(home))
    report = delivery.run_daily(
        day="2024-01-03", now=datetime.now(UTC), dry_run=True, remote=remote
    )
    lines = [s.line() for s in report.sources]
    assert lines[0] == "source biorxiv:neuroscience: 6 read, 3 new"  # 3 were in the profile
    assert lines[1].startswith("source medrxiv: FAILED: medRxiv API: HTTP 503")
    assert lines[2] == "source medrxiv:epidemiology: 2 read, 2 new"
    (ada,) = report.users
    assert ada.outcome == "dry run" and "digest" in ada.detail
    new = store.get_paper("doi:10.1101/2024.01.02.24300712")
    assert new is not None and store.get_embeddings("hashing-64", [new.content_hash])
    store.close()
