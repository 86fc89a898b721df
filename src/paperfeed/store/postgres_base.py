"""The PostgreSQL store's connections: the schema migrated on open, a psycopg connection pool,
per-thread transactions (nested ones are savepoints) and the papers advisory lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

import psycopg
from pgvector.psycopg import register_vector
from psycopg_pool import ConnectionPool

from paperfeed.store import describe_location as redacted
from paperfeed.store.migrations.postgres import migrate, schema_version
from paperfeed.store.postgres_papers import PAPERS_LOCK
from paperfeed.store.postgres_vectors import ANN_MIN_VECTORS
from paperfeed.store.sqlite_papers import utc_now

POOL_MAX = 8
CONNECT_TIMEOUT_S = 30


class PostgresConnection:
    """One database behind a pool. Each thread's :meth:`transaction` holds one pooled
    connection until it ends; reads outside a transaction borrow one for the statement."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = POOL_MAX,
        migrate_schema: bool = True,
        ann_threshold: int = ANN_MIN_VECTORS,
    ):
        self.url = url
        self.ann_threshold = ann_threshold
        """A model's vectors from which it gets an HNSW index (fewer are scanned exactly)."""
        self._indexed: dict[str, tuple[int, int]] = {}  # indexed models: (size, search breadth)
        self._local = threading.local()
        self._pool: ConnectionPool | None = None
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            if migrate_schema:
                migrate(conn)
        pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs={"autocommit": True},
            configure=register_vector,
            open=True,
        )
        try:
            pool.wait(timeout=CONNECT_TIMEOUT_S)
        except BaseException:
            pool.close()
            raise
        self._pool = pool

    @property
    def pool(self) -> ConnectionPool:
        if self._pool is None:
            raise psycopg.InterfaceError(f"store {redacted(self.url)} is closed")
        return self._pool

    @property
    def schema_version(self) -> int:
        with self.connection() as conn:
            return schema_version(conn)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redacted(self.url)!r})"

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """This thread's transaction's connection, else one from the pool for the block."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or rolls back together; nests via savepoints."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            with held.transaction():
                yield
            return
        with self.pool.connection() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    yield
            finally:
                self._local.conn = None

    _ROW_ORDER = "seq"  # the tables' insertion order (SQLite's rowid)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of one statement; ``?`` parameters (the shared SQL's) become ``%s``."""
        with self.connection() as conn:
            return conn.execute(_pg_params(sql), params).fetchall()  # type: ignore[arg-type]

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write in a transaction; the number of rows it changed."""
        with self.transaction(), self.connection() as conn:
            return conn.execute(_pg_params(sql), params).rowcount  # type: ignore[arg-type]

    def _lock_papers(self, *, shared: bool) -> None:
        """Hold the papers lock until the transaction ends: exclusively to write papers,
        shared to write what refers to one (so a merge cannot delete it meanwhile)."""
        fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with self.connection() as conn:
            conn.execute(f"SELECT {fn}(%s)", (PAPERS_LOCK,))  # type: ignore[arg-type]

    def ensure_user(self, name: str) -> int:
        """The id of user ``name``, created if new."""
        if not name or not name.strip():
            raise ValueError("a user name must not be empty")
        with self.transaction(), self.connection() as conn:
            conn.execute(
                "INSERT INTO users (name, created_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (name, utc_now()),
            )
            row = conn.execute("SELECT id FROM users WHERE name = %s", (name,)).fetchone()
            if row is None:
                raise psycopg.DatabaseError(f"user {name!r} vanished while being created")
            return int(row[0])


def _pg_params(sql: str) -> str:
    """``sql`` with the ``?`` parameters of the SQL shared with SQLite as psycopg's ``%s``
    (no statement of this store holds a literal ``?``)."""
    return sql.replace("?", "%s") if "?" in sql else sql
