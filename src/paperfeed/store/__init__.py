"""Storage: the :class:`Store` interfaces, the embedded SQLite backend
(``MIGRATIONS``/``SCHEMA_VERSION`` are the SQLite schema's) and, with ``paperfeed[postgres]``,
the PostgreSQL backend; :func:`open_url` picks one by location."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from paperfeed.store.base import (
    Account,
    AccountStore,
    ApiToken,
    AppStore,
    DeliveryStore,
    FollowStore,
    RatingEvent,
    ReaderStore,
    Store,
    UpsertStats,
)
from paperfeed.store.merge import merge_papers
from paperfeed.store.migrations import SchemaError
from paperfeed.store.migrations.sqlite import MIGRATIONS, SCHEMA_VERSION
from paperfeed.store.sqlite import SQLiteStore
from paperfeed.store.tables import TABLES, TableIO, sqlite_tables

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TABLES",
    "Account",
    "AccountStore",
    "ApiToken",
    "AppStore",
    "DeliveryStore",
    "FollowStore",
    "RatingEvent",
    "ReaderStore",
    "SQLiteStore",
    "SchemaError",
    "Store",
    "TableIO",
    "UpsertStats",
    "describe_location",
    "is_postgres_url",
    "merge_papers",
    "open_store",
    "open_url",
    "table_io",
]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(path: str | Path) -> SQLiteStore:
    """Open (creating the file and its parent directory, and migrating) the SQLite store at
    ``path``. Cheap when the schema is current. A new directory is made readable by its owner
    only (0700) and a new store file likewise (0600): profiles and ratings are private."""
    path = Path(path).expanduser()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)  # before SQLite creates it with the umask's 0644
    return SQLiteStore(path)


def is_postgres_url(location: str | Path) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) connection URL."""
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def open_url(location: str | Path) -> AppStore:
    """Open the store at ``location``: a ``postgresql://`` URL (needs ``paperfeed[postgres]``)
    or the path of a SQLite file; either is created and migrated if needed."""
    if not is_postgres_url(location):
        return open_store(location)
    try:
        from paperfeed.store.postgres import PostgresStore
    except ImportError as e:
        raise RuntimeError(
            f"a PostgreSQL store needs paperfeed[postgres] (psycopg, psycopg-pool, pgvector): {e}"
        ) from None
    return PostgresStore(str(location))


def describe_location(location: str | Path) -> str:
    """``location`` for messages: a path as it is, a URL without its password."""
    if not is_postgres_url(location):
        return str(location)
    parts = urlsplit(str(location))
    if parts.password is None:
        return str(location)
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}@{netloc}"))


def table_io(store: AppStore) -> TableIO:
    """Every row of ``store`` in and out, backend-neutral (for copying and checking)."""
    if isinstance(store, SQLiteStore):
        return sqlite_tables(store)
    from paperfeed.store.postgres import PostgresStore
    from paperfeed.store.postgres_tables import postgres_tables

    if isinstance(store, PostgresStore):
        return postgres_tables(store)
    raise TypeError(f"no table access for {type(store).__name__}")
