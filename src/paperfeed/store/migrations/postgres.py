"""The PostgreSQL store's schema steps, its version recorded in the ``schema_migrations`` table.

The steps run through the generic runner (:func:`paperfeed.store.migrations.run_migrations`);
each runs in one transaction that first takes a transaction-level advisory lock, so two
processes opening a new database at once apply every step once. The tables mirror the SQLite
schema (same names and columns, timestamps as the same sortable UTC text), plus what
PostgreSQL indexes natively: a generated ``tsvector`` with a GIN index for full text, the
folded author names as a GIN-indexed array, and pgvector ``vector`` columns (an HNSW index per
model is created with the model's first vectors, see :mod:`paperfeed.store.postgres_vectors`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg

from paperfeed.store.migrations import Migration, SchemaError, run_migrations

PostgresMigration = Migration[psycopg.Connection]

MIGRATION_LOCK = 0x70665F6D6967  # "pf_mig": the advisory lock key of schema changes

# id, date and the timestamp texts sort byte-wise, as in SQLite, whatever the server's locale.
_C = 'COLLATE "C"'


def _run(conn: psycopg.Connection, statements: Sequence[str]) -> None:
    for sql in statements:
        conn.execute(sql)  # type: ignore[arg-type]


# Papers with full text, author keys, title/abstract keys and DOI indexes; sources; aliases.
_PAPER_TABLES: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS vector",
    f"""CREATE TABLE papers (
        pk BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT {_C} NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        abstract TEXT NOT NULL DEFAULT '',
        authors TEXT NOT NULL DEFAULT '[]',
        categories TEXT NOT NULL DEFAULT '[]',
        date TEXT {_C},
        version INTEGER,
        doi TEXT,
        comment TEXT,
        url TEXT,
        venue TEXT,
        extra TEXT NOT NULL DEFAULT '{{}}',
        content_hash TEXT NOT NULL,
        title_key TEXT,
        abstract_key TEXT,
        author_keys TEXT[] NOT NULL DEFAULT '{{}}',
        added_at TEXT {_C} NOT NULL,
        updated_at TEXT {_C} NOT NULL,
        tsv TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', abstract), 'B')
        ) STORED
    )""",
    "CREATE INDEX papers_date ON papers(date, id)",
    "CREATE INDEX papers_content_hash ON papers(content_hash)",
    "CREATE INDEX papers_title_key ON papers(title_key) WHERE title_key IS NOT NULL",
    "CREATE INDEX papers_doi ON papers(doi) WHERE doi IS NOT NULL",
    "CREATE INDEX papers_abstract_key ON papers(abstract_key) WHERE abstract_key IS NOT NULL",
    "CREATE INDEX papers_tsv ON papers USING gin(tsv)",
    "CREATE INDEX papers_author_keys ON papers USING gin(author_keys)",
    f"""CREATE TABLE paper_sources (
        paper_id TEXT {_C} NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        source TEXT {_C} NOT NULL,
        PRIMARY KEY (paper_id, source)
    )""",
    f"""CREATE TABLE paper_aliases (
        alias TEXT {_C} PRIMARY KEY,
        paper_id TEXT {_C} NOT NULL REFERENCES papers(id) ON DELETE CASCADE
    )""",
    "CREATE INDEX paper_aliases_paper ON paper_aliases(paper_id)",
)

# Users, profiles, ratings, the embedding cache and its per-model vector indexes.
_USER_TABLES: tuple[str, ...] = (
    f"""CREATE TABLE users (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT {_C} NOT NULL
    )""",
    f"""CREATE TABLE profile_papers (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_id TEXT {_C} NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        added_at TEXT {_C} NOT NULL,
        PRIMARY KEY (user_id, paper_id)
    )""",
    "CREATE INDEX profile_papers_paper ON profile_papers(paper_id)",
    f"""CREATE TABLE ratings (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        paper_id TEXT {_C} NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value TEXT NOT NULL CHECK (value IN ('up', 'down', 'saved', 'opened')),
        at TEXT {_C} NOT NULL,
        PRIMARY KEY (user_id, paper_id, kind),
        CHECK (kind = CASE WHEN value IN ('up', 'down') THEN 'vote' ELSE value END)
    )""",
    "CREATE INDEX ratings_user_value ON ratings(user_id, value, at)",
    "CREATE INDEX ratings_paper ON ratings(paper_id)",
    f"""CREATE TABLE embeddings (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        model TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        dim INTEGER NOT NULL CHECK (dim > 0),
        vector VECTOR NOT NULL CHECK (vector_dims(vector) = dim),
        created_at TEXT {_C} NOT NULL,
        PRIMARY KEY (model, content_hash)
    )""",
    """CREATE TABLE vector_indexes (
        model TEXT PRIMARY KEY,
        dim INTEGER NOT NULL,
        index_name TEXT
    )""",
)

# Used single-use token nonces, delivered digests, unsubscriptions (SQLite's step 4).
_DELIVERY_TABLES: tuple[str, ...] = (
    f"""CREATE TABLE used_tokens (
        nonce TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires BIGINT NOT NULL,
        used_at TEXT {_C} NOT NULL
    )""",
    "CREATE INDEX used_tokens_expires ON used_tokens(expires)",
    f"""CREATE TABLE deliveries (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        day TEXT {_C} NOT NULL,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT {_C} NOT NULL,
        PRIMARY KEY (user_id, day, channel)
    )""",
    f"""CREATE TABLE unsubscribed (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        at TEXT {_C} NOT NULL,
        PRIMARY KEY (user_id, channel)
    )""",
)


def m001_initial(conn: psycopg.Connection) -> None:
    """Everything SQLite's migrations 1 to 5 built, in one step: papers (with full text,
    author keys, title/abstract keys and DOI indexes), sources, aliases, users, profiles,
    ratings, the embedding cache and the delivery tables."""
    _run(conn, [*_PAPER_TABLES, *_USER_TABLES, *_DELIVERY_TABLES])


def m002_interest_names(conn: psycopg.Connection) -> None:
    """The names users give their interests, keyed by the interest's first profile paper."""
    _run(
        conn,
        [
            """CREATE TABLE interest_names (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                anchor TEXT NOT NULL,
                name TEXT NOT NULL,
                PRIMARY KEY (user_id, anchor)
            )"""
        ],
    )


