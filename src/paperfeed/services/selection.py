"""What of a window's ranking a user gets: their filters (config.toml ``[users.NAME]``,
:mod:`paperfeed.services.filters`) and the people they follow, applied around the one
ranking path of :class:`~paperfeed.services.Paperfeed`, so CLI, daily, feeds, web pages and
the API agree.

A paper by a followed person (:func:`paperfeed.authors.attribute` says it is theirs) is
always shown, badged "by NAME, whom you follow": it passes the include keywords and
categories (a follow is one more reason to want a paper), the minimum score, the muted
interests and the digest size (listed after the top K, in order of relevance, when it did
not make them). It
still obeys the vetoes: exclude keywords, papers already shown in an earlier digest, and
papers in the profile or rated.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from paperfeed.authors import attribute
from paperfeed.models import FollowedAuthor, Paper, Recommendation
from paperfeed.names import name_key
from paperfeed.rank import CandidatePool
from paperfeed.services.common import days_before
from paperfeed.services.filters import keep_candidates, keep_recommendations, vetoed
from paperfeed.settings import UserDelivery
from paperfeed.store import AppStore

Vectors = Callable[[Sequence[Paper]], np.ndarray]
Ranker = Callable[[set[str], int, int | None], list[Recommendation]]
"""Ranks the window's pool for the user, leaving out the given ids: the best ``top`` (0: all),
shared terms for the first ``explain`` (None: all)."""
Explainer = Callable[[list[Recommendation]], list[Recommendation]]
"""Adds shared terms to recommendations ranked without them."""


@dataclass(frozen=True)
class Selection:
    """One user's view of one window: the ids to leave out of the ranking (their profile,
    rated and filtered papers), and the papers by people they follow (id → their names)."""

    exclude: set[str] = field(default_factory=set)
    followed: dict[str, tuple[str, ...]] = field(default_factory=dict)


def select(
    store: AppStore,
    vectors: Vectors,
    user: str,
    wanted: UserDelivery | None,
    pool: CandidatePool,
    until: str | None,
    known: Collection[str],
) -> Selection:
    """What ``user``'s filters leave out of ``pool`` (besides the ``known`` papers of their
    profile and ratings, and the papers other users uploaded) and which of its papers are by
    people they follow. The pool is shared by every user, so papers are excluded, never
    removed."""
    cands = pool.papers
    out: set[str] = set()
    vetoes: set[str] = set(known)
    if wanted is not None:
        # shown in a digest of a day before the window's last (the day being ranked)
        last = days_before(until, 2) if until else store.latest_date()
        shown = () if wanted.show_again else store.shown_papers(user, before=last)
        kept = {p.id for p in keep_candidates(list(cands), wanted, shown)}
        out = {p.id for p in cands if p.id not in kept}
        vetoes |= {p.id for p in vetoed(cands, wanted, shown)}
    hidden = store.private_to_others(user, [p.id for p in cands])  # other users' uploads
    vetoes |= hidden
    followed = followed_papers(store, vectors, store.followed_authors(user), pool, vetoes)
    return Selection(set(known) | hidden | (out - followed.keys()), followed)


def followed_papers(
    store: AppStore,
    vectors: Vectors,
    people: Sequence[FollowedAuthor],
    pool: CandidatePool,
    skip: Collection[str] = (),
) -> dict[str, tuple[str, ...]]:
    """``paper id -> names`` of the ``pool`` papers (but ``skip``) that are by one of the
    followed ``people``: those carrying the name that :func:`attribute` gives them."""
    if not people:
        return {}
    wanted = {p.key for p in people}
    keys = [
        {k for a in p.authors if (k := name_key(a)) in wanted} if p.id not in skip else set()
        for p in pool.papers
    ]
    found: dict[str, list[str]] = {}
    for person in people:
        rows = [i for i, k in enumerate(keys) if person.key in k]
        if not rows:
            continue
        mine = vectors(store.get_papers(list(person.paper_ids)))
        others = store.get_papers(list(person.other_ids))
        other_vecs = vectors(others) if others else None
        for i in rows:
            paper = pool.papers[i]
            if attribute(paper, pool.vectors[i], person, mine, other_vecs).theirs:
                found.setdefault(paper.id, []).append(person.name)
    return {pid: tuple(names) for pid, names in found.items()}


def finish(
    ranked: Ranker,
    explain: Explainer,
    selection: Selection,
    wanted: UserDelivery | None,
    top: int,
    explained: int | None = None,
) -> list[Recommendation]:
    """The user's recommendations: the ``top`` best (0: all; shared terms for the first
    ``explained``, all if None) through their minimum score and muted interests, then every
    paper by a followed person that is not among them, badged, in order of relevance (the
    whole window is ranked then, so scores read as one ranking); renumbered."""
    whole = bool(selection.followed) and top > 0
    recs = ranked(selection.exclude, 0 if whole else top, top if whole else explained)
    recs = badged(recs, selection.followed)
    if wanted is not None:
        kept = {r.paper.id for r in keep_recommendations(recs, wanted)}
        recs = [r for r in recs if r.followed or r.paper.id in kept]
    if whole:
        recs = split(recs, top, explain)[0]
    return [replace(r, rank=n) for n, r in enumerate(recs, start=1)]


def badged(
    recs: Sequence[Recommendation], followed: dict[str, tuple[str, ...]]
) -> list[Recommendation]:
    """``recs``, those by followed people carrying their names."""
    return [
        replace(r, followed=followed[r.paper.id]) if r.paper.id in followed else r for r in recs
    ]


def split(
    ranked: Sequence[Recommendation], top: int, explain: Explainer
) -> tuple[list[Recommendation], list[Recommendation]]:
    """A whole ranking cut into what a digest shows (the ``top`` best, then the papers by
    followed people below them, explained by ``explain``, renumbered) and the rest."""
    if top <= 0:
        return [], list(ranked)
    below = list(ranked[top:])
    pinned = [r for r in below if r.followed]
    shown = list(ranked[:top]) + (explain(pinned) if pinned else [])
    rest = [r for r in below if not r.followed]
    return [replace(r, rank=n) for n, r in enumerate(shown, start=1)], rest
