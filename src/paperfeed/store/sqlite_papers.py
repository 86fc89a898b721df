"""The SQLite store's paper tables: rows to papers and back, and the primitive reads and
writes the shared upsert planning (:mod:`paperfeed.store.upsert`) runs on."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from paperfeed.models import Paper
from paperfeed.names import name_key
from paperfeed.store.identity import abstract_key, match_key
from paperfeed.store.upsert import canonical_json

PAPER_COLUMNS = (
    "p.id, p.title, p.abstract, p.authors, p.categories, p.date, p.version, p.doi, "
    "p.comment, p.url, p.venue, p.extra, "
    "(SELECT json_group_array(s.source) FROM paper_sources s WHERE s.paper_id = p.id)"
)
VALUE_COLUMNS: tuple[str, ...] = (  # every backend stores these, in this order
    "title",
    "abstract",
    "authors",
    "categories",
    "date",
    "version",
    "doi",
    "comment",
    "url",
    "venue",
    "extra",
    "content_hash",
    "title_key",
    "abstract_key",
)
_INSERT_PAPER = (
    f"INSERT INTO papers (id, {', '.join(VALUE_COLUMNS)}, added_at, updated_at) "
    f"VALUES ({', '.join('?' * (len(VALUE_COLUMNS) + 3))})"
)
_UPDATE_PAPER = (
    f"UPDATE papers SET {', '.join(f'{c} = ?' for c in VALUE_COLUMNS)}, updated_at = ? WHERE id = ?"
)

PaperValues = tuple[Any, ...]


def utc_now() -> str:
    """The current UTC time as a sortable ISO string."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def paper_values(paper: Paper) -> PaperValues:
    """The stored form of a paper's fields, in ``VALUE_COLUMNS`` order."""
    return (
        paper.title,
        paper.abstract,
        canonical_json(list(paper.authors)),
        canonical_json(list(paper.categories)),
        paper.date,
        paper.version,
        paper.doi,
        paper.comment,
        paper.url,
        paper.venue,
        canonical_json(paper.extra) if paper.extra else "{}",
        paper.content_hash,
        match_key(paper.title),
        abstract_key(paper.abstract),
    )


def paper_from_row(row: Sequence[Any]) -> Paper:
    """A :class:`Paper` from a row selected with ``PAPER_COLUMNS``."""
    pid, title, abstract, authors, categories, date, version, doi, comment, url, venue = row[:11]
    extra, sources = row[11], row[12]
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        authors=tuple(json.loads(authors)) if authors != "[]" else (),
        categories=tuple(json.loads(categories)) if categories != "[]" else (),
        date=date,
        version=version,
        doi=doi,
        comment=comment,
        url=url,
        venue=venue,
        sources=tuple(sorted(json.loads(sources))) if sources and sources != "[]" else (),
        extra=json.loads(extra) if extra != "{}" else {},
    )


def name_keys_json(authors: str | None) -> str:
    """SQL function: the folded author names of a stored ``authors`` JSON list, one string."""
    if not authors or authors == "[]":
        return ""
    try:
        names = json.loads(authors)
    except ValueError:
        return ""
    return " | ".join(name_key(str(n)) for n in names)


class PaperTables:
    """The paper tables of one connection, as :class:`paperfeed.store.upsert.UpsertTarget`:
    each method is one statement (or a few) inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def alias_targets(self, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        rows = self.conn.execute(
            "SELECT alias, paper_id FROM paper_aliases "
            "WHERE alias IN (SELECT value FROM json_each(?))",
            [json.dumps(list(dict.fromkeys(ids)))],
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
            f"SELECT {PAPER_COLUMNS} FROM papers p "
            "WHERE p.id IN (SELECT value FROM json_each(?)) "
            "OR p.title_key IN (SELECT value FROM json_each(?)) "
            "OR p.doi IN (SELECT value FROM json_each(?)) "
            "OR p.abstract_key IN (SELECT value FROM json_each(?))",
            [json.dumps(list(v)) for v in (ids, title_keys, dois, abstract_keys)],
        ).fetchall()
        return [paper_from_row(r) for r in rows]

    def insert_papers(self, papers: Sequence[Paper]) -> None:
        now = utc_now()
        self.conn.executemany(_INSERT_PAPER, [(p.id, *paper_values(p), now, now) for p in papers])

    def update_papers(self, papers: Sequence[Paper]) -> None:
        now = utc_now()
        self.conn.executemany(_UPDATE_PAPER, [(*paper_values(p), now, p.id) for p in papers])

    def add_sources(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO paper_sources (paper_id, source) VALUES (?, ?)", pairs
        )

    def repoint(self, old: str, new: str) -> None:
        conn = self.conn
        conn.execute(
            "UPDATE OR IGNORE profile_papers SET paper_id = ? WHERE paper_id = ?", (new, old)
        )
        conn.execute(
            "UPDATE ratings AS r SET value = o.value, at = o.at FROM ratings AS o "
            "WHERE o.paper_id = ? AND r.paper_id = ? AND r.user_id = o.user_id "
            "AND r.kind = o.kind AND o.at > r.at",
            (old, new),
        )
        conn.execute("UPDATE OR IGNORE ratings SET paper_id = ? WHERE paper_id = ?", (new, old))
        conn.execute("UPDATE paper_aliases SET paper_id = ? WHERE paper_id = ?", (new, old))
        conn.execute("DELETE FROM papers WHERE id = ?", (old,))

    def set_alias(self, alias: str, paper_id: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO paper_aliases (alias, paper_id) VALUES (?, ?)",
            (alias, paper_id),
        )
