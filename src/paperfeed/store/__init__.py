"""Storage: the :class:`Store` interface and its embedded SQLite backend."""

from __future__ import annotations

from pathlib import Path

from paperfeed.store.base import Store, UpsertStats
from paperfeed.store.merge import merge_papers
from paperfeed.store.migrations import MIGRATIONS, SCHEMA_VERSION, SchemaError
from paperfeed.store.sqlite import SQLiteStore

DB_NAME = "paperfeed.db"

__all__ = [
    "DB_NAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
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
