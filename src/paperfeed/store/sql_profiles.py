"""Profiles and ratings read and withdrawn, written once for every SQL backend (``?``
parameters, as in ``sql_accounts``); adding papers to a profile and rating stay per backend,
since PostgreSQL takes the papers lock there."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from paperfeed.models import RATING_VALUES, Paper
from paperfeed.store.sqlite_papers import paper_from_row

VOTES = ("up", "down")
LOCAL_PREFIX = "text:"
"""The id prefix of a paper known by its text alone (:func:`paperfeed.ids.text_id`)."""
_RATING_PRIORITY = {"up": 0, "down": 0, "saved": 1, "opened": 2}


def rating_kind(value: str) -> str:
    """The slot a rating value takes (``up`` and ``down`` share ``vote``); ``ValueError`` for
    an unknown value."""
    if value not in RATING_VALUES:
        raise ValueError(f"rating must be one of {', '.join(RATING_VALUES)}, not {value!r}")
    return "vote" if value in VOTES else value


class ProfileTables:
    """Those methods over a store's ``_query``, ``_execute``, ``transaction`` and
    ``resolve_id``; ``_PAPER_COLUMNS`` is the backend's paper select list and ``_ROW_ORDER``
    its insertion-order column."""

    _ROW_ORDER = "rowid"
    _PAPER_COLUMNS = ""

    if TYPE_CHECKING:  # what the store this is mixed into provides

        def transaction(self) -> AbstractContextManager[None]: ...

        def resolve_id(self, paper_id: str) -> str: ...

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        def _execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def remove_profile_paper(self, user: str, paper_id: str) -> bool:
        with self.transaction():
            paper_id = self.resolve_id(paper_id)
            removed = self._execute(
                "DELETE FROM profile_papers WHERE paper_id = ? "
                "AND user_id = (SELECT id FROM users WHERE name = ?)",
                (paper_id, user),
            )
            return removed > 0

    def profile_papers(self, user: str) -> list[Paper]:
        """``user``'s profile, oldest addition first (empty for an unknown user)."""
        rows = self._query(
            f"SELECT {self._PAPER_COLUMNS} FROM profile_papers pp "
            "JOIN users u ON u.id = pp.user_id JOIN papers p ON p.id = pp.paper_id "
            f"WHERE u.name = ? ORDER BY pp.added_at, pp.{self._ROW_ORDER}",
            [user],
        )
        return [paper_from_row(r) for r in rows]

    def unrate(self, user: str, paper_id: str, value: str) -> bool:
        """Withdraw a rating; ``True`` if there was one."""
        with self.transaction():
            paper_id = self.resolve_id(paper_id)
            removed = self._execute(
                "DELETE FROM ratings WHERE paper_id = ? AND value = ? "
                "AND user_id = (SELECT id FROM users WHERE name = ?)",
                (paper_id, value, user),
            )
            return removed > 0

    def private_to_others(self, viewer: str, paper_ids: Sequence[str]) -> set[str]:
        """Of ``paper_ids``, those other users brought and ``viewer`` may not see: papers known
        by their text alone (``text:`` ids: an upload or a pasted abstract without an arXiv id
        or DOI) that are in another user's profile and not in ``viewer``'s."""
        local = [pid for pid in dict.fromkeys(paper_ids) if pid.startswith(LOCAL_PREFIX)]
        out: set[str] = set()
        for i in range(0, len(local), 500):
            chunk = local[i : i + 500]
            rows = self._query(
                "SELECT DISTINCT pp.paper_id FROM profile_papers pp "
                "JOIN users u ON u.id = pp.user_id "
                f"WHERE pp.paper_id IN ({','.join('?' * len(chunk))}) AND u.name <> ? "
                "AND pp.paper_id NOT IN (SELECT mine.paper_id FROM profile_papers mine "
                "JOIN users me ON me.id = mine.user_id WHERE me.name = ?)",
                [*chunk, viewer, viewer],
            )
            out |= {row[0] for row in rows}
        return out

    def ratings(self, user: str) -> dict[str, str]:
        """``paper_id -> value`` for every paper ``user`` rated: the up/down vote if any,
        else ``saved``, else ``opened``."""
        best: dict[str, str] = {}
        rows = self._query(
            "SELECT r.paper_id, r.value FROM ratings r JOIN users u ON u.id = r.user_id "
            f"WHERE u.name = ? ORDER BY r.at, r.{self._ROW_ORDER}",
            [user],
        )
        for pid, value in rows:
            held = best.get(pid)
            if held is None or _RATING_PRIORITY[value] <= _RATING_PRIORITY[held]:
                best[pid] = value
        return best

    def rated_papers(self, user: str, value: str) -> list[Paper]:
        """The papers ``user`` currently rates ``value``, oldest rating first."""
        rating_kind(value)
        rows = self._query(
            f"SELECT {self._PAPER_COLUMNS} FROM ratings r "
            "JOIN users u ON u.id = r.user_id JOIN papers p ON p.id = r.paper_id "
            f"WHERE u.name = ? AND r.value = ? ORDER BY r.at, r.{self._ROW_ORDER}",
            [user, value],
        )
        return [paper_from_row(r) for r in rows]
