"""The PostgreSQL store's reader data (:class:`~paperfeed.store.base.ReaderStore`): the TL;DR
cache and the papers each user was shown in a digest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from paperfeed.store.postgres_base import PostgresConnection
from paperfeed.store.sqlite_papers import utc_now


class PostgresReader(PostgresConnection):
    """The reader tables of :mod:`paperfeed.store.migrations.postgres`."""

    def tldrs(self, model: str, language: str, paper_ids: Sequence[str]) -> dict[str, str]:
        """``paper id -> TL;DR`` of the given papers cached for ``model`` and ``language``."""
        rows = self._query(
            "SELECT paper_id, text FROM tldrs WHERE model = %s AND language = %s "
            "AND paper_id = ANY(%s)",
            [model, language, list(dict.fromkeys(paper_ids))],
        )
        return {pid: text for pid, text in rows}

    def put_tldrs(self, model: str, language: str, items: Iterable[tuple[str, str]]) -> int:
        """Cache ``(paper id, TL;DR)`` pairs; returns how many were new."""
        rows = list(items)
        with self.transaction():
            have = self.tldrs(model, language, [pid for pid, _ in rows])
            for pid, text in rows:
                self._execute(
                    "INSERT INTO tldrs (paper_id, model, language, text, created_at) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (paper_id, model, language) "
                    "DO UPDATE SET text = excluded.text, created_at = excluded.created_at",
                    (pid, model, language, text, utc_now()),
                )
        return len({pid for pid, _ in rows} - set(have))

    def shown_papers(self, user: str, before: str | None = None) -> set[str]:
        """The ids of the papers ``user`` was shown in a digest (of a day before ``before``)."""
        rows = self._query(
            "SELECT s.paper_id FROM shown_papers s JOIN users u ON u.id = s.user_id "
            "WHERE u.name = %s AND s.day < %s",
            [user, before or "9999"],
        )
        return {r[0] for r in rows}

    def record_shown(self, user: str, day: str, paper_ids: Sequence[str]) -> int:
        """Note that ``user`` was shown ``paper_ids`` on ``day``; returns how many were new."""
        with self.transaction():
            uid = self.ensure_user(user)
            return sum(
                self._execute(
                    "INSERT INTO shown_papers (user_id, paper_id, day) VALUES (%s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (uid, pid, day),
                )
                for pid in dict.fromkeys(paper_ids)
            )
