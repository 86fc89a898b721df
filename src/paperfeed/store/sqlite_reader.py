"""The SQLite store's reader data (:class:`~paperfeed.store.base.ReaderStore`): the TL;DR
cache and the papers each user was shown in a digest."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from paperfeed.store.sqlite_papers import utc_now

_CHUNK = 500  # ids per IN (…) list, well under SQLite's variable limit


class ReaderMixin:
    """Methods of :class:`~paperfeed.store.sqlite.SQLiteStore` over its connection."""

    if TYPE_CHECKING:  # what the store provides

        @property
        def connection(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

        def ensure_user(self, name: str) -> int: ...

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    def tldrs(self, model: str, language: str, paper_ids: Sequence[str]) -> dict[str, str]:
        """``paper id -> TL;DR`` of the given papers cached for ``model`` and ``language``."""
        found: dict[str, str] = {}
        ids = list(dict.fromkeys(paper_ids))
        for i in range(0, len(ids), _CHUNK):
            part = ids[i : i + _CHUNK]
            rows = self._query(
                "SELECT paper_id, text FROM tldrs WHERE model = ? AND language = ? "
                f"AND paper_id IN ({', '.join('?' * len(part))})",
                [model, language, *part],
            )
            found.update((pid, text) for pid, text in rows)
        return found

    def put_tldrs(self, model: str, language: str, items: Iterable[tuple[str, str]]) -> int:
        """Cache ``(paper id, TL;DR)`` pairs; returns how many were new."""
        rows = list(items)
        with self.transaction():
            have = self.tldrs(model, language, [pid for pid, _ in rows])
            self.connection.executemany(
                "INSERT INTO tldrs (paper_id, model, language, text, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id, model, language) "
                "DO UPDATE SET text = excluded.text, created_at = excluded.created_at",
                [(pid, model, language, text, utc_now()) for pid, text in rows],
            )
        return len({pid for pid, _ in rows} - set(have))

    def shown_papers(self, user: str, before: str | None = None) -> set[str]:
        """The ids of the papers ``user`` was shown in a digest (of a day before ``before``)."""
        rows = self._query(
            "SELECT s.paper_id FROM shown_papers s JOIN users u ON u.id = s.user_id "
            "WHERE u.name = ? AND s.day < ?",
            [user, before or "9999"],
        )
        return {r[0] for r in rows}

    def record_shown(self, user: str, day: str, paper_ids: Sequence[str]) -> int:
        """Note that ``user`` was shown ``paper_ids`` on ``day``; returns how many were new."""
        with self.transaction():
            uid = self.ensure_user(user)
            cur = self.connection.executemany(
                "INSERT OR IGNORE INTO shown_papers (user_id, paper_id, day) VALUES (?, ?, ?)",
                [(uid, pid, day) for pid in dict.fromkeys(paper_ids)],
            )
            return max(cur.rowcount, 0)
