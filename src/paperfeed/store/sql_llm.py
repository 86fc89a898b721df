"""The cache of LLM re-rankings, written once for every SQL backend: one row per (interest
statement, candidate ids, model) key holding the order the model gave, so a re-run does not
ask (and pay) again. ``?`` parameters, as in ``sql_accounts``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperfeed.store.sqlite_papers import utc_now


class LlmRankingTables:
    """:class:`~paperfeed.store.base.ReaderStore`'s re-ranking cache over a store's
    ``_query`` and ``_execute``."""

    if TYPE_CHECKING:  # what the store this is mixed into provides

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        def _execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def llm_ranking(self, key: str) -> list[str] | None:
        """The paper ids, in the model's order, cached under ``key``; None if none is."""
        rows = self._query("SELECT ids FROM llm_rankings WHERE key = ?", [key])
        if not rows:
            return None
        ids = json.loads(rows[0][0])
        return [str(i) for i in ids] if isinstance(ids, list) else None

    def put_llm_ranking(self, key: str, model: str, paper_ids: Sequence[str]) -> None:
        """Cache the order ``paper_ids`` that ``model`` gave under ``key`` (replacing one)."""
        self._execute(
            "INSERT INTO llm_rankings (key, model, ids, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET model = excluded.model, ids = excluded.ids, "
            "created_at = excluded.created_at",
            [key, model, json.dumps(list(paper_ids)), utc_now()],
        )
