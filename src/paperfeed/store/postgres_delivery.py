"""The PostgreSQL store's cache of candidate pools (the per-user data shared with SQLite is in
:mod:`paperfeed.store.sql_user_data`)."""

from __future__ import annotations

from paperfeed.store.postgres_base import PostgresConnection
from paperfeed.store.sqlite_papers import utc_now


class PostgresDelivery(PostgresConnection):
    """What delivery keeps, in the tables of :mod:`paperfeed.store.migrations.postgres`."""

    # --- the cache of candidate pools -------------------------------------------------------

    def get_cached_pool(self, key: str) -> bytes | None:
        """The candidate pool cached under ``key`` (by :meth:`put_cached_pool`), or None."""
        rows = self._query("SELECT payload FROM candidate_pools WHERE key = %s", [key])
        return bytes(rows[0][0]) if rows else None

    def put_cached_pool(
        self, key: str, model: str, span: str, payload: bytes, *, keep: int = 8
    ) -> None:
        """Cache ``payload`` under ``key`` in place of any earlier pool of ``model`` and
        ``span``; only the ``keep`` most recently cached pools stay."""
        with self.transaction():
            self._execute(
                "DELETE FROM candidate_pools WHERE (model = %s AND span = %s) OR key = %s",
                (model, span, key),
            )
            self._execute(
                "INSERT INTO candidate_pools (key, model, span, payload, created_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                (key, model, span, payload, utc_now()),
            )
            self._execute(
                "DELETE FROM candidate_pools WHERE seq NOT IN "
                "(SELECT seq FROM candidate_pools ORDER BY seq DESC LIMIT %s)",
                (max(keep, 1),),
            )
