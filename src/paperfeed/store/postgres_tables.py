""":class:`~paperfeed.store.tables.TableIO` of a PostgreSQL store: rows stream through a
server-side cursor; vectors are pgvector values; papers get their author-key array."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from paperfeed.store.postgres import PostgresStore
from paperfeed.store.postgres_papers import author_keys
from paperfeed.store.postgres_vectors import ensure_index
from paperfeed.store.tables import PAPER_FIELDS, Dialect, Row, SqlTables

_AUTHORS = PAPER_FIELDS.index("authors")


def postgres_tables(store: PostgresStore) -> SqlTables:
    """The rows of ``store`` in and out (each write one transaction)."""

    def query(sql: str, params: Sequence[Any]) -> list[Row]:
        with store.connection() as conn:
            return conn.execute(sql, params or None).fetchall()  # type: ignore[arg-type]

    def stream(sql: str, size: int) -> Iterator[list[Row]]:
        with store.connection() as conn, conn.transaction(), conn.cursor(name="pf_rows") as cur:
            cur.execute(sql)  # type: ignore[arg-type]
            while batch := cur.fetchmany(size):
                yield batch

    def write_many(sql: str, rows: list[Row]) -> int:
        with store.transaction(), store.connection() as conn, conn.cursor() as cur:
            cur.executemany(sql, rows)  # type: ignore[arg-type]
            return max(cur.rowcount, 0)

    def before_vectors(rows: list[Row]) -> None:
        with store.transaction(), store.connection() as conn:
            for model, dim in sorted({(r[0], int(r[2].size)) for r in rows}):
                ensure_index(conn, model, dim)

    dialect = Dialect(
        mark="%s",
        order="seq",
        query=query,
        stream=stream,
        write_many=write_many,
        encode_vector=lambda v: np.asarray(v, dtype=np.float32),
        decode_vector=lambda v: v.to_numpy().astype(np.float32),
        paper_extras={"author_keys": lambda r: author_keys(r[_AUTHORS])},
        before_vectors=before_vectors,
    )
    return SqlTables(dialect, lambda: store.schema_version)
