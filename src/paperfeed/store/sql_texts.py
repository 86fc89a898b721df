"""The embedding backlog, written once for every SQL backend (``?`` parameters, as in
``sql_accounts``): the stored papers' texts that lack a model's vector, read a page at a time
in content-hash order (a keyset walk of the ``papers(content_hash)`` index, each page one
anti-join against the embeddings' primary key), and the counts ``paperfeed embed`` reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperfeed.models import Paper


class TextTables:
    """Those methods over a store's ``_query``."""

    if TYPE_CHECKING:  # what the store this is mixed into provides

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    def texts_without_vector(
        self, model: str, *, after: str = "", limit: int = 1000
    ) -> list[tuple[str, str]]:
        """Up to ``limit`` ``(content hash, text)`` of the stored papers' texts without a
        ``model`` vector, each once, in hash order after ``after``. Papers sharing a text
        share a hash, so a page may hold fewer texts than rows; the next page starts after
        its last hash and so never repeats one."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        rows = self._query(
            "SELECT p.content_hash, p.title, p.abstract FROM papers p "
            "WHERE p.content_hash > ? AND NOT EXISTS (SELECT 1 FROM embeddings e "
            "WHERE e.model = ? AND e.content_hash = p.content_hash) "
            "ORDER BY p.content_hash LIMIT ?",
            [after, model, int(limit)],
        )
        out: dict[str, str] = {}
        for content_hash, title, abstract in rows:
            out.setdefault(content_hash, Paper(id="-", title=title, abstract=abstract).text)
        return list(out.items())

    def count_texts(self, *, embedded_with: str | None = None) -> int:
        """Distinct texts of the stored papers; with ``embedded_with``, those that have a
        vector of that model."""
        if embedded_with is None:
            return int(self._query("SELECT count(DISTINCT content_hash) FROM papers")[0][0])
        rows = self._query(
            "SELECT count(DISTINCT p.content_hash) FROM papers p WHERE EXISTS "
            "(SELECT 1 FROM embeddings e WHERE e.model = ? AND e.content_hash = p.content_hash)",
            [embedded_with],
        )
        return int(rows[0][0])
