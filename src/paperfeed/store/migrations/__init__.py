"""Numbered schema migrations, one list per backend, applied by one generic runner.

Migration ``n`` (1-based position in a backend's list) runs once, in its own exclusive
transaction, together with recording version ``n``; a database already at the latest version
is left untouched. Never edit a released migration: append a new one. The runner knows no
database: a backend hands it a :class:`Versioned` adapter (see :mod:`.sqlite`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)

Migration = Callable[[E], None]


class SchemaError(RuntimeError):
    """The database cannot be used by this version of paperfeed."""


class Versioned(Protocol[E_co]):
    """What the runner needs of a database: its recorded schema version and exclusive steps."""

    def schema_version(self) -> int:
        """The version recorded in the database (0 for a new one)."""
        ...

    def exclusive(self) -> AbstractContextManager[E_co]:
        """One write transaction holding the schema lock: committed when the block ends,
        rolled back on an exception; yields what the migration steps run on."""
        ...

    def record_version(self, version: int) -> None:
        """Record ``version``; called inside :meth:`exclusive`."""
        ...


def run_migrations(db: Versioned[E], migrations: Sequence[Migration[E]]) -> list[int]:
    """Apply the pending migrations in order; returns the numbers applied (``[]`` if none).

    Each step takes the schema lock first and re-reads the version, so concurrent openers
    apply every step once. Raises :class:`SchemaError` for a database newer than ``migrations``.
    """
    applied: list[int] = []
    target = len(migrations)
    if (found := db.schema_version()) > target:
        raise SchemaError(
            f"database schema version {found} is newer than this paperfeed knows ({target}); "
            "upgrade paperfeed"
        )
    while db.schema_version() < target:
        with db.exclusive() as executor:
            current = db.schema_version()
            if current < target:
                migrations[current](executor)
                db.record_version(current + 1)
                applied.append(current + 1)
    return applied
