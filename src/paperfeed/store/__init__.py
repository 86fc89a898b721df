"""Storage: the :class:`Store` interfaces and the embedded SQLite backend
(``MIGRATIONS``/``SCHEMA_VERSION`` are the SQLite schema's)."""

from __future__ import annotations

from pathlib import Path

from paperfeed.store.base import (
    Account,
    AccountStore,
    ApiToken,
    AppStore,
    DeliveryStore,
    RatingEvent,
    Store,
    UpsertStats,
)
from paperfeed.store.merge import merge_papers
from paperfeed.store.migrations import SchemaError
from paperfeed.store.migrations.sqlite import MIGRATIONS, SCHEMA_VERSION
from paperfeed.store.sqlite import SQLiteStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Account",
    "AccountStore",
    "ApiToken",
    "AppStore",
    "DeliveryStore",
    "RatingEvent",
    "SQLiteStore",
    "SchemaError",
    "Store",
    "UpsertStats",
    "merge_papers",
    "open_store",
]


def open_store(path: str | Path) -> SQLiteStore:
    """Open (creating the file and its parent directory, and migrating) the SQLite store at
    ``path``. Cheap when the schema is current."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path)
