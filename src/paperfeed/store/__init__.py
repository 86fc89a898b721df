"""Storage: the :class:`Store` interfaces and the embedded SQLite backend
(``MIGRATIONS``/``SCHEMA_VERSION`` are the SQLite schema's)."""

from __future__ import annotations

from pathlib import Path

from paperfeed.store.base import AppStore, DeliveryStore, Store, UpsertStats
from paperfeed.store.merge import merge_papers
from paperfeed.store.migrations import SchemaError
from paperfeed.store.migrations.sqlite import MIGRATIONS, SCHEMA_VERSION
from paperfeed.store.sqlite import SQLiteStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AppStore",
    "DeliveryStore",
    "SQLiteStore",
    "SchemaError",
    "Store",
    "UpsertStats",
    "merge_papers",
    "open_store",
]


def open_store(path: str | Path) -> SQLiteStore:
    """Open (creating the file and its parent directory, and migrating) the SQLite store at
    ``path``. Cheap when the schema is current. A new directory is made readable by its owner
    only (0700) and a new store file likewise (0600): profiles and ratings are private."""
    path = Path(path).expanduser()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)  # before SQLite creates it with the umask's 0644
    return SQLiteStore(path)
