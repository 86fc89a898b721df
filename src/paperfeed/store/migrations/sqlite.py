"""The SQLite store's schema steps, its version recorded in ``PRAGMA user_version``.

The steps run through the generic runner (:func:`paperfeed.store.migrations.run_migrations`);
each gets the connection inside the step's ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from paperfeed.store.identity import abstract_key, match_key
from paperfeed.store.migrations import Migration, SchemaError, run_migrations

SQLiteMigration = Migration[sqlite3.Connection]


def _run(conn: sqlite3.Connection, statements: Sequence[str]) -> None:
    for sql in statements:
        conn.execute(sql)


def m001_initial(conn: sqlite3.Connection) -> None:
    """Papers and their sources, users, profiles, ratings and the embedding cache."""
    _run(
        conn,
        [
            # ``pk`` is an INTEGER PRIMARY KEY so that VACUUM keeps the rowids the
            # full-text index refers to.
            """CREATE TABLE papers (
                pk INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL DEFAULT '',
                abstract TEXT NOT NULL DEFAULT '',
                authors TEXT NOT NULL DEFAULT '[]',
                categories TEXT NOT NULL DEFAULT '[]',
                date TEXT,
                version INTEGER,
                doi TEXT,
                comment TEXT,
                url TEXT,
                venue TEXT,
                extra TEXT NOT NULL DEFAULT '{}',
                content_hash TEXT NOT NULL,
                added_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX papers_date ON papers(date, id)",
            "CREATE INDEX papers_content_hash ON papers(content_hash)",
            """CREATE TABLE paper_sources (
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                source TEXT NOT NULL,
                PRIMARY KEY (paper_id, source)
            ) WITHOUT ROWID""",
            """CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE profile_papers (
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                added_at TEXT NOT NULL,
                PRIMARY KEY (user_id, paper_id)
            )""",
            "CREATE INDEX profile_papers_paper ON profile_papers(paper_id)",
            # One row per (user, paper, kind): kind 'vote' holds up or down, so a new vote
            # replaces the old one, while 'saved' and 'opened' coexist with it.
            """CREATE TABLE ratings (
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                value TEXT NOT NULL CHECK (value IN ('up', 'down', 'saved', 'opened')),
                at TEXT NOT NULL,
                PRIMARY KEY (user_id, paper_id, kind),
                CHECK (kind = CASE WHEN value IN ('up', 'down') THEN 'vote' ELSE value END)
            )""",
            "CREATE INDEX ratings_user_value ON ratings(user_id, value, at)",
            "CREATE INDEX ratings_paper ON ratings(paper_id)",
            """CREATE TABLE embeddings (
                model TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                dim INTEGER NOT NULL CHECK (dim > 0),
                vector BLOB NOT NULL CHECK (length(vector) = 4 * dim),
                created_at TEXT NOT NULL,
                PRIMARY KEY (model, content_hash)
            )""",
        ],
    )


def m002_fulltext(conn: sqlite3.Connection) -> None:
    """FTS5 index over title and abstract, external content kept in sync by triggers."""
    if not fts5_available(conn):
        raise SchemaError("this Python's sqlite3 lacks the FTS5 extension, which paperfeed needs")
    _run(
        conn,
        [
            """CREATE VIRTUAL TABLE papers_fts USING fts5(
                title, abstract,
                content='papers', content_rowid='pk',
                tokenize='porter unicode61 remove_diacritics 2'
            )""",
            """CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
                INSERT INTO papers_fts(rowid, title, abstract)
                VALUES (new.pk, new.title, new.abstract);
            END""",
            """CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
                INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
                VALUES ('delete', old.pk, old.title, old.abstract);
            END""",
            """CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, abstract ON papers
            WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
                INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
                VALUES ('delete', old.pk, old.title, old.abstract);
                INSERT INTO papers_fts(rowid, title, abstract)
                VALUES (new.pk, new.title, new.abstract);
            END""",
            "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')",
        ],
    )


