"""The storage interface every backend implements (SQLite now, PostgreSQL + pgvector later).

:class:`Store` is what the library needs (papers, users, profiles, ratings, the embedding
and candidate-pool caches); :class:`DeliveryStore` what the digest, feed and web code need
(single-use tokens, deliveries, subscriptions); :class:`ReaderStore` the reader features'
(TL;DRs, papers shown); :class:`AccountStore` the web app's accounts (password hashes,
e-mail and digest settings, API token hashes, rating history); :class:`FollowStore` the
people each user follows; :class:`AppStore` is all of them, the type the services work with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from paperfeed.models import FollowedAuthor, Paper


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

    def resolve_ids(self, ids: Sequence[str]) -> list[str]:
        """``ids`` with each id merged into another paper replaced by that paper's id."""
        ...

    def resolve_id(self, paper_id: str) -> str: ...

    def get_paper(self, paper_id: str) -> Paper | None:
        """The stored paper (an id merged into another paper gives that paper), or None."""
        ...

    def get_papers(self, ids: Sequence[str]) -> list[Paper]:
        """The stored papers among ``ids``, in the given order; unknown ids are skipped."""
        ...

    def papers_between(
        self, since: str | None = None, until: str | None = None, *, limit: int | None = None
    ) -> list[Paper]:
        """Papers with ``since <= date < until``, newest first."""
        ...

    def papers_by_author(self, name: str) -> list[Paper]:
        """Papers one of whose authors is ``name`` (compared by
        :func:`paperfeed.names.name_key`), newest first."""
        ...

    def latest_date(self) -> str | None: ...

    def count_papers(self) -> int: ...

    def check_integrity(self) -> None:
        """Raise the backend's database error if the stored data or its indexes are damaged."""
        ...

    def search_text(
        self, query: str, *, limit: int = 20, match_all: bool = False, missing: int = 0
    ) -> list[tuple[str, float]]:
        """Full-text ``(paper_id, score)``, best first; any query string is accepted. Papers
        with any of the query's words match; with ``match_all`` only those with all of them,
        or all but ``missing`` (:func:`paperfeed.store.text_query.word_groups`). A paper with
        every word scores the same under each match; one lacking some may score lower
        under a partial match (SQLite), never higher."""
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

    def private_to_others(self, viewer: str, paper_ids: Sequence[str]) -> set[str]:
        """Of ``paper_ids``, the ``text:`` papers in another user's profile and not in
        ``viewer``'s: what search, similar papers and feeds must not show ``viewer``."""
        ...

    def get_embeddings(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_embeddings(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> int:
        """Cache vectors; existing ``(model, hash)`` entries are kept; returns how many were new."""
        ...

    def all_embeddings(
        self, model: str, *, papers_only: bool = True
    ) -> tuple[list[str], np.ndarray]:
        """Every cached ``(hash, vector)`` of ``model`` as a list and an ``(n, dim)`` matrix."""
        ...

    def nearest(self, model: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The content hashes of the ``k`` stored papers' texts whose ``model`` vectors are
        closest to ``vector`` (cosine for unit vectors), ``(hash, similarity)`` best first;
        a backend may answer from an approximate index."""
        ...

    def nearest_papers(
        self, model: str, vector: np.ndarray, k: int
    ) -> list[tuple[str, str, float]]:
        """:meth:`nearest` with the stored papers of each of those texts: ``(paper_id,
        content_hash, similarity)`` best first, papers sharing a text by id, each once (what
        :meth:`nearest` then :meth:`paper_ids_for_hashes` give, in one step)."""
        ...

    def build_vector_index(self, model: str) -> bool:
        """Build or bring up to date ``model``'s approximate index now, rather than at the
        next :meth:`nearest` (a backfill writes its vectors first, then calls this); whether
        the model has one (False: too few vectors to need one, they are scanned exactly)."""
        ...

    def paper_ids_for_hashes(self, hashes: Sequence[str]) -> list[str]:
        """Ids of the stored papers whose text has these content hashes, in ``hashes`` order."""
        ...

    def count_embeddings(self, model: str | None = None) -> int:
        """Cached vectors of ``model`` (of every model when None)."""
        ...

    def texts_without_vector(
        self, model: str, *, after: str = "", limit: int = 1000
    ) -> list[tuple[str, str]]:
        """Up to ``limit`` ``(content hash, text)`` of the stored papers' texts that have no
        ``model`` vector, each text once, in hash order from the first hash above ``after``:
        the embedding backlog a page at a time, without reading every paper."""
        ...

    def count_texts(self, *, embedded_with: str | None = None) -> int:
        """The stored papers' distinct texts (content hashes); with ``embedded_with``, only
        those that have a vector of that model."""
        ...

    def interest_names(self, user: str) -> dict[str, str]:
        """``anchor paper id -> name`` of the interests ``user`` renamed."""
        ...

    def set_interest_name(self, user: str, anchor: str, name: str | None) -> None:
        """Name ``user``'s interest anchored at paper ``anchor``; None forgets the name."""
        ...

    def get_cached_pool(self, key: str) -> bytes | None:
        """The candidate pool cached under ``key`` (by :meth:`put_cached_pool`), or None."""
        ...

    def put_cached_pool(
        self, key: str, model: str, span: str, payload: bytes, *, keep: int = 8
    ) -> None:
        """Cache a window's prepared candidates (opaque bytes) under ``key``, a hash of
        everything they were built from, in place of any earlier pool of the same ``model``
        and ``span`` (the window); only the ``keep`` most recent pools stay."""
        ...


@runtime_checkable
class DeliveryStore(Protocol):
    """What delivery keeps: used single-use link tokens, delivered digests, unsubscriptions."""

    def use_token_nonce(self, nonce: str, user: str, expires: int) -> bool:
        """Mark a single-use token's nonce as used; ``False`` if it was used before."""
        ...

    def prune_token_nonces(self, now: int) -> int:
        """Forget the nonces of tokens expired before ``now`` (Unix time); returns how many."""
        ...

    def delivery(self, user: str, day: str, channel: str) -> str | None:
        """What was delivered to ``user`` on ``day`` over ``channel`` (its kind), or None."""
        ...

    def record_delivery(
        self, user: str, day: str, channel: str, kind: str, detail: str = ""
    ) -> bool:
        """Note that ``user``'s ``day`` went out over ``channel``; ``False`` if already noted."""
        ...

    def deliveries(self, day: str) -> list[tuple[str, str, str]]:
        """``(user, channel, kind)`` of everything delivered on ``day``, in delivery order."""
        ...

    def set_subscribed(self, user: str, channel: str, subscribed: bool) -> bool:
        """Subscribe or unsubscribe ``user`` from ``channel``; ``True`` if that changed."""
        ...

    def is_subscribed(self, user: str, channel: str) -> bool:
        """True unless ``user`` unsubscribed from ``channel``."""
        ...


@dataclass(frozen=True, slots=True)
class Account:
    """A user's sign-in and delivery settings; an empty ``password_hash`` cannot sign in.
    ``digest_size`` 0 means the installation's default; ``feed_generation`` counts rotations
    of the private feed URL (0: the URL first mailed); ``session_epoch`` is signed into each
    browser session and changes with the password, which ends the sessions signed before."""

    name: str
    email: str = ""
    password_hash: str = ""
    digest_frequency: str = "daily"
    digest_size: int = 0
    feed_generation: int = 0
    session_epoch: int = 0


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A personal API token as listed: its number, label and creation time (never the token)."""

    id: int
    label: str
    created_at: str


@dataclass(frozen=True, slots=True)
class RatingEvent:
    """One stored rating with the time (ISO 8601, UTC) it was last given."""

    paper_id: str
    value: str
    at: str


@runtime_checkable
class ReaderStore(Protocol):
    """What the reader-facing features keep: cached TL;DRs and LLM re-rankings, and the papers
    each user was shown in a digest."""

    def tldrs(self, model: str, language: str, paper_ids: Sequence[str]) -> dict[str, str]:
        """``paper id -> TL;DR`` of the given papers cached for ``model`` and ``language``."""
        ...

    def put_tldrs(self, model: str, language: str, items: Iterable[tuple[str, str]]) -> int:
        """Cache ``(paper id, TL;DR)`` pairs for ``model`` and ``language``; returns how many
        were new (a cached one is replaced)."""
        ...

    def shown_papers(self, user: str, before: str | None = None) -> set[str]:
        """The ids of the papers ``user`` was shown in a digest (of a day before ``before``,
        an ISO date; None: of any day)."""
        ...

    def record_shown(self, user: str, day: str, paper_ids: Sequence[str]) -> int:
        """Note that ``user`` was shown ``paper_ids`` on ``day``; returns how many were new."""
        ...

    def llm_ranking(self, key: str) -> list[str] | None:
        """The paper ids, in a model's order, cached under ``key`` (a hash of the interest
        statement, the candidates and the model); None if none is."""
        ...

    def put_llm_ranking(self, key: str, model: str, paper_ids: Sequence[str]) -> None:
        """Cache the order ``paper_ids`` that ``model`` gave under ``key`` (replacing one)."""
        ...


@runtime_checkable
class AccountStore(Protocol):
    """Accounts of the web app: settings per user, hashed API tokens, rating history."""

    def account(self, user: str) -> Account | None:
        """``user``'s account (defaults for a user who never set one), or None if no user."""
        ...

    def save_account(self, account: Account) -> None:
        """Write every field of ``account`` (its user is created if new)."""
        ...

    def remove_user(self, user: str) -> bool:
        """Delete ``user`` with profile, ratings, tokens and settings; ``True`` if one was."""
        ...

    def add_api_token(self, user: str, token_hash: str, label: str) -> int:
        """Keep the hash of a new API token of a stored user; returns the token's number."""
        ...

    def api_tokens(self, user: str) -> list[ApiToken]:
        """``user``'s API tokens, oldest first."""
        ...

    def revoke_api_tokens(self, user: str, token_id: int | None = None) -> int:
        """Delete one of ``user``'s tokens (all of them when ``token_id`` is None); how many."""
        ...

    def api_token_user(self, token_hash: str) -> str | None:
        """The user owning the token with this hash, or None."""
        ...

    def rating_history(self, user: str, *, limit: int = 200) -> list[RatingEvent]:
        """``user``'s stored ratings, the latest first, at most ``limit``."""
        ...

    def login_failures(self, subject: str, now: float) -> int:
        """The failed sign-ins of ``subject`` (a user name or client address) counted in its
        window that is still open at ``now`` (seconds since 1970); 0 if none is."""
        ...

    def add_login_failure(self, subject: str, now: float, window: float) -> int:
        """Count one failed sign-in of ``subject`` at ``now``, in its open window or in a new
        one of ``window`` seconds; windows that closed are forgotten. Returns the count. Safe
        for several processes at once (one statement)."""
        ...

    def clear_login_failures(self, subject: str) -> None:
        """Forget ``subject``'s failed sign-ins (after a successful one)."""
        ...


@runtime_checkable
class FollowStore(Protocol):
    """The people each user follows, one per name key, with the evidence that tells them
    from others of the same name."""

    def follow_author(self, user: str, person: FollowedAuthor) -> bool:
        """Keep ``person`` as followed by ``user`` (created if new), in place of anyone of the
        same name key followed before; ``True`` if the name was not followed yet."""
        ...

    def unfollow_author(self, user: str, key: str) -> bool:
        """Stop ``user`` following the person with name key ``key``; ``True`` if one was."""
        ...

    def followed_authors(self, user: str) -> list[FollowedAuthor]:
        """The people ``user`` follows, by name key (empty for an unknown user)."""
        ...


@runtime_checkable
class AppStore(Store, DeliveryStore, ReaderStore, AccountStore, FollowStore, Protocol):
    """Everything the application keeps: the store the services are typed against."""
