"""Every stored row, backend-neutral: what ``paperfeed db copy`` moves between stores and
``paperfeed db check`` counts. A table's rows name users by name and papers by id (never by a
backend's row ids), vectors are float32 arrays, timestamps the stored UTC text, so a row read
from one backend writes unchanged into another.

:class:`TableIO` is the interface; :class:`SqlTables` implements it over the tables both
backends share (same names and columns), given a backend's few differences
(:class:`Dialect`): its parameter mark, insertion-order column, vector encoding and statement
runners.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from paperfeed.store.sqlite import SQLiteStore

Row = tuple[Any, ...]

PAPER_FIELDS = (
    "id", "title", "abstract", "authors", "categories", "date", "version", "doi", "comment",
    "url", "venue", "extra", "content_hash", "title_key", "abstract_key", "added_at", "updated_at",
)  # fmt: skip
TABLES: dict[str, tuple[str, ...]] = {
    "users": ("name", "created_at"),
    "papers": PAPER_FIELDS,
    "paper_sources": ("paper_id", "source"),
    "paper_aliases": ("alias", "paper_id"),
    "profile_papers": ("user", "paper_id", "added_at"),
    "ratings": ("user", "paper_id", "kind", "value", "at"),
    "used_tokens": ("nonce", "user", "expires", "used_at"),
    "deliveries": ("user", "day", "channel", "kind", "detail", "at"),
    "unsubscribed": ("user", "channel", "at"),
    "interest_names": ("user", "anchor", "name"),
    "shown_papers": ("user", "paper_id", "day"),
    "tldrs": ("paper_id", "model", "language", "text", "created_at"),
    "llm_rankings": ("key", "model", "ids", "created_at"),
    "accounts": (
        "user",
        "email",
        "password_hash",
        "digest_frequency",
        "digest_size",
        "feed_generation",
        "session_epoch",
    ),
    "api_tokens": ("user", "token_hash", "label", "created_at"),
    "follows": (
        "user",
        "name_key",
        "name",
        "paper_ids",
        "coauthors",
        "other_ids",
        "followed_at",
    ),
    "embeddings": ("model", "content_hash", "vector", "created_at"),
}
"""Each table's logical columns, in the order a copy writes them (referenced tables first)."""

_BY_USER = {
    "profile_papers",
    "ratings",
    "used_tokens",
    "deliveries",
    "unsubscribed",
    "interest_names",
    "shown_papers",
    "accounts",
    "api_tokens",
    "follows",
}
_KEYS = {  # the order of rows whose order means nothing
    "paper_sources": "paper_id, source",
    "paper_aliases": "alias",
    "used_tokens": "nonce",
    "unsubscribed": "x.user_id, channel",
    "interest_names": "x.user_id, anchor",
    "shown_papers": "x.user_id, paper_id",
    "tldrs": "paper_id, model, language",
    "llm_rankings": "key",
    "accounts": "x.user_id",
    "api_tokens": "x.id",
    "follows": "x.user_id, name_key",
}
ORPHAN_CHECKS = {
    "paper_sources without paper": "paper_sources x WHERE NOT EXISTS "
    "(SELECT 1 FROM papers p WHERE p.id = x.paper_id)",
    "aliases without paper": "paper_aliases x WHERE NOT EXISTS "
    "(SELECT 1 FROM papers p WHERE p.id = x.paper_id)",
    "profile entries without paper": "profile_papers x WHERE NOT EXISTS "
    "(SELECT 1 FROM papers p WHERE p.id = x.paper_id)",
    "ratings without paper": "ratings x WHERE NOT EXISTS "
    "(SELECT 1 FROM papers p WHERE p.id = x.paper_id)",
    "rows of missing users": "(SELECT user_id FROM profile_papers UNION ALL SELECT user_id "
    "FROM ratings UNION ALL SELECT user_id FROM used_tokens UNION ALL SELECT user_id FROM "
    "deliveries UNION ALL SELECT user_id FROM unsubscribed UNION ALL SELECT user_id FROM "
    "interest_names UNION ALL SELECT user_id FROM shown_papers UNION ALL SELECT user_id FROM "
    "follows) x WHERE NOT EXISTS "
    "(SELECT 1 FROM users u WHERE u.id = x.user_id)",
    "aliases that are paper ids": "paper_aliases x WHERE EXISTS "
    "(SELECT 1 FROM papers p WHERE p.id = x.alias)",
}
"""What must never exist, each as the FROM … WHERE of a count (zero in a sound store)."""


class TableIO(Protocol):
    """Rows in and out of one store, for copying and checking."""

    def schema_version(self) -> int: ...

    def count_rows(self, table: str) -> int: ...

    def read_rows(self, table: str, batch_size: int = 2000) -> Iterator[list[Row]]:
        """The rows of ``table`` (its :data:`TABLES` columns) in insertion order, in batches."""
        ...

    def write_rows(self, table: str, rows: Sequence[Row]) -> int:
        """Insert the rows not stored yet (by the table's key) in one transaction; rows that
        are stored already are left as they are. Returns how many were new."""
        ...

    def orphan_rows(self) -> dict[str, int]:
        """How many rows of each :data:`ORPHAN_CHECKS` kind exist."""
        ...

    def papers_without_embedding(self, model: str) -> int:
        """How many stored papers have no ``model`` vector of their current text."""
        ...


