"""The storage interface every backend implements (SQLite now, PostgreSQL + pgvector later)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from paperfeed.models import Paper


@dataclass(frozen=True, slots=True)
class UpsertStats:
    """What one ``upsert_papers`` call did, counted per input record.

    ``inserted + updated + unchanged`` is the number of records read; ``merged`` counts the
    records among ``updated``/``unchanged`` that matched an existing paper by id and brought
    a source it did not have yet.
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0

    def __add__(self, other: UpsertStats) -> UpsertStats:
        return UpsertStats(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.merged + other.merged,
        )

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


@runtime_checkable
class Store(Protocol):
    """Papers, users with their profiles and ratings, and the embedding cache."""

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all; nestable."""
        ...

    def upsert_papers(
        self, papers: Iterable[Paper], source: str, *, batch_size: int = 1000
    ) -> UpsertStats:
        """Insert or merge papers; one transaction per batch; idempotent."""
        ...

    def get_paper(self, paper_id: str) -> Paper | None: ...

    def get_papers(self, ids: Sequence[str]) -> list[Paper]:
        """The stored papers among ``ids``, in the given order; unknown ids are skipped."""
        ...

    def papers_between(
        self, since: str | None = None, until: str | None = None, *, limit: int | None = None
    ) -> list[Paper]:
        """Papers with ``since <= date < until``, newest first."""
        ...

    def latest_date(self) -> str | None: ...

    def count_papers(self) -> int: ...

    def search_text(
        self, query: str, *, limit: int = 20, match_all: bool = False
    ) -> list[tuple[str, float]]:
        """Full-text ``(paper_id, score)``, best first; any query string is accepted."""
        ...

    def ensure_user(self, name: str) -> int: ...

    def users(self) -> list[str]: ...

    def add_profile_papers(self, user: str, paper_ids: Sequence[str]) -> int:
        """Add stored papers to a profile; returns how many were not in it yet."""
        ...

    def remove_profile_paper(self, user: str, paper_id: str) -> bool: ...

    def profile_papers(self, user: str) -> list[Paper]:
        """The profile, oldest addition first."""
        ...

    def rate(self, user: str, paper_id: str, value: str) -> None:
        """Record a rating; ``up`` and ``down`` replace each other."""
        ...

    def unrate(self, user: str, paper_id: str, value: str) -> bool: ...

    def ratings(self, user: str) -> dict[str, str]:
        """``paper_id -> value``: the up/down vote, else ``saved``, else ``opened``."""
        ...

    def rated_papers(self, user: str, value: str) -> list[Paper]: ...

    def get_embeddings(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_embeddings(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> int:
        """Cache vectors; existing ``(model, hash)`` entries are kept; returns how many were new."""
        ...

    def all_embeddings(
        self, model: str, *, papers_only: bool = True
    ) -> tuple[list[str], np.ndarray]:
        """Every cached ``(hash, vector)`` of ``model`` as a list and an ``(n, dim)`` matrix."""
        ...

    def paper_ids_for_hashes(self, hashes: Sequence[str]) -> list[str]: ...