def m003_candidate_pools(conn: psycopg.Connection) -> None:
    """A cache of candidate pools (a window's prepared candidates, as opaque arrays), keyed
    by a hash of the window's papers, model and settings, so a second process reuses them."""
    _run(
        conn,
        [
            f"""CREATE TABLE candidate_pools (
                seq BIGSERIAL,
                key TEXT {_C} PRIMARY KEY,
                model TEXT NOT NULL,
                span TEXT NOT NULL,
                payload BYTEA NOT NULL,
                created_at TEXT {_C} NOT NULL
            )""",
            "CREATE INDEX candidate_pools_span ON candidate_pools(model, span)",
        ],
    )


def m004_reader(conn: psycopg.Connection) -> None:
    """The TL;DR cache (per paper, model and language) and the papers each user was shown in
    a digest (so they never reappear)."""
    _run(
        conn,
        [
            """CREATE TABLE tldrs (
                paper_id TEXT NOT NULL,
                model TEXT NOT NULL,
                language TEXT NOT NULL,
                text TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (paper_id, model, language)
            )""",
            """CREATE TABLE shown_papers (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                paper_id TEXT NOT NULL,
                day TEXT NOT NULL,
                PRIMARY KEY (user_id, paper_id)
            )""",
        ],
    )


def m005_accounts(conn: psycopg.Connection) -> None:
    """Web accounts: a password hash, e-mail and digest settings per user, and API tokens
    (only their SHA-256 hashes)."""
    _run(
        conn,
        [
            """CREATE TABLE accounts (
                user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                email TEXT NOT NULL DEFAULT '',
                password_hash TEXT NOT NULL DEFAULT '',
                digest_frequency TEXT NOT NULL DEFAULT 'daily',
                digest_size INTEGER NOT NULL DEFAULT 0,
                feed_generation INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE api_tokens (
                id BIGSERIAL PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                label TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX api_tokens_user ON api_tokens(user_id)",
        ],
    )


def m006_sign_in(conn: psycopg.Connection) -> None:
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
                window_start DOUBLE PRECISION NOT NULL,
                window_end DOUBLE PRECISION NOT NULL
            )""",
            "CREATE INDEX login_failures_end ON login_failures(window_end)",
        ],
    )


def m007_llm_rankings(conn: psycopg.Connection) -> None:
    """The cache of LLM re-rankings: the order a model gave, per (interest statement,
    candidates, model) key."""
    conn.execute(
        f"""CREATE TABLE IF NOT EXISTS llm_rankings (
            key TEXT {_C} PRIMARY KEY,
            model TEXT NOT NULL,
            ids TEXT NOT NULL,
            created_at TEXT {_C} NOT NULL
        )"""
    )


def m008_follows(conn: psycopg.Connection) -> None:
    """The people each user follows: one per name (its key), with the evidence that tells
    them from others of that name (their paper ids, coauthor keys and the name's other
    people's paper ids, as JSON lists)."""
    _run(
        conn,
        [
            """CREATE TABLE follows (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name_key TEXT NOT NULL,
                name TEXT NOT NULL,
                paper_ids TEXT NOT NULL DEFAULT '[]',
                coauthors TEXT NOT NULL DEFAULT '[]',
                other_ids TEXT NOT NULL DEFAULT '[]',
                followed_at TEXT NOT NULL,
                PRIMARY KEY (user_id, name_key)
            )"""
        ],
    )


def m009_inline_full_text(conn: psycopg.Connection) -> None:
    """Keep each paper's ``tsvector`` in its row (compressed, not moved out to the TOAST
    table), so ranking a search's matches reads one page per paper instead of a TOAST
    lookup: about 3× faster ``ts_rank`` at 150k papers (benchmarks/README.md). Rows written
    before keep their old place until rewritten (``VACUUM FULL papers``)."""
    _run(conn, ["ALTER TABLE papers ALTER COLUMN tsv SET STORAGE MAIN"])


MIGRATIONS: list[PostgresMigration] = [
    m001_initial,
    m002_interest_names,
    m003_candidate_pools,
    m004_reader,
    m005_accounts,
    m006_sign_in,
    m007_llm_rankings,
    m008_follows,
    m009_inline_full_text,
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: psycopg.Connection) -> int:
    """The version recorded in the database (0 before the first migration)."""
    row = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


class PostgresVersioned:
    """An autocommit connection as the migration runner sees it."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def schema_version(self) -> int:
        return schema_version(self.conn)

    @contextmanager
    def exclusive(self) -> Iterator[psycopg.Connection]:
        """One transaction holding the migration advisory lock (released when it ends)."""
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            yield self.conn

    def record_version(self, version: int) -> None:
        self.conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))


def migrate(
    conn: psycopg.Connection, migrations: Sequence[PostgresMigration] = MIGRATIONS
) -> list[int]:
    """Apply the pending PostgreSQL migrations; returns the numbers applied (``[]`` if none).
    ``conn`` must be in autocommit mode."""
    if not conn.autocommit:
        raise SchemaError("migrate() needs a connection in autocommit mode")
    return run_migrations(PostgresVersioned(conn), migrations)
