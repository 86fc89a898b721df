"""The PostgreSQL store's paper tables: rows to papers and back, and the primitive reads and
writes the shared upsert planning (:mod:`paperfeed.store.upsert`) runs on."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg

from paperfeed.models import Paper
from paperfeed.names import name_key
from paperfeed.store.sqlite_papers import VALUE_COLUMNS, paper_from_row, paper_values, utc_now

# The same columns, in the same order, as SQLite's PAPER_COLUMNS: rows share paper_from_row.
PAPER_COLUMNS = (
    "p.id, p.title, p.abstract, p.authors, p.categories, p.date, p.version, p.doi, "
    "p.comment, p.url, p.venue, p.extra, "
    "(SELECT coalesce(json_agg(s.source), '[]')::text FROM paper_sources s "
    "WHERE s.paper_id = p.id)"
)
NEWEST_FIRST = "ORDER BY p.date DESC NULLS LAST, p.id DESC"
_VALUE_COLUMNS = (*VALUE_COLUMNS, "author_keys")
_INSERT_PAPER = (
    f"INSERT INTO papers (id, {', '.join(_VALUE_COLUMNS)}, added_at, updated_at) "
    f"VALUES ({', '.join(['%s'] * (len(_VALUE_COLUMNS) + 3))})"
)
_UPDATE_PAPER = (
    f"UPDATE papers SET {', '.join(f'{c} = %s' for c in _VALUE_COLUMNS)}, updated_at = %s "
    "WHERE id = %s"
)

PAPERS_LOCK = 0x70665F706170  # "pf_pap": writers of papers hold it exclusively, referrers shared


def author_keys(authors_json: str) -> list[str]:
    """The folded names (:func:`paperfeed.names.name_key`) of a stored ``authors`` JSON list,
    the array :meth:`PostgresStore.papers_by_author` looks a name up in."""
    if not authors_json or authors_json == "[]":
        return []
    return sorted({k for n in json.loads(authors_json) if (k := name_key(str(n)))})


def pg_paper_values(paper: Paper) -> tuple[Any, ...]:
    """The stored form of a paper's fields, in ``_VALUE_COLUMNS`` order."""
    values = paper_values(paper)
    return (*values, author_keys(values[2]))


class PostgresPaperTables:
    """The paper tables of one connection, as :class:`paperfeed.store.upsert.UpsertTarget`:
    each method is one statement (or a few) inside the caller's transaction."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def alias_targets(self, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        rows = self.conn.execute(
            "SELECT alias, paper_id FROM paper_aliases WHERE alias = ANY(%s)",
            (list(dict.fromkeys(ids)),),
        ).fetchall()
        return {a: p for a, p in rows}

    def papers_matching(
        self,
        ids: Sequence[str],
        title_keys: Sequence[str],
        dois: Sequence[str],
        abstract_keys: Sequence[str],
    ) -> list[Paper]:
        rows = self.conn.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers p WHERE p.id = ANY(%s) "
            "OR p.title_key = ANY(%s) OR p.doi = ANY(%s) OR p.abstract_key = ANY(%s)",
            [list(v) for v in (ids, title_keys, dois, abstract_keys)],
        ).fetchall()
        return [paper_from_row(r) for r in rows]

    def insert_papers(self, papers: Sequence[Paper]) -> None:
        now = utc_now()
        with self.conn.cursor() as cur:
            cur.executemany(_INSERT_PAPER, [(p.id, *pg_paper_values(p), now, now) for p in papers])

    def update_papers(self, papers: Sequence[Paper]) -> None:
        now = utc_now()
        with self.conn.cursor() as cur:
            cur.executemany(_UPDATE_PAPER, [(*pg_paper_values(p), now, p.id) for p in papers])

    def add_sources(self, pairs: Sequence[tuple[str, str]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO paper_sources (paper_id, source) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING",
                list(pairs),
            )

    def repoint(self, old: str, new: str) -> None:
        conn = self.conn
        conn.execute(
            "UPDATE profile_papers AS x SET paper_id = %s WHERE x.paper_id = %s AND NOT EXISTS "
            "(SELECT 1 FROM profile_papers y WHERE y.paper_id = %s AND y.user_id = x.user_id)",
            (new, old, new),
        )
        conn.execute(
            "UPDATE ratings AS r SET value = o.value, at = o.at FROM ratings AS o "
            "WHERE o.paper_id = %s AND r.paper_id = %s AND r.user_id = o.user_id "
            "AND r.kind = o.kind AND o.at > r.at",
            (old, new),
        )
        conn.execute(
            "UPDATE ratings AS x SET paper_id = %s WHERE x.paper_id = %s AND NOT EXISTS "
            "(SELECT 1 FROM ratings y WHERE y.paper_id = %s AND y.user_id = x.user_id "
            "AND y.kind = x.kind)",
            (new, old, new),
        )
        conn.execute("UPDATE paper_aliases SET paper_id = %s WHERE paper_id = %s", (new, old))
        conn.execute("DELETE FROM papers WHERE id = %s", (old,))

    def set_alias(self, alias: str, paper_id: str) -> None:
        self.conn.execute(
            "INSERT INTO paper_aliases (alias, paper_id) VALUES (%s, %s) "
            "ON CONFLICT (alias) DO UPDATE SET paper_id = excluded.paper_id",
            (alias, paper_id),
        )
