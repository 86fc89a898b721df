"""The people each user follows (:class:`~paperfeed.store.base.FollowStore`), written once for
every SQL backend (``?`` parameters, as in ``sql_accounts``): one row per user and name key,
the evidence kept as JSON lists."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from paperfeed.models import FollowedAuthor
from paperfeed.store.sqlite_papers import utc_now


class FollowTables:
    """Those methods over a store's ``_query``, ``_execute``, ``transaction`` and
    ``ensure_user``."""

    if TYPE_CHECKING:  # what the store this is mixed into provides

        def transaction(self) -> AbstractContextManager[None]: ...

        def ensure_user(self, name: str) -> int: ...

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        def _execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def follow_author(self, user: str, person: FollowedAuthor) -> bool:
        """Keep ``person`` as followed by ``user`` (created if new), in place of anyone of the
        same name key followed before; ``True`` if the name was not followed yet."""
        if not person.key:
            raise ValueError("a followed author needs a name key")
        at = person.followed_at or utc_now()
        with self.transaction():
            uid = self.ensure_user(user)
            known = self._query(
                "SELECT 1 FROM follows WHERE user_id = ? AND name_key = ?", [uid, person.key]
            )
            self._execute(
                "INSERT INTO follows (user_id, name_key, name, paper_ids, coauthors, other_ids, "
                "followed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, name_key) DO "
                "UPDATE SET name = excluded.name, paper_ids = excluded.paper_ids, "
                "coauthors = excluded.coauthors, other_ids = excluded.other_ids, "
                "followed_at = excluded.followed_at",
                (
                    uid,
                    person.key,
                    person.name,
                    json.dumps(list(person.paper_ids)),
                    json.dumps(list(person.coauthors)),
                    json.dumps(list(person.other_ids)),
                    at,
                ),
            )
            return not known

    def unfollow_author(self, user: str, key: str) -> bool:
        """Stop ``user`` following the person with name key ``key``; ``True`` if one was."""
        return (
            self._execute(
                "DELETE FROM follows WHERE name_key = ? "
                "AND user_id = (SELECT id FROM users WHERE name = ?)",
                (key, user),
            )
            > 0
        )

    def followed_authors(self, user: str) -> list[FollowedAuthor]:
        """The people ``user`` follows, by name key (empty for an unknown user)."""
        rows = self._query(
            "SELECT f.name, f.name_key, f.paper_ids, f.coauthors, f.other_ids, f.followed_at "
            "FROM follows f JOIN users u ON u.id = f.user_id WHERE u.name = ? "
            "ORDER BY f.name_key",
            [user],
        )
        return [
            FollowedAuthor(
                name=str(name),
                key=str(key),
                paper_ids=tuple(json.loads(papers)),
                coauthors=tuple(json.loads(coauthors)),
                other_ids=tuple(json.loads(others)),
                followed_at=str(at),
            )
            for name, key, papers, coauthors, others, at in rows
        ]
