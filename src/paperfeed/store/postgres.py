"""The server backend: PostgreSQL through psycopg 3 and a connection pool, full text on a
``tsvector`` with a GIN index, embeddings in pgvector columns with an HNSW index per model.

Needs ``paperfeed[postgres]`` and a database in which the ``vector`` extension exists or may
be created. Writers of papers serialize on an advisory lock (so two ingests at once lose
nothing); readers never wait for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

import numpy as np
import psycopg

from paperfeed.models import Paper
from paperfeed.names import name_key
from paperfeed.store import postgres_vectors as vectors
from paperfeed.store.base import UpsertStats
from paperfeed.store.postgres_base import redacted
from paperfeed.store.postgres_delivery import PostgresDelivery
from paperfeed.store.postgres_papers import NEWEST_FIRST, PAPER_COLUMNS, PostgresPaperTables
from paperfeed.store.postgres_reader import PostgresReader
from paperfeed.store.sql_accounts import AccountTables
from paperfeed.store.sql_follows import FollowTables
from paperfeed.store.sql_llm import LlmRankingTables
from paperfeed.store.sql_profiles import ProfileTables, rating_kind
from paperfeed.store.sql_texts import TextTables
from paperfeed.store.sql_user_data import UserDataTables
from paperfeed.store.sqlite_papers import paper_from_row, utc_now
from paperfeed.store.text_query import query_words, word_groups
from paperfeed.store.upsert import upsert_batch

_WORD = "plainto_tsquery('english', %s)"


def tsquery_sql(groups: list[list[str]]) -> tuple[str, list[str]]:
    """A ``tsquery`` expression for an OR of AND groups of words (one ``plainto_tsquery``
    per word, so no query syntax can leak through) and its parameters."""
    spelled = [" && ".join([_WORD] * len(g)) for g in groups]
    sql = " || ".join(
        f"({s})" if len(g) > 1 and len(groups) > 1 else s
        for s, g in zip(spelled, groups, strict=True)
    )
    return sql, [w for g in groups for w in g]


class PostgresStore(
    PostgresDelivery,
    PostgresReader,
    UserDataTables,
    AccountTables,
    ProfileTables,
    LlmRankingTables,
    FollowTables,
    TextTables,
):
    """Papers, users, profiles, ratings, the embedding cache and delivery in one PostgreSQL
    database; connections and transactions as in :mod:`paperfeed.store.postgres_base`."""

    _PAPER_COLUMNS = PAPER_COLUMNS

    # --- papers ----------------------------------------------------------------------------

    def upsert_papers(
        self, papers: Iterable[Paper], source: str, *, batch_size: int = 1000
    ) -> UpsertStats:
        """Insert new papers and merge known ones as SQLite does; each batch is one
        transaction holding the papers lock, so concurrent ingests serialize per batch."""
        if not source:
            raise ValueError("upsert_papers needs a non-empty source name")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        stats = UpsertStats()
        it = iter(papers)
        while batch := list(islice(it, batch_size)):
            with self.transaction(), self.connection() as conn:
                self._lock_papers(shared=False)
                stats += upsert_batch(PostgresPaperTables(conn), batch, source)
        return stats

    def resolve_ids(self, ids: Sequence[str]) -> list[str]:
        with self.connection() as conn:
            found = PostgresPaperTables(conn).alias_targets(list(ids))
        return [found.get(i, i) for i in ids]

    def resolve_id(self, paper_id: str) -> str:
        return self.resolve_ids([paper_id])[0]

    def _select_papers(self, where: str, params: Sequence[Any] = (), tail: str = "") -> list[Paper]:
        rows = self._query(f"SELECT {PAPER_COLUMNS} FROM papers p WHERE {where} {tail}", params)
        return [paper_from_row(r) for r in rows]

    def get_paper(self, paper_id: str) -> Paper | None:
        found = self._select_papers("p.id = %s", [self.resolve_id(paper_id)])
        return found[0] if found else None

    def get_papers(self, ids: Sequence[str]) -> list[Paper]:
        ids = self.resolve_ids(list(ids))
        if not ids:
            return []
        found = {p.id: p for p in self._select_papers("p.id = ANY(%s)", [list(dict.fromkeys(ids))])}
        return [found[i] for i in ids if i in found]

    def papers_between(
        self, since: str | None = None, until: str | None = None, *, limit: int | None = None
    ) -> list[Paper]:
        """Papers with ``since <= date < until``, newest first (ties by id, descending);
        undated papers last."""
        where, params = ["TRUE"], []
        if since is not None:
            where.append("p.date >= %s")
            params.append(since)
        if until is not None:
            where.append("p.date < %s")
            params.append(until)
        tail = NEWEST_FIRST
        if limit is not None:
            tail += f" LIMIT {int(limit)}"
        return self._select_papers(" AND ".join(where), params, tail)

    def papers_by_author(self, name: str) -> list[Paper]:
        """Papers one of whose authors is ``name`` (by :func:`name_key`), newest first."""
        wanted = name_key(name)
        if not wanted:
            return []
        return self._select_papers("p.author_keys @> ARRAY[%s]", [wanted], NEWEST_FIRST)

    def latest_date(self) -> str | None:
        value = self._query("SELECT max(date) FROM papers")[0][0]
        return str(value) if value is not None else None

    def count_papers(self) -> int:
        return int(self._query("SELECT count(*) FROM papers")[0][0])

    def search_text(
        self, query: str, *, limit: int = 20, match_all: bool = False, missing: int = 0
    ) -> list[tuple[str, float]]:
        """``(paper_id, score)`` by ``ts_rank`` over title (weight A) and abstract (weight B),
        best first. Words are stemmed (English) and matched if any occurs, or only if all
        occur with ``match_all`` (all but ``missing``: see :func:`word_groups`); the rank is
        that of any word (``ts_rank``'s OR form), whichever match selected the paper.
        Punctuation and query syntax in ``query`` are ignored."""
        words = query_words(query)  # the words SQLite's FTS5 gets
        groups = word_groups(words, match_all=match_all, missing=missing)
        if not groups or limit <= 0:
            return []
        match, match_params = tsquery_sql(groups)
        rank, rank_params = tsquery_sql([[w] for w in words])
        rows = self._query(
            f"SELECT p.id, ts_rank(p.tsv, t.r) AS s FROM papers p, "
            f"(SELECT {match}, {rank}) AS t(q, r) "
            f"WHERE p.tsv @@ t.q ORDER BY s DESC, p.id LIMIT {int(limit)}",
            [*match_params, *rank_params],
        )
        return [(str(pid), float(r)) for pid, r in rows]

    def check_integrity(self) -> None:
        """Raise ``psycopg.DatabaseError`` if an index is invalid (an interrupted build) or a
        model's vector index is missing."""
        bad = self._query(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)"
        )
        missing = self._query(
            "SELECT v.model FROM vector_indexes v WHERE v.index_name IS NOT NULL "
            "AND to_regclass(quote_ident(v.index_name)) IS NULL"
        )
        if bad or missing:
            raise psycopg.DatabaseError(
                f"{redacted(self.url)}: invalid indexes {[r[0] for r in bad]}, "
                f"missing vector indexes of {[r[0] for r in missing]}"
            )

    # --- users, profiles, ratings ------------------------------------------------------------

    def users(self) -> list[str]:
        return [r[0] for r in self._query("SELECT name FROM users ORDER BY id")]

    def _require_papers(self, paper_ids: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(self.resolve_ids(list(paper_ids))))
        known = {r[0] for r in self._query("SELECT id FROM papers WHERE id = ANY(%s)", [wanted])}
        missing = [p for p in wanted if p not in known]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise KeyError(f"not in the store: {shown}")

    def add_profile_papers(self, user: str, paper_ids: Sequence[str]) -> int:
        """Add stored papers to ``user``'s profile (created if new); returns how many were
        not in it yet. Raises ``KeyError`` (adding nothing) if any paper is unknown."""
        with self.transaction(), self.connection() as conn:
            self._lock_papers(shared=True)
            paper_ids = self.resolve_ids(list(paper_ids))
            self._require_papers(paper_ids)
            uid = self.ensure_user(user)
            now = utc_now()
            added = 0
            for pid in dict.fromkeys(paper_ids):
                added += conn.execute(
                    "INSERT INTO profile_papers (user_id, paper_id, added_at) "
                    "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    (uid, pid, now),
                ).rowcount
            return added

    def rate(self, user: str, paper_id: str, value: str) -> None:
        """Record ``value`` for a stored paper; ``up`` and ``down`` replace each other."""
        kind = rating_kind(value)
        with self.transaction():
            self._lock_papers(shared=True)
            paper_id = self.resolve_id(paper_id)
            self._require_papers([paper_id])
            uid = self.ensure_user(user)
            self._execute(
                "INSERT INTO ratings (user_id, paper_id, kind, value, at) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id, paper_id, kind) "
                "DO UPDATE SET value = excluded.value, at = excluded.at",
                (uid, paper_id, kind, value, utc_now()),
            )

    # --- embeddings ------------------------------------------------------------------------

    def get_embeddings(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        if not hashes:
            return {}
        with self.connection() as conn:
            return vectors.get_vectors(conn, model, hashes)

    def put_embeddings(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> int:
        """Cache ``(content_hash, vector)`` pairs in one transaction; entries already cached
        are kept. Returns how many were new."""
        items = list(items)
        for _, vec in items:
            vectors.as_vector(vec)
        if not items:
            return 0
        with self.transaction(), self.connection() as conn:
            added = vectors.put_vectors(conn, model, items)
        if added:
            self._indexed.pop(model, None)  # the index grew: its search breadth is read again
        return added

    def all_embeddings(
        self, model: str, *, papers_only: bool = True
    ) -> tuple[list[str], np.ndarray]:
        with self.connection() as conn:
            return vectors.all_vectors(conn, model, papers_only)

    def nearest(self, model: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` stored papers' text hashes whose ``model`` vectors are closest to
        ``vector`` (cosine, through the HNSW index), ``(hash, similarity)`` best first."""
        with self.connection() as conn:
            return vectors.nearest(
                conn, model, vector, k, self.ann_threshold, indexed_dims=self._indexed
            )

    def nearest_papers(
        self, model: str, vector: np.ndarray, k: int
    ) -> list[tuple[str, str, float]]:
        """:meth:`nearest` with each text's papers, ``(paper_id, hash, similarity)`` best
        first, in the same round trip to the server."""
        with self.connection() as conn:
            return vectors.nearest_papers(
                conn, model, vector, k, self.ann_threshold, indexed_dims=self._indexed
            )

    def build_vector_index(self, model: str) -> bool:
        """Build ``model``'s HNSW index now if it has none and enough vectors (else the
        first search would); whether it has one."""
        with self.connection() as conn:
            return vectors.build_index(conn, model, self.ann_threshold)

    def paper_ids_for_hashes(self, hashes: Sequence[str]) -> list[str]:
        if not hashes:
            return []
        rows = self._query(
            "SELECT content_hash, id FROM papers WHERE content_hash = ANY(%s) ORDER BY id",
            [list(dict.fromkeys(hashes))],
        )
        by_hash: dict[str, list[str]] = {}
        for h, pid in rows:
            by_hash.setdefault(h, []).append(pid)
        return list(dict.fromkeys(pid for h in hashes for pid in by_hash.get(h, ())))

    def count_embeddings(self, model: str | None = None) -> int:
        if model is None:
            return int(self._query("SELECT count(*) FROM embeddings")[0][0])
        return int(self._query("SELECT count(*) FROM embeddings WHERE model = %s", [model])[0][0])
