"""The account tables (:class:`~paperfeed.store.base.AccountStore`), written once for every SQL
backend: settings per user, hashed API tokens, the rating history and failed sign-ins. The
statements use ``?`` parameters; a backend whose driver wants another style translates them
in ``_query`` and ``_execute``."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from paperfeed.store.base import Account, ApiToken, RatingEvent
from paperfeed.store.sqlite_papers import utc_now


class AccountTables:
    """The :class:`AccountStore` methods over a store's ``_query``, ``_execute``,
    ``transaction`` and ``ensure_user``; ``_ROW_ORDER`` names the ratings table's
    insertion-order column."""

    _ROW_ORDER = "rowid"

    if TYPE_CHECKING:  # what the store this is mixed into provides

        def transaction(self) -> AbstractContextManager[None]: ...

        def ensure_user(self, name: str) -> int: ...

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        def _execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def account(self, user: str) -> Account | None:
        rows = self._query(
            "SELECT u.name, a.email, a.password_hash, a.digest_frequency, a.digest_size, "
            "a.feed_generation, a.session_epoch FROM users u "
            "LEFT JOIN accounts a ON a.user_id = u.id WHERE u.name = ?",
            [user],
        )
        if not rows:
            return None
        name, email, pw, freq, size, gen, epoch = rows[0]
        if email is None:  # a user from before accounts (``--user NAME``): the defaults
            return Account(name)
        return Account(name, email, pw, freq, int(size), int(gen), int(epoch))

    def save_account(self, account: Account) -> None:
        with self.transaction():
            uid = self.ensure_user(account.name)
            self._execute(
                "INSERT INTO accounts (user_id, email, password_hash, digest_frequency, "
                "digest_size, feed_generation, session_epoch) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, "
                "password_hash = excluded.password_hash, "
                "digest_frequency = excluded.digest_frequency, "
                "digest_size = excluded.digest_size, feed_generation = excluded.feed_generation, "
                "session_epoch = excluded.session_epoch",
                (
                    uid,
                    account.email,
                    account.password_hash,
                    account.digest_frequency,
                    int(account.digest_size),
                    int(account.feed_generation),
                    int(account.session_epoch),
                ),
            )

    def remove_user(self, user: str) -> bool:
        return self._execute("DELETE FROM users WHERE name = ?", (user,)) > 0

    def add_api_token(self, user: str, token_hash: str, label: str) -> int:
        with self.transaction():
            found = self._query("SELECT id FROM users WHERE name = ?", [user])
            if not found:
                raise KeyError(f"no user {user!r}")
            rows = self._query(
                "INSERT INTO api_tokens (user_id, token_hash, label, created_at) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                [found[0][0], token_hash, label, utc_now()],
            )
            return int(rows[0][0])

    def api_tokens(self, user: str) -> list[ApiToken]:
        rows = self._query(
            "SELECT t.id, t.label, t.created_at FROM api_tokens t "
            "JOIN users u ON u.id = t.user_id WHERE u.name = ? ORDER BY t.id",
            [user],
        )
        return [ApiToken(int(i), str(label), str(at)) for i, label, at in rows]

    def revoke_api_tokens(self, user: str, token_id: int | None = None) -> int:
        sql = "DELETE FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE name = ?)"
        params: list[Any] = [user]
        if token_id is not None:
            sql += " AND id = ?"
            params.append(int(token_id))
        return self._execute(sql, params)

    def api_token_user(self, token_hash: str) -> str | None:
        rows = self._query(
            "SELECT u.name FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = ?",
            [token_hash],
        )
        return str(rows[0][0]) if rows else None

    def rating_history(self, user: str, *, limit: int = 200) -> list[RatingEvent]:
        rows = self._query(
            "SELECT r.paper_id, r.value, r.at FROM ratings r JOIN users u ON u.id = r.user_id "
            f"WHERE u.name = ? ORDER BY r.at DESC, r.{self._ROW_ORDER} DESC LIMIT ?",
            [user, int(limit)],
        )
        return [RatingEvent(str(pid), str(value), str(at)) for pid, value, at in rows]

    # --- failed sign-ins ------------------------------------------------------------------------

    def login_failures(self, subject: str, now: float) -> int:
        rows = self._query(
            "SELECT failures FROM login_failures WHERE subject = ? AND window_end > ?",
            [subject, float(now)],
        )
        return int(rows[0][0]) if rows else 0

    def add_login_failure(self, subject: str, now: float, window: float) -> int:
        now = float(now)
        with self.transaction():
            self._execute("DELETE FROM login_failures WHERE window_end <= ?", [now])
            rows = self._query(  # one statement: two processes counting at once both count
                "INSERT INTO login_failures (subject, failures, window_start, window_end) "
                "VALUES (?, 1, ?, ?) ON CONFLICT (subject) DO UPDATE SET "
                "failures = CASE WHEN login_failures.window_end > excluded.window_start "
                "THEN login_failures.failures + 1 ELSE 1 END, "
                "window_start = CASE WHEN login_failures.window_end > excluded.window_start "
                "THEN login_failures.window_start ELSE excluded.window_start END, "
                "window_end = CASE WHEN login_failures.window_end > excluded.window_start "
                "THEN login_failures.window_end ELSE excluded.window_end END "
                "RETURNING failures",
                [subject, now, now + float(window)],
            )
        return int(rows[0][0])

    def clear_login_failures(self, subject: str) -> None:
        self._execute("DELETE FROM login_failures WHERE subject = ?", [subject])
