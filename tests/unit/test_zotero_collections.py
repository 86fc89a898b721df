"""Zotero collections to include or ignore: choosing them by key, name or path (nested ones
included), and reading a library from them, from exports and from the web API (recorded
answers served by a real local HTTP server)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paperfeed.fetch import (
    FetchError,
    HttpClient,
    RetryPolicy,
    zotero_collections,
    zotero_library,
)
from paperfeed.sources import parse_path
from paperfeed.sources.zotero_collections import (
    Collection,
    choose,
    collections_from,
    parse_collections,
    paths,
    select,
)
from replay import ReplayServer, Reply, Route

FIX = Path(__file__).resolve().parents[1] / "fixtures"
COLLECTIONS = FIX / "fetch" / "zotero_collections.json"
ITEMS = FIX / "fetch" / "zotero_library_items.json"
BBT = FIX / "sources" / "zotero_bbt.json"
JSON = "application/json"
LIB = "/users/475425"

ML, TRANSFORMERS, EFFICIENT, OPTIM = "9KH9TNSJ", "QW3E5RTY", "ZX7C8VBN", "PL4K2JHG"
TEACHING, READING, READING_TRANSFORMERS = "TC6H2MN8", "RG5D9WQ2", "RT3F7KLP"
ATTENTION, FLASH, ADAM, RESNET = "1706.03762", "2205.14135", "1412.6980", "doi:10.1109/cvpr.2016.90"
LONGFORMER, SCALING = "2004.05150", "2001.08361"


@pytest.fixture(scope="module")
def library() -> list[Collection]:
    return parse_collections(COLLECTIONS.read_text())


def test_collections_of_the_api_and_of_better_bibtex(library: list[Collection]) -> None:
    assert [c.key for c in library] == [
        ML, TRANSFORMERS, EFFICIENT, OPTIM, TEACHING, READING, READING_TRANSFORMERS
    ]  # fmt: skip
    assert library[1] == Collection(TRANSFORMERS, "Transformers", ML)
    assert library[0].parent is None  # "parentCollection": false
    assert paths(library)[EFFICIENT] == "Machine Learning/Transformers/Efficient attention"
    from_bbt = collections_from(json.loads(BBT.read_text()))
    assert sorted(from_bbt, key=lambda c: c.key) == sorted(library, key=lambda c: c.key)


@pytest.mark.parametrize(
    ("include", "ignore", "keep", "drop"),
    [
        (["machine learning"], [], {ML, TRANSFORMERS, EFFICIENT, OPTIM}, set()),  # nested
        ([ML.lower()], [], {ML, TRANSFORMERS, EFFICIENT, OPTIM}, set()),  # a key, any case
        (["Machine Learning/Transformers"], [], {TRANSFORMERS, EFFICIENT}, set()),  # a path
        (["TRANSFORMERS"], [], {TRANSFORMERS, EFFICIENT, READING_TRANSFORMERS}, set()),
        ([], ["Teaching", "efficient attention"], None, {TEACHING, EFFICIENT}),
        (["Machine Learning"], ["optimization"], {ML, TRANSFORMERS, EFFICIENT, OPTIM}, {OPTIM}),
    ],
)
def test_choosing_collections(
    library: list[Collection],
    include: list[str],
    ignore: list[str],
    keep: set[str] | None,
    drop: set[str],
) -> None:
    choice = choose(library, include, ignore)
    assert (None if choice.keep is None else set(choice.keep)) == keep
    assert set(choice.drop) == drop


def test_an_unknown_collection_is_one_line_listing_the_library(
    library: list[Collection],
) -> None:
    with pytest.raises(ValueError) as err:
        choose(library, ["Machine Learnin"])
    message = str(err.value)
    assert message.startswith("Zotero: no collection 'Machine Learnin'; available: ")
    assert "Machine Learning/Transformers/Efficient attention" in message
    assert "Reading group/Transformers" in message and "\n" not in message
    with pytest.raises(ValueError, match="the library has no collections"):
        choose([], [], ["Teaching"])


def test_selecting_papers_by_their_collections(library: list[Collection]) -> None:
    result = parse_path(ITEMS)
    ml = select(result, choose(library, ["Machine Learning"]))
    assert [p.id for p in ml.papers] == [ATTENTION, FLASH, ADAM, RESNET]
    (note,) = ml.issues
    assert note.message == "3 item(s) left out: outside the chosen collections"
    assert not note.skipped
    no_teaching = select(result, choose(library, [], ["teaching"]))
    # ResNet is in Machine Learning and in Teaching: ignoring wins; unfiled items stay
    assert [p.id for p in no_teaching.papers] == [ATTENTION, FLASH, ADAM, LONGFORMER, SCALING]
    assert "in ignored ones (ignored: Teaching)" in no_teaching.issues[0].message


def test_better_bibtex_items_get_their_collections_from_the_table() -> None:
    result = parse_path(BBT)
    assert result.format == "zotero-json" and result.issues == []
    got = {p.id: p.extra.get("zotero_collections") for p in result.papers}
    assert got[RESNET] == [ML, TEACHING] and got[FLASH] == [EFFICIENT]
    assert got[SCALING] is None


# --- the web API -------------------------------------------------------------------------------


class NoSleep:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


@pytest.fixture()
def http() -> Iterator[HttpClient]:
    clock = NoSleep()
    with HttpClient(
        timeout=2.0,
        intervals={"*": 0.5},
        retry=RetryPolicy(retries=1, backoff=1.0, jitter=0.0),
        clock=clock.clock,
        sleep=clock.sleep,
        rng=random.Random(0),
    ) as client:
        yield client


def _items_in(key: str) -> bytes:
    """What ``…/collections/KEY/items/top`` answers: the library's items filed in KEY."""
    items: list[dict[str, Any]] = json.loads(ITEMS.read_text())
    return json.dumps([i for i in items if key in i["data"]["collections"]]).encode()


