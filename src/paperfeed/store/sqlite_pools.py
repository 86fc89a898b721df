"""The SQLite store's cache of candidate pools: opaque arrays of a window's prepared
candidates, so a second process ranks without rebuilding them."""

from __future__ import annotations

import sqlite3

from paperfeed.store.sqlite_papers import utc_now


def get_cached_pool(conn: sqlite3.Connection, key: str) -> bytes | None:
    """The payload cached under ``key``, or None."""
    row = conn.execute("SELECT payload FROM candidate_pools WHERE key = ?", [key]).fetchone()
    return None if row is None else bytes(row[0])


def put_cached_pool(
    conn: sqlite3.Connection, key: str, model: str, span: str, payload: bytes, keep: int
) -> None:
    """Cache ``payload`` under ``key`` in place of any earlier pool of ``model`` and
    ``span``; only the ``keep`` most recently cached pools stay. Call inside a transaction."""
    conn.execute(
        "DELETE FROM candidate_pools WHERE (model = ? AND span = ?) OR key = ?", [model, span, key]
    )
    conn.execute(
        "INSERT INTO candidate_pools (key, model, span, payload, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [key, model, span, sqlite3.Binary(payload), utc_now()],
    )
    conn.execute(
        "DELETE FROM candidate_pools WHERE rowid NOT IN "
        "(SELECT rowid FROM candidate_pools ORDER BY rowid DESC LIMIT ?)",
        [max(keep, 1)],
    )