@dataclass(frozen=True)
class Dialect:
    """What differs between two backends' SQL for the same tables."""

    mark: str  # the parameter placeholder: "?" or "%s"
    order: str  # the column that keeps insertion order: "rowid" or "seq"
    query: Callable[[str, Sequence[Any]], list[Row]]
    stream: Callable[[str, int], Iterator[list[Row]]]
    write_many: Callable[[str, list[Row]], int]  # one transaction; rows changed
    encode_vector: Callable[[np.ndarray], Any]
    decode_vector: Callable[[Any], np.ndarray]
    paper_extras: dict[str, Callable[[Row], Any]]  # extra paper columns and how to fill them
    before_vectors: Callable[[list[Row]], None]  # e.g. create each model's vector index


class SqlTables:
    """:class:`TableIO` over the tables both backends share."""

    def __init__(self, dialect: Dialect, version: Callable[[], int]) -> None:
        self.d = dialect
        self._version = version

    def schema_version(self) -> int:
        return self._version()

    def count_rows(self, table: str) -> int:
        if table not in TABLES:
            raise KeyError(f"no table {table!r}")
        return int(self.d.query(f"SELECT count(*) FROM {table}", [])[0][0])

    def _select(self, table: str) -> str:
        cols = [c for c in TABLES[table] if c != "user"]
        if table == "embeddings":
            cols = ["model", "content_hash", "vector", "created_at"]
            return f"SELECT {', '.join(cols)} FROM embeddings ORDER BY {self.d.order}"
        if table in ("users", "papers"):
            key = "id" if table == "users" else "pk"
            return f"SELECT {', '.join(cols)} FROM {table} ORDER BY {key}"
        order = _KEYS.get(table, f"x.{self.d.order}")
        names = ", ".join(f"x.{c}" for c in cols)
        if table in _BY_USER:
            return (
                f"SELECT u.name, {names} FROM {table} x JOIN users u ON u.id = x.user_id "
                f"ORDER BY {order}"
            )
        return f"SELECT {names} FROM {table} x ORDER BY {order}"

    def read_rows(self, table: str, batch_size: int = 2000) -> Iterator[list[Row]]:
        if table not in TABLES:
            raise KeyError(f"no table {table!r}")
        for batch in self.d.stream(self._select(table), batch_size):
            if table == "embeddings":
                batch = [(m, h, self.d.decode_vector(v), at) for m, h, v, at in batch]
            yield batch

    def write_rows(self, table: str, rows: Sequence[Row]) -> int:
        if table not in TABLES:
            raise KeyError(f"no table {table!r}")
        if not rows:
            return 0
        m = self.d.mark
        cols = [c for c in TABLES[table] if c != "user"]
        values = [list(r) for r in rows]
        if table == "embeddings":
            self.d.before_vectors(list(rows))
            cols = ["model", "content_hash", "dim", "vector", "created_at"]
            values = [[mo, h, int(v.size), self.d.encode_vector(v), at] for mo, h, v, at in rows]
        elif table == "papers":
            cols += list(self.d.paper_extras)
            values = [[*r, *(f(r) for f in self.d.paper_extras.values())] for r in rows]
        marks = ", ".join([m] * len(cols))
        if table in _BY_USER:
            sql = (
                f"INSERT INTO {table} (user_id, {', '.join(cols)}) SELECT u.id, {marks} "
                f"FROM users u WHERE u.name = {m} ON CONFLICT DO NOTHING"
            )
            values = [[*v[1:], v[0]] for v in values]
        else:
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) ON CONFLICT DO NOTHING"
        return self.d.write_many(sql, [tuple(v) for v in values])

    def orphan_rows(self) -> dict[str, int]:
        return {
            what: int(self.d.query(f"SELECT count(*) FROM {where}", [])[0][0])
            for what, where in ORPHAN_CHECKS.items()
        }

    def papers_without_embedding(self, model: str) -> int:
        m = self.d.mark
        rows = self.d.query(
            "SELECT count(*) FROM papers p WHERE NOT EXISTS (SELECT 1 FROM embeddings e "
            f"WHERE e.model = {m} AND e.content_hash = p.content_hash)",
            [model],
        )
        return int(rows[0][0])


def sqlite_tables(store: SQLiteStore) -> SqlTables:
    """:class:`TableIO` of a SQLite store (vectors as little-endian float32 blobs)."""
    from paperfeed.store.migrations.sqlite import schema_version

    def query(sql: str, params: Sequence[Any]) -> list[Row]:
        return store.connection.execute(sql, params).fetchall()

    def stream(sql: str, size: int) -> Iterator[list[Row]]:
        cur = store.connection.execute(sql)
        while batch := cur.fetchmany(size):
            yield batch

    def write_many(sql: str, rows: list[Row]) -> int:
        with store.transaction():  # rowcount: this statement's rows, not its triggers'
            return max(store.connection.executemany(sql, rows).rowcount, 0)

    dialect = Dialect(
        mark="?",
        order="rowid",
        query=query,
        stream=stream,
        write_many=write_many,
        encode_vector=lambda v: np.asarray(v, dtype="<f4").tobytes(),
        decode_vector=lambda b: np.frombuffer(b, dtype="<f4").astype(np.float32),
        paper_extras={},
        before_vectors=lambda rows: None,
    )
    return SqlTables(dialect, lambda: schema_version(store.connection))