def m003_identity(conn: sqlite3.Connection) -> None:
    """One paper across sources: a normalized-title key and a DOI index to find a paper's
    other records, and aliases for the ids merged away (so they still resolve)."""
    conn.execute("ALTER TABLE papers ADD COLUMN title_key TEXT")
    rows = conn.execute("SELECT pk, title FROM papers WHERE title != ''").fetchall()
    updates = [(key, pk) for pk, title in rows if (key := match_key(title))]
    conn.executemany("UPDATE papers SET title_key = ? WHERE pk = ?", updates)
    _run(
        conn,
        [
            "CREATE INDEX papers_title_key ON papers(title_key) WHERE title_key IS NOT NULL",
            "CREATE INDEX papers_doi ON papers(doi) WHERE doi IS NOT NULL",
            """CREATE TABLE paper_aliases (
                alias TEXT PRIMARY KEY,
                paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE
            ) WITHOUT ROWID""",
            "CREATE INDEX paper_aliases_paper ON paper_aliases(paper_id)",
        ],
    )


def m004_delivery(conn: sqlite3.Connection) -> None:
    """Delivery: the nonces of used single-use link tokens (so a rating link works once),
    the digests delivered per user, day and channel (so ``daily`` never sends twice), and
    who unsubscribed from which channel."""
    _run(
        conn,
        [
            """CREATE TABLE used_tokens (
                nonce TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                expires INTEGER NOT NULL,
                used_at TEXT NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX used_tokens_expires ON used_tokens(expires)",
            """CREATE TABLE deliveries (
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                day TEXT NOT NULL,
                channel TEXT NOT NULL,
                kind TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT '',
                at TEXT NOT NULL,
                PRIMARY KEY (user_id, day, channel)
            )""",
            """CREATE TABLE unsubscribed (
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                channel TEXT NOT NULL,
                at TEXT NOT NULL,
                PRIMARY KEY (user_id, channel)
            )""",
        ],
    )


def m005_abstract_key(conn: sqlite3.Connection) -> None:
    """A key of the normalized abstract, so a pasted abstract without title or id is found to
    be the paper a listing already holds (and two pastes of it are one paper)."""
    conn.execute("ALTER TABLE papers ADD COLUMN abstract_key TEXT")
    rows = conn.execute("SELECT pk, abstract FROM papers WHERE abstract != ''").fetchall()
    updates = [(key, pk) for pk, abstract in rows if (key := abstract_key(abstract))]
    conn.executemany("UPDATE papers SET abstract_key = ? WHERE pk = ?", updates)
    conn.execute(
        "CREATE INDEX papers_abstract_key ON papers(abstract_key) WHERE abstract_key IS NOT NULL"
    )


def m006_interest_names(conn: sqlite3.Connection) -> None:
    """The names users give their interests, keyed by the interest's first profile paper."""
    conn.execute(
        """CREATE TABLE interest_names (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            anchor TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (user_id, anchor)
        ) WITHOUT ROWID"""
    )


def m007_candidate_pools(conn: sqlite3.Connection) -> None:
    """A cache of candidate pools (a window's prepared candidates, as opaque arrays), keyed
    by a hash of the window's papers, model and settings, so a second process reuses them."""
    _run(
        conn,
        [
            """CREATE TABLE candidate_pools (
                key TEXT PRIMARY KEY,
                model TEXT NOT NULL,
                span TEXT NOT NULL,
                payload BLOB NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX candidate_pools_span ON candidate_pools(model, span)",
        ],
    )


def m009_accounts(conn: sqlite3.Connection) -> None:
    """Web accounts: a password hash, e-mail and digest settings per user, and API tokens
    (only their SHA-256 hashes)."""
    _run(
        conn,
        [
            """CREATE TABLE accounts (
                user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                email TEXT NOT NULL DEFAULT '',
                password_hash TEXT NOT NULL DEFAULT '',
                digest_frequency TEXT NOT NULL DEFAULT 'daily',
                digest_size INTEGER NOT NULL DEFAULT 0,
                feed_generation INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE api_tokens (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                label TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX api_tokens_user ON api_tokens(user_id)",
        ],
    )


def m008_reader(conn: sqlite3.Connection) -> None:
    """The TL;DR cache (per paper, model and language) and the papers each user was shown in
    a digest (so they never reappear)."""
    conn.execute(
        """CREATE TABLE tldrs (
            paper_id TEXT NOT NULL,
            model TEXT NOT NULL,
            language TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (paper_id, model, language)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """CREATE TABLE shown_papers (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            paper_id TEXT NOT NULL,
            day TEXT NOT NULL,
            PRIMARY KEY (user_id, paper_id)
        ) WITHOUT ROWID"""
    )


def m010_sign_in(conn: sqlite3.Connection) -> None:
    """Sign-in state shared by every process of an installation: each account's session
    epoch (a browser session signed with another one is refused, so setting a password ends
    the other sessions) and the failed sign-ins counted per subject (a user name or a client
    address) in a window that ends at ``window_end`` (seconds since 1970)."""
    _run(
        conn,
        [
            "ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0",
            """CREATE TABLE login_failures (
                subject TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                window_start REAL NOT NULL,
                window_end REAL NOT NULL
            )""",
            "CREATE INDEX login_failures_end ON login_failures(window_end)",
        ],
    )


def m011_llm_rankings(conn: sqlite3.Connection) -> None:
    """The cache of LLM re-rankings: the order a model gave, per (interest statement,
    candidates, model) key."""
    conn.execute(
        """CREATE TABLE IF NOT EXISTS llm_rankings (
            key TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            ids TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) WITHOUT ROWID"""
    )


def m012_follows(conn: sqlite3.Connection) -> None:
    """The people each user follows: one per name (its key), with the evidence that tells
    them from others of that name (their paper ids, coauthor keys and the name's other
    people's paper ids, as JSON lists)."""
    conn.execute(
        """CREATE TABLE follows (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name_key TEXT NOT NULL,
            name TEXT NOT NULL,
            paper_ids TEXT NOT NULL DEFAULT '[]',
            coauthors TEXT NOT NULL DEFAULT '[]',
            other_ids TEXT NOT NULL DEFAULT '[]',
            followed_at TEXT NOT NULL,
            PRIMARY KEY (user_id, name_key)
        ) WITHOUT ROWID"""
    )


MIGRATIONS: list[SQLiteMigration] = [
    m001_initial,
    m002_fulltext,
    m003_identity,
    m004_delivery,
    m005_abstract_key,
    m006_interest_names,
    m007_candidate_pools,
    m008_reader,
    m009_accounts,
    m010_sign_in,
    m011_llm_rankings,
    m012_follows,
]
SCHEMA_VERSION = len(MIGRATIONS)


def fts5_available(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp._fts5_probe")
    return True


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


class SQLiteVersioned:
    """A connection in autocommit mode as the migration runner sees it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def schema_version(self) -> int:
        return schema_version(self.conn)

    @contextmanager
    def exclusive(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` (the write lock) … ``COMMIT``, or ``ROLLBACK`` on an exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def record_version(self, version: int) -> None:
        self.conn.execute(f"PRAGMA user_version = {int(version)}")


def migrate(
    conn: sqlite3.Connection, migrations: Sequence[SQLiteMigration] = MIGRATIONS
) -> list[int]:
    """Apply the pending SQLite migrations; returns the numbers applied (``[]`` if none).

    ``conn`` must be in autocommit mode (``isolation_level=None``) and not inside a transaction.
    """
    if conn.in_transaction:
        raise SchemaError("migrate() must not run inside an open transaction")
    return run_migrations(SQLiteVersioned(conn), migrations)
