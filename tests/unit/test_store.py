"""What is particular to the SQLite store: opening, migrations, the stored form (WAL, FTS5
rows, rating rows, vector blobs) and SQL failures. The behaviour every backend shares is in
``tests/integration/store_contract.py``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

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
from paperfeed.store.migrations.sqlite import migrate
from paperfeed.store.text_query import fts_query


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


def test_upsert_identical_is_unchanged_and_touches_nothing(store: SQLiteStore) -> None:
    papers = [paper(f"2601.0000{i}", authors=("A",), extra={"x": 1}) for i in range(3)]
    store.upsert_papers(papers, "s1")
    before = store.connection.execute("SELECT id, updated_at FROM papers").fetchall()
    changes = store.connection.total_changes
    assert store.upsert_papers(papers, "s1") == UpsertStats(0, 0, 3, 0)
    assert store.connection.execute("SELECT id, updated_at FROM papers").fetchall() == before
    assert store.connection.total_changes == changes


# --- atomicity ----------------------------------------------------------------------------


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


# --- full text ----------------------------------------------------------------------------


def test_the_fulltext_index_follows_updates_without_duplicates(store: SQLiteStore) -> None:
    store.upsert_papers([paper("x", title="Zebra stripes", abstract="old", version=1)], "s")
    store.upsert_papers([paper("x", title="Leopard spots", abstract="new", version=2)], "s")
    store.upsert_papers([paper("x", title="Leopard spots", abstract="new", version=2)], "t")
    count = store.connection.execute(
        "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'leopard'"
    ).fetchone()[0]
    assert count == 1
    store.check_integrity()


def test_fts_query_quotes_words() -> None:
    assert fts_query("the graph AND (nets)") == '"graph" OR "nets"'
    assert fts_query("the of") == '"the" OR "of"'
    assert fts_query("the graph nets", match_all=True) == '"graph" AND "nets"'
    assert fts_query('" * -') is None


def test_fts_query_all_but_some_words() -> None:
    assert fts_query("graph neural molecules", match_all=True, missing=1) == (
        '("graph" AND "neural") OR ("graph" AND "molecules") OR ("neural" AND "molecules")'
    )
    assert fts_query("graph nets", match_all=True, missing=5) == '"graph" OR "nets"'
    assert fts_query("graph", match_all=True, missing=1) == '"graph"'
    # C(10, 8) = 45 groups is too many: all but one word (10 groups) instead
    ten = " ".join(f"w{i}" for i in range(10))
    assert fts_query(ten, match_all=True, missing=2).count(" OR ") == 9


# --- users, profiles, ratings -------------------------------------------------------------


def test_one_rating_row_per_kind(store: SQLiteStore) -> None:
    store.upsert_papers([paper("a"), paper("b")], "s")
    for value in ("up", "saved", "down", "opened", "up"):
        store.rate("ann", "a", value)
    store.rate("ann", "b", "opened")
    rows = store.connection.execute("SELECT paper_id, kind, value FROM ratings ORDER BY rowid")
    assert sorted(rows.fetchall()) == [
        ("a", "opened", "opened"),
        ("a", "saved", "saved"),
        ("a", "vote", "up"),
        ("b", "opened", "opened"),
    ]


# --- embeddings ---------------------------------------------------------------------------


def test_vectors_are_stored_as_little_endian_float32(store: SQLiteStore) -> None:
    v = np.random.default_rng(0).normal(size=8)
    store.put_embeddings("m", [("h2", v)])
    row = store.connection.execute("SELECT dim, vector FROM embeddings WHERE content_hash='h2'")
    assert row.fetchone() == (8, v.astype("<f4").tobytes())
