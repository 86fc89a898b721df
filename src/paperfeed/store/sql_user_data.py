"""Per-user data beyond profiles and ratings, written once for every SQL backend: used link
tokens, delivered digests, unsubscriptions (:class:`~paperfeed.store.base.DeliveryStore`) and
the names users gave their interests (``?`` parameters, as in ``sql_accounts``)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from paperfeed.store.sqlite_papers import utc_now


class UserDataTables:
    """Those methods over a store's ``_query``, ``_execute``, ``transaction`` and
    ``ensure_user``; ``_ROW_ORDER`` names the insertion-order column (SQLite's rowid)."""

    _ROW_ORDER = "rowid"

    if TYPE_CHECKING:  # what the store this is mixed into provides

        def transaction(self) -> AbstractContextManager[None]: ...

        def ensure_user(self, name: str) -> int: ...

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        def _execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def use_token_nonce(self, nonce: str, user: str, expires: int) -> bool:
        """Mark a single-use token's nonce as used; ``False`` if it was used before."""
        with self.transaction():
            uid = self.ensure_user(user)
            return (
                self._execute(
                    "INSERT INTO used_tokens (nonce, user_id, expires, used_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (nonce, uid, int(expires), utc_now()),
                )
                > 0
            )

    def prune_token_nonces(self, now: int) -> int:
        """Forget the nonces of tokens expired before ``now`` (Unix time; they are refused as
        expired anyway); returns how many."""
        return self._execute("DELETE FROM used_tokens WHERE expires < ?", (int(now),))

    def delivery(self, user: str, day: str, channel: str) -> str | None:
        """What was delivered to ``user`` on ``day`` over ``channel`` (its kind), or None."""
        rows = self._query(
            "SELECT d.kind FROM deliveries d JOIN users u ON u.id = d.user_id "
            "WHERE u.name = ? AND d.day = ? AND d.channel = ?",
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
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (uid, day, channel, kind, detail, utc_now()),
                )
                > 0
            )

    def deliveries(self, day: str) -> list[tuple[str, str, str]]:
        """``(user, channel, kind)`` of everything delivered on ``day``."""
        rows = self._query(
            "SELECT u.name, d.channel, d.kind FROM deliveries d JOIN users u ON u.id = d.user_id "
            f"WHERE d.day = ? ORDER BY d.at, d.{self._ROW_ORDER}",
            [day],
        )
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def set_subscribed(self, user: str, channel: str, subscribed: bool) -> bool:
        """Subscribe or unsubscribe ``user`` from ``channel``; ``True`` if that changed."""
        with self.transaction():
            uid = self.ensure_user(user)
            if subscribed:
                changed = self._execute(
                    "DELETE FROM unsubscribed WHERE user_id = ? AND channel = ?", (uid, channel)
                )
            else:
                changed = self._execute(
                    "INSERT INTO unsubscribed (user_id, channel, at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (uid, channel, utc_now()),
                )
            return changed > 0

    def is_subscribed(self, user: str, channel: str) -> bool:
        rows = self._query(
            "SELECT 1 FROM unsubscribed s JOIN users u ON u.id = s.user_id "
            "WHERE u.name = ? AND s.channel = ?",
            [user, channel],
        )
        return not rows

    # --- interest names ---------------------------------------------------------------------

    def interest_names(self, user: str) -> dict[str, str]:
        """``anchor paper id -> name`` of the interests ``user`` renamed."""
        rows = self._query(
            "SELECT n.anchor, n.name FROM interest_names n JOIN users u ON u.id = n.user_id "
            "WHERE u.name = ?",
            [user],
        )
        return {str(a): str(n) for a, n in rows}

    def set_interest_name(self, user: str, anchor: str, name: str | None) -> None:
        """Name the interest anchored at paper ``anchor``; None forgets the name."""
        with self.transaction():
            uid = self.ensure_user(user)
            if name is None:
                self._execute(
                    "DELETE FROM interest_names WHERE user_id = ? AND anchor = ?", (uid, anchor)
                )
            else:
                self._execute(
                    "INSERT INTO interest_names (user_id, anchor, name) VALUES (?, ?, ?) "
                    "ON CONFLICT (user_id, anchor) DO UPDATE SET name = excluded.name",
                    (uid, anchor, name),
                )
