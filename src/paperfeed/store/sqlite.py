"""The embedded default backend: one SQLite file (WAL, foreign keys, FTS5 full-text index)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import Any, Self

import numpy as np

from paperfeed.models import Paper
from paperfeed.names import has_author, name_key
from paperfeed.store import sqlite_pools
from paperfeed.store.ann import ANN_MIN_VECTORS, AnnIndexes
from paperfeed.store.base import UpsertStats
from paperfeed.store.migrations.sqlite import migrate, schema_version
from paperfeed.store.sql_accounts import AccountTables
from paperfeed.store.sql_follows import FollowTables
from paperfeed.store.sql_llm import LlmRankingTables
from paperfeed.store.sql_profiles import ProfileTables, rating_kind
from paperfeed.store.sql_texts import TextTables
from paperfeed.store.sql_user_data import UserDataTables
from paperfeed.store.sqlite_papers import (
    PAPER_COLUMNS,
    PaperTables,
    name_keys_json,
    paper_from_row,
    utc_now,
)
from paperfeed.store.sqlite_reader import ReaderMixin
from paperfeed.store.text_query import fts_match
from paperfeed.store.upsert import upsert_batch

BUSY_TIMEOUT_MS = 10_000


def _as_vector(vec: Any) -> np.ndarray:
    arr = np.asarray(vec, dtype="<f4")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"an embedding must be a non-empty 1-d vector, got shape {arr.shape}")
    return arr


def _vector_from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


class SQLiteStore(
    UserDataTables,
    ReaderMixin,
    AccountTables,
    ProfileTables,
    LlmRankingTables,
    FollowTables,
    TextTables,
):
    """Papers, users, profiles, ratings, the embedding cache and accounts in one SQLite file.

    One connection, opened in autocommit mode: every write runs inside :meth:`transaction`
    (``BEGIN IMMEDIATE``, savepoints when nested). A lock serializes use from several
    threads.
    """

    _PAPER_COLUMNS = PAPER_COLUMNS

    def __init__(
        self,
        path: str | Path,
        *,
        migrate_schema: bool = True,
        ann_threshold: int = ANN_MIN_VECTORS,
    ) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._author_fn = False
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            str(self.path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            self._configure(self._conn)
            if migrate_schema:
                migrate(self._conn)
        except BaseException:
            self._conn.close()
            self._conn = None
            raise
        on_disk = str(path) not in ("", ":memory:")
        self._ann = AnnIndexes(self.path if on_disk else None, self._query, ann_threshold)

    @staticmethod
    def _configure(conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")

    # --- connection -----------------------------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for diagnostics and tests)."""
        if self._conn is None:
            raise sqlite3.ProgrammingError(f"store {self.path} is closed")
        return self._conn

    @property
    def schema_version(self) -> int:
        with self._lock:
            return schema_version(self.connection)

    @property
    def journal_mode(self) -> str:
        with self._lock:
            return str(self.connection.execute("PRAGMA journal_mode").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            self._ann.close()
            if self._depth == 0:
                with suppress(sqlite3.Error):
                    self._conn.execute("PRAGMA optimize")
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or rolls back together; nests via savepoints."""
        with self._lock:
            conn = self.connection
            depth = self._depth
            if depth == 0:
                _begin_immediate(conn)
            else:
                conn.execute(f"SAVEPOINT sp{depth}")
            self._depth = depth + 1
            try:
                yield
            except BaseException:
                self._depth = depth
                if conn.in_transaction:
                    if depth == 0:
                        conn.execute("ROLLBACK")
                    else:
                        conn.execute(f"ROLLBACK TO sp{depth}")
                        conn.execute(f"RELEASE sp{depth}")
                raise
            self._depth = depth
            if depth > 0:
                conn.execute(f"RELEASE sp{depth}")
                return
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self.connection.execute(sql, params).fetchall()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write in a transaction; the number of rows it changed."""
        with self.transaction():
            return self.connection.execute(sql, params).rowcount

    # --- papers ----------------------------------------------------------------------------

    def upsert_papers(
        self, papers: Iterable[Paper], source: str, *, batch_size: int = 1000
    ) -> UpsertStats:
        """Insert new papers and merge known ones (see :func:`merge_papers`), adding
        ``source`` to each paper's sources. Each batch of ``batch_size`` records is one
        transaction: batches written before an error stay, the failing one leaves no trace."""
        if not source:
            raise ValueError("upsert_papers needs a non-empty source name")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        stats = UpsertStats()
        it = iter(papers)
        while batch := list(islice(it, batch_size)):
            with self.transaction():
                stats += upsert_batch(PaperTables(self.connection), batch, source)
        return stats

    def resolve_ids(self, ids: Sequence[str]) -> list[str]:
        """``ids`` with each id merged into another paper replaced by that paper's id."""
        with self._lock:
            found = PaperTables(self.connection).alias_targets(list(ids))
        return [found.get(i, i) for i in ids]

    def resolve_id(self, paper_id: str) -> str:
        return self.resolve_ids([paper_id])[0]

    def _select_papers(self, where: str, params: Sequence[Any] = (), tail: str = "") -> list[Paper]:
        sql = f"SELECT {PAPER_COLUMNS} FROM papers p WHERE {where} {tail}"
        return [paper_from_row(r) for r in self._query(sql, params)]

    def get_paper(self, paper_id: str) -> Paper | None:
        found = self._select_papers("p.id = ?", [self.resolve_id(paper_id)])
        return found[0] if found else None

    def get_papers(self, ids: Sequence[str]) -> list[Paper]:
        """The stored papers among ``ids``, in the given order; unknown ids are skipped (an
        id merged into another paper gives that paper)."""
        ids = self.resolve_ids(list(ids))
        if not ids:
            return []
        found = {
            p.id: p
            for p in self._select_papers(
                "p.id IN (SELECT value FROM json_each(?))", [json.dumps(list(dict.fromkeys(ids)))]
            )
        }
        return [found[i] for i in ids if i in found]

    def papers_between(
        self, since: str | None = None, until: str | None = None, *, limit: int | None = None
    ) -> list[Paper]:
        """Papers with ``since <= date < until`` (either bound optional), newest first
        (ties by id, descending). Without bounds, undated papers come last."""
        where: list[str] = ["1"]
        params: list[str | int] = []
        if since is not None:
            where.append("p.date >= ?")
            params.append(since)
        if until is not None:
            where.append("p.date < ?")
            params.append(until)
        tail = "ORDER BY p.date DESC, p.id DESC"
        if limit is not None:
            tail += " LIMIT ?"
            params.append(int(limit))
        return self._select_papers(" AND ".join(where), params, tail)

    def papers_by_author(self, name: str) -> list[Paper]:
        """Papers one of whose authors is ``name`` (case, accents, word order and
        punctuation ignored: ``"Qiang Liu"`` finds ``"Liu, Qiang"`` and ``"QIANG LIU"``),
        newest first."""
        wanted = name_key(name)
        if not wanted:
            return []
        conn = self.connection
        with self._lock:
            if not self._author_fn:
                conn.create_function("pf_name_keys", 1, name_keys_json, deterministic=True)
                self._author_fn = True
        probe = max(wanted.split(), key=len)
        rows = self._select_papers(
            "instr(pf_name_keys(p.authors), ?) > 0",
            [probe],
            "ORDER BY p.date DESC, p.id DESC",
        )
        return [p for p in rows if has_author(p, name)]

    def latest_date(self) -> str | None:
        value = self._query("SELECT max(date) FROM papers")[0][0]
        return str(value) if value is not None else None

    def count_papers(self) -> int:
        return int(self._query("SELECT count(*) FROM papers")[0][0])

    def search_text(
        self, query: str, *, limit: int = 20, match_all: bool = False, missing: int = 0
    ) -> list[tuple[str, float]]:
        """``(paper_id, score)`` by FTS5 bm25 over title (weight 2) and abstract, best first,
        higher is better. Words are stemmed (Porter) and matched if any occurs, or only if
        all occur with ``match_all`` (all but ``missing``: see :func:`fts_match`). A partial
        match names each word in several groups and bm25 counts a word once per matching
        group, so the score is divided by the groups naming each word: a paper with every
        word scores as for any word, one lacking some lower (more of the words rank
        higher, as Lucene's coordination factor would). Punctuation and FTS5 syntax in
        ``query`` are ignored."""
        found = fts_match(query, match_all=match_all, missing=missing)
        if found is None or limit <= 0:
            return []
        match, repeats = found
        rows = self._query(
            "SELECT p.id, f.r FROM (SELECT rowid, bm25(papers_fts, 2.0, 1.0) AS r "
            "FROM papers_fts WHERE papers_fts MATCH ? ORDER BY r LIMIT ?) f "
            "JOIN papers p ON p.pk = f.rowid ORDER BY f.r",
            [match, int(limit)],
        )
        return [(pid, -float(r) / repeats) for pid, r in rows]

    def optimize(self) -> None:
        """Merge the full-text index's segments and refresh the query planner's statistics."""
        with self.transaction():
            self.connection.execute("INSERT INTO papers_fts(papers_fts) VALUES ('optimize')")
        with self._lock:
            self.connection.execute("PRAGMA optimize")

    def check_integrity(self) -> None:
        """Raise ``sqlite3.DatabaseError`` if the database or its full-text index is damaged
        or the index disagrees with the papers."""
        with self._lock:
            conn = self.connection
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise sqlite3.DatabaseError(f"{self.path}: {result}")
            conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise sqlite3.DatabaseError(f"{self.path}: foreign key violations {problems[:5]}")

    # --- users, profiles, ratings ------------------------------------------------------------

    def ensure_user(self, name: str) -> int:
        """The id of user ``name``, created if new."""
        if not name or not name.strip():
            raise ValueError("a user name must not be empty")
        with self.transaction():
            conn = self.connection
            conn.execute(
                "INSERT OR IGNORE INTO users (name, created_at) VALUES (?, ?)", (name, utc_now())
            )
            return int(conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()[0])

    def users(self) -> list[str]:
        return [r[0] for r in self._query("SELECT name FROM users ORDER BY id")]

    def _require_papers(self, paper_ids: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(self.resolve_ids(list(paper_ids))))
        rows = self._query(
            "SELECT id FROM papers WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(wanted)],
        )
        known = {r[0] for r in rows}
        missing = [p for p in wanted if p not in known]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise KeyError(f"not in the store: {shown}")

    def add_profile_papers(self, user: str, paper_ids: Sequence[str]) -> int:
        """Add stored papers to ``user``'s profile (created if new); returns how many were
        not in it yet. Raises ``KeyError`` (adding nothing) if any paper is unknown."""
        with self.transaction():
            paper_ids = self.resolve_ids(list(paper_ids))
            self._require_papers(paper_ids)
            uid = self.ensure_user(user)
            conn = self.connection
            before = conn.total_changes
            now = utc_now()
            conn.executemany(
                "INSERT OR IGNORE INTO profile_papers (user_id, paper_id, added_at) "
                "VALUES (?, ?, ?)",
                [(uid, pid, now) for pid in paper_ids],
            )
            return conn.total_changes - before

    def rate(self, user: str, paper_id: str, value: str) -> None:
        """Record ``value`` for a stored paper (``user`` is created if new). ``up`` and
        ``down`` replace each other; ``saved`` and ``opened`` are kept beside them. Raises
        ``ValueError`` for an unknown value and ``KeyError`` for an unknown paper."""
        kind = rating_kind(value)
        with self.transaction():
            paper_id = self.resolve_id(paper_id)
            self._require_papers([paper_id])
            uid = self.ensure_user(user)
            self.connection.execute(
                "INSERT INTO ratings (user_id, paper_id, kind, value, at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, paper_id, kind) "
                "DO UPDATE SET value = excluded.value, at = excluded.at",
                (uid, paper_id, kind, value, utc_now()),
            )

    # --- embeddings ------------------------------------------------------------------------

    def get_embeddings(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """``content_hash -> float32 vector`` for the cached ones among ``hashes``."""
        if not hashes:
            return {}
        rows = self._query(
            "SELECT content_hash, vector FROM embeddings "
            "WHERE model = ? AND content_hash IN (SELECT value FROM json_each(?))",
            [model, json.dumps(list(dict.fromkeys(hashes)))],
        )
        return {h: _vector_from_blob(blob) for h, blob in rows}

    def put_embeddings(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> int:
        """Cache ``(content_hash, vector)`` pairs as float32 in one transaction; entries
        already cached are kept as they are. Returns how many were new."""
        now = utc_now()
        rows = []
        for content_hash, vec in items:
            arr = _as_vector(vec)
            rows.append((model, content_hash, int(arr.size), arr.tobytes(), now))
        if not rows:
            return 0
        with self.transaction():
            conn = self.connection
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO embeddings (model, content_hash, dim, vector, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            new = conn.total_changes - before
        if new and self._depth == 0:
            self._ann.added(model)
        elif new:
            self._ann.changed(model)
        return new

    def all_embeddings(
        self, model: str, *, papers_only: bool = True
    ) -> tuple[list[str], np.ndarray]:
        """``(hashes, matrix)``: every cached vector of ``model`` (by default only those of
        stored papers' current text) as rows of a float32 ``(n, dim)`` matrix."""
        sql = "SELECT e.content_hash, e.dim, e.vector FROM embeddings e WHERE e.model = ?"
        if papers_only:
            sql += " AND EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = e.content_hash)"
        rows = self._query(sql + " ORDER BY e.rowid", [model])
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        dims = {r[1] for r in rows}
        if len(dims) > 1:
            raise ValueError(f"model {model!r} has vectors of several sizes: {sorted(dims)}")
        matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4")
        return [r[0] for r in rows], matrix.reshape(len(rows), dims.pop()).astype(np.float32)

    def nearest(self, model: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` stored papers' text hashes with the highest dot product (cosine for unit
        vectors) with ``vector``, best first: from the approximate index beside the file
        (:mod:`paperfeed.store.ann`) at ``ann_threshold`` vectors or more, else an exact scan."""
        if k <= 0:
            return []
        found = self._ann.nearest(model, vector, k)
        if found is not None:
            return found
        hashes, matrix = self.all_embeddings(model)
        if not hashes:
            return []
        scores = matrix @ vector
        return [(hashes[i], float(scores[i])) for i in np.argsort(-scores)[:k]]

    def build_vector_index(self, model: str) -> bool:
        """Build or catch up ``model``'s approximate index now and save it (else the first
        search would); whether it has one (False below ``ann_threshold`` vectors)."""
        return self._ann.build(model)

    def paper_ids_for_hashes(self, hashes: Sequence[str]) -> list[str]:
        """Ids of the stored papers whose text has these content hashes, in ``hashes`` order
        (several papers may share one text), each once."""
        by_hash = self._ids_by_hash(hashes)
        return list(dict.fromkeys(pid for h in hashes for pid in by_hash.get(h, ())))

    def nearest_papers(
        self, model: str, vector: np.ndarray, k: int
    ) -> list[tuple[str, str, float]]:
        near = self.nearest(model, vector, k)
        by_hash = self._ids_by_hash([h for h, _ in near])  # a paper has one text: once
        return [(pid, h, s) for h, s in near for pid in by_hash.get(h, ())]

    def _ids_by_hash(self, hashes: Sequence[str]) -> dict[str, list[str]]:
        """Each hash's stored papers' ids, by id."""
        if not hashes:
            return {}
        rows = self._query(
            "SELECT content_hash, id FROM papers "
            "WHERE content_hash IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json.dumps(list(dict.fromkeys(hashes)))],
        )
        by_hash: dict[str, list[str]] = {}
        for h, pid in rows:
            by_hash.setdefault(h, []).append(pid)
        return by_hash

    def count_embeddings(self, model: str | None = None) -> int:
        if model is None:
            return int(self._query("SELECT count(*) FROM embeddings")[0][0])
        return int(self._query("SELECT count(*) FROM embeddings WHERE model = ?", [model])[0][0])

    def get_cached_pool(self, key: str) -> bytes | None:
        with self._lock:
            return sqlite_pools.get_cached_pool(self.connection, key)

    def put_cached_pool(
        self, key: str, model: str, span: str, payload: bytes, *, keep: int = 8
    ) -> None:
        with self.transaction():
            sqlite_pools.put_cached_pool(self.connection, key, model, span, payload, keep)


LOCK_WAIT_S = 120.0
"""How long a write waits for another process's write lock in all (each try waits the busy
time-out, then backs off), so no command fails because another one is writing."""


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, retried with backoff while another connection holds the lock."""
    deadline = time.monotonic() + LOCK_WAIT_S
    delay = 0.05
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            busy = "locked" in str(e) or "busy" in str(e)
            if not busy or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
