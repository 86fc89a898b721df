"""The PostgreSQL store's per-user data beyond profiles and ratings: used link tokens,
delivered digests and unsubscriptions (the :class:`~paperfeed.store.base.DeliveryStore` half
of the store), the names users gave their interests, and the cache of candidate pools."""

from __future__ import annotations

from paperfeed.store.postgres_base import PostgresConnection
from paperfeed.store.sqlite_papers import utc_now


class PostgresDelivery(PostgresConnection):
    """What delivery keeps, in the tables of :mod:`paperfeed.store.migrations.postgres`."""

    def use_token_nonce(self, nonce: str, user: str, expires: int) -> bool:
        """Mark a single-use token's nonce as used; ``False`` if it was used before."""
        with self.transaction():
            uid = self.ensure_user(user)
            return (
                self._execute(
                    "INSERT INTO used_tokens (nonce, user_id, expires, used_at) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (nonce, uid, int(expires), utc_now()),
                )
                > 0
            )

    def prune_token_nonces(self, now: int) -> int:
        """Forget the nonces of tokens expired before ``now`` (Unix time); returns how many."""
        return self._execute("DELETE FROM used_tokens WHERE expires < %s", (int(now),))

    def delivery(self, user: str, day: str, channel: str) -> str | None:
        """What was delivered to ``user`` on ``day`` over ``channel`` (its kind), or None."""
        rows = self._query(
            "SELECT d.kind FROM deliveries d JOIN users u ON u.id = d.user_id "
            "WHERE u.name = %s AND d.day = %s AND d.channel = %s",
            [user, day, channel],
        )
        return str(rows[0][0]) if rows else None

    def record_delivery(
        self, user: str, day: str, channel: str, kind: str, detail: str = ""
    ) -> bool:
        """Note that ``user``'s ``day`` went out over ``channel``; ``False`` if already noted."""
        with self.transaction():
            uid = self.ensure_user(user)
            return (
                self._execute(
                    "INSERT INTO deliveries (user_id, day, channel, kind, detail, at) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (uid, day, channel, kind, detail, utc_now()),
                )
                > 0
            )

    def deliveries(self, day: str) -> list[tuple[str, str, str]]:
        """``(user, channel, kind)`` of everything delivered on ``day``, in delivery order."""
        rows = self._query(
            "SELECT u.name, d.channel, d.kind FROM deliveries d JOIN users u ON u.id = d.user_id "
            "WHERE d.day = %s ORDER BY d.at, d.seq",
            [day],
        )
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def set_subscribed(self, user: str, channel: str, subscribed: bool) -> bool:
        """Subscribe or unsubscribe ``user`` from ``channel``; ``True`` if that changed."""
        with self.transaction():
            uid = self.ensure_user(user)
            if subscribed:
                return (
                    self._execute(
                        "DELETE FROM unsubscribed WHERE user_id = %s AND channel = %s",
                        (uid, channel),
                    )
                    > 0
                )
            return (
                self._execute(
                    "INSERT INTO unsubscribed (user_id, channel, at) VALUES (%s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (uid, channel, utc_now()),
                )
                > 0
            )

    def is_subscribed(self, user: str, channel: str) -> bool:
        """True unless ``user`` unsubscribed from ``channel``."""
        rows = self._query(
            "SELECT 1 FROM unsubscribed s JOIN users u ON u.id = s.user_id "
            "WHERE u.name = %s AND s.channel = %s",
            [user, channel],
        )
        return not rows

    def interest_names(self, user: str) -> dict[str, str]:
        """``anchor paper id -> name`` of the interests ``user`` renamed."""
        rows = self._query(
            "SELECT n.anchor, n.name FROM interest_names n JOIN users u ON u.id = n.user_id "
            "WHERE u.name = %s",
            [user],
        )
        return {str(a): str(n) for a, n in rows}

    def set_interest_name(self, user: str, anchor: str, name: str | None) -> None:
        """Name the interest anchored at paper ``anchor``; None forgets the name."""
        with self.transaction():
            uid = self.ensure_user(user)
            if name is None:
                self._execute(
                    "DELETE FROM interest_names WHERE user_id = %s AND anchor = %s", (uid, anchor)
                )
            else:
                self._execute(
                    "INSERT INTO interest_names (user_id, anchor, name) VALUES (%s, %s, %s) "
                    "ON CONFLICT (user_id, anchor) DO UPDATE SET name = excluded.name",
                    (uid, anchor, name),
                )

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
