"""The SQLite store on small temporary databases."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.models import Paper
from paperfeed.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SchemaError,
    SQLiteStore,
    Store,
    UpsertStats,
    open_store,
)
from paperfeed.store.merge import merge_papers
from paperfeed.store.migrations.sqlite import migrate
from paperfeed.store.sqlite import fts_query


def paper(pid: str, **kw: object) -> Paper:
    fields: dict[str, object] = {
        "title": f"Title of {pid}",
        "abstract": f"Abstract of {pid}.",
        "date": "2026-01-10",
    }
    fields.update(kw)
    return Paper(id=pid, **fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = open_store(tmp_path / "home" / "paperfeed.db")
    yield s
    s.close()


def ids_of(papers: list[Paper]) -> list[str]:
    return [p.id for p in papers]


# --- opening and migrations ---------------------------------------------------------------


def test_open_creates_parent_dir_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "paperfeed.db"
    with open_store(path) as s:
        assert path.exists()
        assert s.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        assert s.journal_mode == "wal"
        assert s.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.connection.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        assert isinstance(s, Store)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_migrations_rerun_is_a_noop(tmp_path: Path) -> None:
    path = tmp_path / "paperfeed.db"
    with open_store(path) as s:
        s.upsert_papers([paper("2601.00001")], "test")
        assert migrate(s.connection) == []
    with open_store(path) as s:
        assert s.count_papers() == 1
        assert s.schema_version == SCHEMA_VERSION


def test_migrations_apply_in_order_from_scratch(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    assert migrate(conn) == list(range(1, SCHEMA_VERSION + 1))
    assert migrate(conn) == []
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"papers", "paper_sources", "users", "profile_papers", "ratings"} <= tables
    assert {"embeddings", "papers_fts"} <= tables
    conn.close()


def test_failing_migration_rolls_back_and_keeps_version(tmp_path: Path) -> None:
    def m_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrate(conn)
    with pytest.raises(RuntimeError):
        migrate(conn, [*MIGRATIONS, m_broken])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name='half_done'").fetchall() == []
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "paperfeed.db"
    open_store(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(SchemaError, match="newer"):
        open_store(path)


def test_close_is_idempotent_and_closed_store_refuses(tmp_path: Path) -> None:
    s = open_store(tmp_path / "paperfeed.db")
    s.close()
    s.close()
    with pytest.raises(sqlite3.ProgrammingError):
        s.count_papers()


# --- papers -------------------------------------------------------------------------------


def test_roundtrip_keeps_every_field(store: SQLiteStore) -> None:
    p = Paper(
        id="2601.00001",
        title="Graphs",
        abstract="About graphs.",
        authors=("Ada Lovelace", "Émile Borel"),
        categories=("cs.LG", "stat.ML"),
        date="2026-01-02",
        version=3,
        doi="10.1000/xyz",
        comment="12 pages",
        url="https://arxiv.org/abs/2601.00001",
        venue="NeurIPS",
        extra={"k": [1, 2], "z": "ü"},
    )
    assert store.upsert_papers([p], "arxiv") == UpsertStats(1, 0, 0, 0)
    got = store.get_paper("2601.00001")
    assert got == p.with_(sources=("arxiv",))
    assert got is not None and got.extra == {"k": [1, 2], "z": "ü"}
    assert store.get_paper("nope") is None


def test_upsert_identical_is_unchanged_and_touches_nothing(store: SQLiteStore) -> None:
    papers = [paper(f"2601.0000{i}", authors=("A",), extra={"x": 1}) for i in range(3)]
    store.upsert_papers(papers, "s1")
    before = store.connection.execute("SELECT id, updated_at FROM papers").fetchall()
    changes = store.connection.total_changes
    assert store.upsert_papers(papers, "s1") == UpsertStats(0, 0, 3, 0)
    assert store.connection.execute("SELECT id, updated_at FROM papers").fetchall() == before
    assert store.connection.total_changes == changes


def test_newer_version_wins_in_either_order(store: SQLiteStore) -> None:
    v1 = paper("2601.00001", title="Old title", abstract="old words", version=1)
    v2 = paper("2601.00001", title="New title", abstract="new words", version=2)
    assert store.upsert_papers([v1], "arxiv") == UpsertStats(1, 0, 0, 0)
    assert store.upsert_papers([v2], "arxiv") == UpsertStats(0, 1, 0, 0)
    assert store.upsert_papers([v1], "arxiv") == UpsertStats(0, 0, 1, 0)
    got = store.get_paper("2601.00001")
    assert got is not None and (got.title, got.version) == ("New title", 2)
    assert store.count_papers() == 1


def test_v1_and_v2_in_one_batch_make_one_paper(store: SQLiteStore) -> None:
    v1 = paper("2601.00001", title="Old", version=1)
    v2 = paper("2601.00001", title="New", version=2)
    assert store.upsert_papers([v2, v1], "arxiv") == UpsertStats(1, 0, 1, 0)
    got = store.get_paper("2601.00001")
    assert got is not None and got.title == "New"
    assert store.count_papers() == 1


def test_newer_date_wins_when_versions_unknown(store: SQLiteStore) -> None:
    store.upsert_papers([paper("x1", title="Early", date="2026-01-01")], "a")
    store.upsert_papers([paper("x1", title="Late", date="2026-01-05")], "b")
    store.upsert_papers([paper("x1", title="Earlier", date="2025-12-01")], "c")
    got = store.get_paper("x1")
    assert got is not None and (got.title, got.date) == ("Late", "2026-01-05")


def test_known_version_beats_unknown_version(store: SQLiteStore) -> None:
    store.upsert_papers([paper("x1", title="arXiv v2", version=2, date="2026-01-01")], "arxiv")
    store.upsert_papers([paper("x1", title="Proceedings", venue="ICML", date="2026-07-01")], "c")
    got = store.get_paper("x1")
    assert got is not None
    assert (got.title, got.date, got.venue) == ("arXiv v2", "2026-01-01", "ICML")


def test_tie_keeps_existing_fields_and_fills_empty_ones(store: SQLiteStore) -> None:
    store.upsert_papers([paper("x1", title="Kept", doi=None, venue="ICML")], "a")
    stats = store.upsert_papers(
        [paper("x1", title="Ignored", doi="10.1/abc", venue="", authors=("B",))], "b"
    )
    assert stats == UpsertStats(0, 1, 0, 1)
    got = store.get_paper("x1")
    assert got is not None
    assert (got.title, got.doi, got.venue, got.authors) == ("Kept", "10.1/abc", "ICML", ("B",))


def test_winner_keeps_loser_fields_it_lacks(store: SQLiteStore) -> None:
    store.upsert_papers([paper("x1", version=1, doi="10.1/abc", extra={"a": 1, "b": 1})], "a")
    store.upsert_papers([paper("x1", version=2, title="V2", extra={"b": 2})], "b")
    got = store.get_paper("x1")
    assert got is not None
    assert (got.title, got.doi, got.extra) == ("V2", "10.1/abc", {"a": 1, "b": 2})


def test_sources_are_merged(store: SQLiteStore) -> None:
    p = paper("2601.00001")
    assert store.upsert_papers([p], "arxiv-dump") == UpsertStats(1, 0, 0, 0)
    assert store.upsert_papers([p], "conference") == UpsertStats(0, 0, 1, 1)
    assert store.upsert_papers([p], "conference") == UpsertStats(0, 0, 1, 0)
    assert store.upsert_papers([p.with_(sources=("hf",))], "arxiv-dump") == UpsertStats(0, 0, 1, 1)
    got = store.get_paper("2601.00001")
    assert got is not None and got.sources == ("arxiv-dump", "conference", "hf")
    assert store.count_papers() == 1


def test_upsert_rejects_bad_arguments(store: SQLiteStore) -> None:
    with pytest.raises(ValueError):
        store.upsert_papers([paper("x")], "")
    with pytest.raises(ValueError):
        store.upsert_papers([paper("x")], "s", batch_size=0)
    with pytest.raises(ValueError):
        store.upsert_papers([paper("  ")], "s")
    assert store.count_papers() == 0


def test_empty_optional_strings_become_none(store: SQLiteStore) -> None:
    store.upsert_papers([paper(" x1 ", doi="", comment="")], "s")
    got = store.get_paper("x1")
    assert got is not None and got.doi is None and got.comment is None


def test_get_papers_keeps_order_and_skips_missing(store: SQLiteStore) -> None:
    store.upsert_papers([paper(f"p{i}") for i in range(5)], "s")
    assert ids_of(store.get_papers(["p3", "zz", "p0", "p4"])) == ["p3", "p0", "p4"]
    assert store.get_papers([]) == []


def test_papers_between_bounds_and_order(store: SQLiteStore) -> None:
    dates = {"a": "2026-01-01", "b": "2026-01-02", "c": "2026-01-02", "d": "2026-01-03"}
    store.upsert_papers([paper(k, date=v) for k, v in dates.items()], "s")
    store.upsert_papers([paper("nodate", date=None)], "s")
    assert ids_of(store.papers_between("2026-01-02", "2026-01-03")) == ["c", "b"]
    assert ids_of(store.papers_between("2026-01-02")) == ["d", "c", "b"]
    assert ids_of(store.papers_between(until="2026-01-02")) == ["a"]
    assert ids_of(store.papers_between()) == ["d", "c", "b", "a", "nodate"]
    assert ids_of(store.papers_between(limit=2)) == ["d", "c"]
    assert store.papers_between("2027-01-01") == []
    assert store.latest_date() == "2026-01-03"
    assert store.count_papers() == 5


def test_empty_store(store: SQLiteStore) -> None:
    assert store.latest_date() is None
    assert store.count_papers() == 0
    assert store.papers_between() == []
    assert store.search_text("graph") == []


# --- atomicity ----------------------------------------------------------------------------


def test_failure_after_first_batch_keeps_it_and_nothing_else(store: SQLiteStore) -> None:
    store.upsert_papers([paper("old", title="Untouched")], "s")

    def papers() -> Iterator[Paper]:
        for i in range(5):
            yield paper(f"p{i}")
        yield paper("old", title="Changed", date="2027-01-01")
        raise RuntimeError("parser died")

    with pytest.raises(RuntimeError):
        store.upsert_papers(papers(), "s", batch_size=4)
    assert sorted(ids_of(store.papers_between())) == ["old", "p0", "p1", "p2", "p3"]
    got = store.get_paper("old")
    assert got is not None and got.title == "Untouched"
    store.check_integrity()


def test_failing_write_rolls_back_the_whole_batch(store: SQLiteStore) -> None:
    store.upsert_papers([paper("old", title="Untouched")], "s")
    store.connection.execute(
        "CREATE TEMP TRIGGER fail BEFORE INSERT ON papers WHEN new.id = 'bad' "
        "BEGIN SELECT RAISE(ABORT, 'rejected'); END"
    )
    batch1 = [paper("p0"), paper("p1"), paper("p2")]
    batch2 = [paper("old", title="Changed", version=9), paper("bad"), paper("p3")]
    with pytest.raises(sqlite3.IntegrityError):
        store.upsert_papers([*batch1, *batch2], "s2", batch_size=3)
    assert sorted(ids_of(store.papers_between())) == ["old", "p0", "p1", "p2"]
    got = store.get_paper("old")
    assert got is not None and got.title == "Untouched" and got.sources == ("s",)
    assert [pid for pid, _ in store.search_text("changed")] == []
    store.check_integrity()


def test_nested_transaction_rolls_back_inner_only(store: SQLiteStore) -> None:
    with store.transaction():
        store.upsert_papers([paper("outer")], "s")
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert_papers([paper("inner")], "s")
            raise RuntimeError
        assert store.get_paper("inner") is None
    assert ids_of(store.papers_between()) == ["outer"]


def test_outer_rollback_undoes_everything(store: SQLiteStore) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.ensure_user("ann")
        store.upsert_papers([paper("a"), paper("b")], "s", batch_size=1)
        raise RuntimeError
    assert store.count_papers() == 0
    assert store.users() == []


# --- full text ----------------------------------------------------------------------------


def test_search_finds_title_and_abstract_words(store: SQLiteStore) -> None:
    store.upsert_papers(
        [
            paper("g", title="Graph neural networks", abstract="Message passing on molecules."),
            paper("v", title="Vision transformers", abstract="Images as patches of pixels."),
            paper("m", title="Molecule generation", abstract="Graph diffusion for molecules."),
        ],
        "s",
    )
    assert {pid for pid, _ in store.search_text("pixels")} == {"v"}
    hits = store.search_text("graph")
    assert [pid for pid, _ in hits] == ["g", "m"]
    assert hits[0][1] > hits[1][1]
    assert {pid for pid, _ in store.search_text("network")} == {"g"}
    assert {pid for pid, _ in store.search_text("graph vision")} == {"g", "m", "v"}
    assert {pid for pid, _ in store.search_text("graph molecule", match_all=True)} == {"g", "m"}
    assert len(store.search_text("graph", limit=1)) == 1


def test_search_follows_updates_without_duplicates(store: SQLiteStore) -> None:
    store.upsert_papers([paper("x", title="Zebra stripes", abstract="old", version=1)], "s")
    store.upsert_papers([paper("x", title="Leopard spots", abstract="new", version=2)], "s")
    store.upsert_papers([paper("x", title="Leopard spots", abstract="new", version=2)], "t")
    assert store.search_text("zebra") == []
    assert [pid for pid, _ in store.search_text("leopard")] == ["x"]
    count = store.connection.execute(
        "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'leopard'"
    ).fetchone()[0]
    assert count == 1
    store.check_integrity()


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "OR NOT", "-", "*", "(", ")", "a AND", "title:x", "^x", "NEAR(a b)", "'", "",
     "   ", "x\"y", "graph*", "c++ -b", "{a b}", "中文 检索", "\x00"],
)  # fmt: skip
def test_odd_queries_never_raise(store: SQLiteStore, query: str) -> None:
    store.upsert_papers([paper("x", title="AND OR graph c")], "s")
    assert isinstance(store.search_text(query), list)
    assert isinstance(store.search_text(query, match_all=True), list)


def test_fts_query_quotes_words() -> None:
    assert fts_query("the graph AND (nets)") == '"graph" OR "nets"'
    assert fts_query("the of") == '"the" OR "of"'
    assert fts_query("a b", match_all=True) == '"a" AND "b"'
    assert fts_query('" * -') is None


# --- users, profiles, ratings -------------------------------------------------------------


def test_users(store: SQLiteStore) -> None:
    uid = store.ensure_user("ann")
    assert store.ensure_user("ann") == uid
    store.ensure_user("bob")
    assert store.users() == ["ann", "bob"]
    with pytest.raises(ValueError):
        store.ensure_user(" ")


def test_profile_add_twice_is_one_row(store: SQLiteStore) -> None:
    store.upsert_papers([paper("a"), paper("b"), paper("c")], "s")
    assert store.add_profile_papers("ann", ["b", "a"]) == 2
    assert store.add_profile_papers("ann", ["a", "c", "c"]) == 1
    assert ids_of(store.profile_papers("ann")) == ["b", "a", "c"]
    assert store.remove_profile_paper("ann", "a") is True
    assert store.remove_profile_paper("ann", "a") is False
    assert store.remove_profile_paper("nobody", "b") is False
    assert ids_of(store.profile_papers("ann")) == ["b", "c"]
    assert store.profile_papers("nobody") == []


def test_profile_unknown_paper_adds_nothing(store: SQLiteStore) -> None:
    store.upsert_papers([paper("a")], "s")
    with pytest.raises(KeyError, match="zz"):
        store.add_profile_papers("ann", ["a", "zz"])
    assert store.profile_papers("ann") == []
    assert store.users() == []


def test_up_and_down_replace_each_other(store: SQLiteStore) -> None:
    store.upsert_papers([paper("a"), paper("b"), paper("c")], "s")
    store.rate("ann", "a", "up")
    store.rate("ann", "a", "saved")
    store.rate("ann", "a", "down")
    store.rate("ann", "b", "opened")
    store.rate("ann", "c", "opened")
    store.rate("ann", "c", "saved")
    assert store.ratings("ann") == {"a": "down", "b": "opened", "c": "saved"}
    assert ids_of(store.rated_papers("ann", "down")) == ["a"]
    assert store.rated_papers("ann", "up") == []
    assert ids_of(store.rated_papers("ann", "saved")) == ["a", "c"]
    store.rate("ann", "a", "up")
    assert store.ratings("ann")["a"] == "up"
    assert store.connection.execute("SELECT count(*) FROM ratings").fetchone()[0] == 5
    assert store.unrate("ann", "a", "up") is True
    assert store.ratings("ann")["a"] == "saved"
    assert store.ratings("bob") == {}


def test_rate_rejects_unknown_paper_and_value(store: SQLiteStore) -> None:
    store.upsert_papers([paper("a")], "s")
    with pytest.raises(KeyError):
        store.rate("ann", "zz", "up")
    with pytest.raises(ValueError):
        store.rate("ann", "a", "meh")
    with pytest.raises(ValueError):
        store.rated_papers("ann", "meh")
    assert store.ratings("ann") == {}


# --- embeddings ---------------------------------------------------------------------------


def test_embeddings_roundtrip_and_insert_or_ignore(store: SQLiteStore) -> None:
    rng = np.random.default_rng(0)
    v1, v2 = rng.normal(size=8), rng.normal(size=8).astype(np.float32)
    assert store.put_embeddings("m", [("h1", v1), ("h2", v2)]) == 2
    got = store.get_embeddings("m", ["h1", "h2", "h3"])
    assert set(got) == {"h1", "h2"}
    assert got["h1"].dtype == np.float32 and got["h1"].shape == (8,)
    np.testing.assert_array_equal(got["h1"], v1.astype(np.float32))
    got["h1"][0] = 42.0
    assert store.put_embeddings("m", [("h1", np.zeros(8)), ("h3", np.ones(8))]) == 1
    np.testing.assert_array_equal(store.get_embeddings("m", ["h1"])["h1"], v1.astype(np.float32))
    assert store.get_embeddings("other", ["h1"]) == {}
    assert store.get_embeddings("m", []) == {}
    assert store.put_embeddings("m", []) == 0
    blob = store.connection.execute("SELECT vector FROM embeddings WHERE content_hash='h2'")
    assert blob.fetchone()[0] == v2.astype("<f4").tobytes()


def test_put_embeddings_rejects_bad_shapes_atomically(store: SQLiteStore) -> None:
    with pytest.raises(ValueError):
        store.put_embeddings("m", [("h1", np.ones(4)), ("h2", np.ones((2, 2)))])
    assert store.count_embeddings() == 0


def test_all_embeddings_and_hash_lookup(store: SQLiteStore) -> None:
    a, b = paper("a"), paper("b", title="Other")
    twin = paper("a2", title=a.title, abstract=a.abstract)
    store.upsert_papers([a, b, twin], "s")
    store.put_embeddings("m", [(a.content_hash, np.ones(4)), ("orphan", np.zeros(4))])
    store.put_embeddings("m", [(b.content_hash, np.full(4, 2.0))])
    hashes, matrix = store.all_embeddings("m")
    assert hashes == [a.content_hash, b.content_hash]
    assert matrix.shape == (2, 4) and matrix.dtype == np.float32
    assert len(store.all_embeddings("m", papers_only=False)[0]) == 3
    assert store.all_embeddings("none")[1].shape == (0, 0)
    assert store.paper_ids_for_hashes([b.content_hash, a.content_hash, "orphan"]) == [
        "b",
        "a",
        "a2",
    ]


# --- properties ---------------------------------------------------------------------------

_records = st.lists(
    st.builds(
        Paper,
        id=st.sampled_from(["p1", "p2", "p3"]),
        title=st.sampled_from(["", "alpha", "beta"]),
        abstract=st.sampled_from(["", "gamma delta", "epsilon"]),
        date=st.sampled_from([None, "2026-01-01", "2026-02-01"]),
        version=st.sampled_from([None, 1, 2]),
        doi=st.sampled_from([None, "10.1/a"]),
    ),
    max_size=8,
)


@settings(max_examples=int(os.environ.get("STORE_EXAMPLES", "25")), deadline=None)
@given(records=_records, batch_size=st.integers(1, 4))
def test_upserts_match_sequential_merge_and_are_idempotent(
    records: list[Paper], batch_size: int
) -> None:
    expected: dict[str, Paper] = {}
    for r in records:
        r = r.with_(sources=("s",))
        expected[r.id] = merge_papers(expected[r.id], r) if r.id in expected else r
    with SQLiteStore(":memory:") as s:
        stats = s.upsert_papers(records, "s", batch_size=batch_size)
        assert stats.total == len(records) and stats.inserted == len(expected)
        for pid, want in expected.items():
            got = s.get_paper(pid)
            assert got is not None
            assert (got.title, got.abstract, got.date, got.version, got.doi) == (
                want.title,
                want.abstract,
                want.date,
                want.version,
                want.doi,
            )
        again = s.upsert_papers(records, "s", batch_size=batch_size)
        assert again == UpsertStats(0, 0, len(records), 0)
        again = s.upsert_papers(records[::-1], "s", batch_size=batch_size)
        assert again == UpsertStats(0, 0, len(records), 0)
        s.check_integrity()