@pytest.fixture()
def api() -> Iterator[ReplayServer]:
    collections: list[dict[str, Any]] = json.loads(COLLECTIONS.read_text())
    first, rest = json.dumps(collections[:4]), json.dumps(collections[4:])
    link = f'<{{base}}{LIB}/collections?format=json&start=4&limit=4>; rel="next"'
    routes = [
        Route(f"{LIB}/collections", [Reply(body=rest, content_type=JSON)], {"start": "4"}),
        Route(
            f"{LIB}/collections",
            [Reply(body=first, content_type=JSON, headers={"Total-Results": "7", "Link": link})],
        ),
        Route(f"{LIB}/items/top", [Reply(body=ITEMS.read_bytes(), content_type=JSON)]),
        *(
            Route(f"{LIB}/collections/{c['key']}/items/top", [Reply(body=_items_in(c["key"]))])
            for c in collections
        ),
    ]
    with ReplayServer(routes) as srv:
        yield srv


def test_the_collections_endpoint_is_paged(http: HttpClient, api: ReplayServer) -> None:
    got = zotero_collections(http, user="475425", api_key="k", base_url=api.url)
    assert len(got) == 7 and got[-1] == Collection(READING_TRANSFORMERS, "Transformers", READING)
    assert [r.query.get("start") for r in api.requests] == ["0", "4"]
    assert all(r.headers["zotero-api-key"] == "k" for r in api.requests)


def test_include_reads_the_chosen_collections_and_their_sub_collections(
    http: HttpClient, api: ReplayServer
) -> None:
    result = zotero_library(http, user="475425", include=["machine learning"], base_url=api.url)
    assert sorted(p.id for p in result.papers) == sorted([ATTENTION, FLASH, ADAM, RESNET])
    read = sorted(r.path for r in api.requests if r.path.endswith("/items/top"))
    assert read == sorted(
        f"{LIB}/collections/{k}/items/top" for k in (ML, TRANSFORMERS, EFFICIENT, OPTIM)
    )  # never the whole library


def test_ignore_reads_the_library_without_those_collections(
    http: HttpClient, api: ReplayServer
) -> None:
    result = zotero_library(
        http, user="475425", ignore=["Reading group", "Teaching"], base_url=api.url
    )
    assert [p.id for p in result.papers] == [ATTENTION, FLASH, ADAM, SCALING]
    assert "left out: in ignored ones" in result.issues[-1].message
    assert f"{LIB}/items/top" in [r.path for r in api.requests]


def test_include_and_ignore_together(http: HttpClient, api: ReplayServer) -> None:
    result = zotero_library(
        http,
        user="475425",
        include=["Machine Learning"],
        ignore=["Machine Learning/Transformers/Efficient attention", "teaching"],
        base_url=api.url,
    )
    assert sorted(p.id for p in result.papers) == sorted([ATTENTION, ADAM])
    assert f"{LIB}/collections/{EFFICIENT}/items/top" not in [r.path for r in api.requests]


def test_an_unknown_collection_is_a_fetch_error_before_any_item_is_read(
    http: HttpClient, api: ReplayServer
) -> None:
    with pytest.raises(FetchError, match=r"^Zotero: no collection 'Reading'; available: "):
        zotero_library(http, user="475425", include=["Reading"], base_url=api.url)
    assert not any("items" in r.path for r in api.requests)
