"""How a batch of incoming records lands in a store: which stored paper each one is (by id,
alias, DOI or title key), what the merged papers look like, which id survives, and what that
means in writes. Pure planning, shared by every backend.

A backend implements the few primitive reads and writes of :class:`UpsertTarget`;
:func:`upsert_batch` reads through them, plans with :func:`plan_batch` and writes the plan
back through them, all inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from paperfeed.models import Paper
from paperfeed.store.base import UpsertStats
from paperfeed.store.identity import (
    abstract_key,
    compatible,
    fill_merge,
    id_strength,
    match_key,
    survivor,
)
from paperfeed.store.merge import merge_papers, normalize_paper


def canonical_json(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, non-ASCII kept, unknown types
    as strings; two values that store alike give the same text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def stored_form(paper: Paper) -> tuple[Any, ...]:
    """What a store keeps of a paper besides its id and sources, comparably: equal forms mean
    a write would change nothing (``extra`` counts through its JSON text)."""
    return (
        paper.title,
        paper.abstract,
        paper.authors,
        paper.categories,
        paper.date,
        paper.version,
        paper.doi,
        paper.comment,
        paper.url,
        paper.venue,
        canonical_json(paper.extra) if paper.extra else "{}",
    )


class UpsertTarget(Protocol):
    """The primitive reads and writes a backend gives :func:`upsert_batch`."""

    def alias_targets(self, ids: Sequence[str]) -> dict[str, str]:
        """``alias -> paper id`` for the ids among ``ids`` that were merged into another."""
        ...

    def papers_matching(
        self,
        ids: Sequence[str],
        title_keys: Sequence[str],
        dois: Sequence[str],
        abstract_keys: Sequence[str],
    ) -> list[Paper]:
        """The stored papers whose id, title key (:func:`match_key`), DOI or abstract key
        (:func:`abstract_key`) is given."""
        ...

    def insert_papers(self, papers: Sequence[Paper]) -> None: ...

    def update_papers(self, papers: Sequence[Paper]) -> None:
        """Overwrite every field but the sources of these stored papers."""
        ...

    def add_sources(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Add ``(paper_id, source)`` pairs to the stored papers' sources."""
        ...

    def repoint(self, old: str, new: str) -> None:
        """Move what refers to stored paper ``old`` (profile entries, ratings, aliases) to
        ``new`` and delete ``old``; where both have a rating of one kind the newer wins."""
        ...

    def set_alias(self, alias: str, paper_id: str) -> None:
        """Make ``alias`` resolve to ``paper_id`` (replacing what it resolved to before)."""
        ...


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    """The writes one batch needs, to be done in this order, and what the batch did."""

    inserts: tuple[Paper, ...] = ()
    updates: tuple[Paper, ...] = ()
    new_sources: tuple[tuple[str, str], ...] = ()
    repoints: tuple[tuple[str, str], ...] = ()  # (stored id merged away, surviving id)
    aliases: tuple[tuple[str, str], ...] = ()  # (id merged away, surviving id)
    stats: UpsertStats = field(default_factory=UpsertStats)


class SameIndex:
    """Which records in a batch's working set share a title key, an abstract key or a DOI."""

    def __init__(self, papers: Iterable[Paper]) -> None:
        self._by: dict[tuple[str, str], set[str]] = {}
        self._of: dict[str, list[tuple[str, str]]] = {}
        for p in papers:
            self.update(p)

    def _drop(self, pid: str) -> None:
        for k in self._of.pop(pid, []):
            self._by[k].discard(pid)

    def update(self, paper: Paper) -> None:
        self._drop(paper.id)
        found = []
        key = match_key(paper.title)
        if key:
            found.append(("t", key))
        akey = abstract_key(paper.abstract)
        if akey:
            found.append(("a", akey))
        # a DOI record (``doi:X``) is the arXiv paper whose DOI is X
        if paper.doi and (id_strength(paper.id) == 3 or paper.id == f"doi:{paper.doi}"):
            found.append(("d", paper.doi))
        for k in found:
            self._by.setdefault(k, set()).add(paper.id)
        self._of[paper.id] = found

    def remove(self, paper: Paper) -> None:
        self._drop(paper.id)

    def match(self, paper: Paper, state: dict[str, Paper]) -> Paper | None:
        """The strongest other record that may be the same paper, or None."""
        cands: set[str] = set()
        for k in self._of.get(paper.id, []):
            cands |= self._by.get(k, set())
        cands.discard(paper.id)
        ok = [state[c] for c in cands if c in state and compatible(state[c], paper)]
        if not ok:
            return None
        return min(ok, key=lambda p: (-id_strength(p.id), p.id))


class _Merging:
    """The working set of one batch: the stored papers it touches, merged record by record."""

    def __init__(self, existing: dict[str, Paper]) -> None:
        self.state: dict[str, Paper] = dict(existing)
        self.index = SameIndex(self.state.values())
        self.moved: dict[str, str] = {}  # id merged away -> the id it went into

    def current_id(self, pid: str) -> str:
        while pid in self.moved:
            pid = self.moved[pid]
        return pid

    def absorb(self, paper: Paper) -> tuple[str, Paper | None]:
        """Merge one record in; returns the id it ended up under and the record it joined
        (None if it is new)."""
        pid = self.current_id(paper.id)
        before = self.state.get(pid)
        self.state[pid] = paper if before is None else merge_papers(before, paper)
        self.index.update(self.state[pid])
        # other records of the same paper (by DOI or title) join the strongest id
        while (other := self.index.match(self.state[pid], self.state)) is not None:
            kept, away = survivor(other, self.state[pid])
            if before is None:
                before = other
            self.state[kept.id] = fill_merge(kept, away)
            del self.state[away.id]
            self.index.remove(away)
            self.index.update(self.state[kept.id])
            self.moved[away.id] = kept.id
            for src, dst in list(self.moved.items()):
                if dst == away.id:
                    self.moved[src] = kept.id
            pid = kept.id
        return pid, before


def plan_batch(incoming: Sequence[Paper], existing: dict[str, Paper]) -> UpsertPlan:
    """The writes that merge ``incoming`` (normalized, aliases resolved) into a store holding
    ``existing`` (every stored paper an incoming record may match), and the counts."""
    work = _Merging(existing)
    inserted = updated = unchanged = merged = 0
    for paper in incoming:
        pid, before = work.absorb(paper)
        if before is None:
            inserted += 1
            continue
        if not set(paper.sources) <= set(before.sources):
            merged += 1
        if before.id == pid and stored_form(work.state[pid]) == stored_form(before):
            unchanged += 1
        else:
            updated += 1
    state, moved = work.state, work.moved
    order = [p.id for p in incoming]
    final = [pid for pid in dict.fromkeys([*order, *existing, *moved.values()]) if pid in state]
    return UpsertPlan(
        inserts=tuple(state[pid] for pid in final if pid not in existing),
        updates=tuple(
            state[pid]
            for pid in final
            if pid in existing and stored_form(state[pid]) != stored_form(existing[pid])
        ),
        new_sources=tuple(
            (pid, s)
            for pid in final
            for s in state[pid].sources
            if pid not in existing or s not in existing[pid].sources
        ),
        repoints=tuple((away, kept) for away, kept in moved.items() if away in existing),
        aliases=tuple(moved.items()),
        stats=UpsertStats(inserted, updated, unchanged, merged),
    )


def upsert_batch(target: UpsertTarget, batch: Sequence[Paper], source: str) -> UpsertStats:
    """Merge one batch into a store: by id, else by DOI, title key or abstract key (see
    :mod:`paperfeed.store.identity`); records merged away leave an alias. Run it inside one
    transaction of the store behind ``target``."""
    incoming = [normalize_paper(raw, source) for raw in batch]
    aliases = target.alias_targets([p.id for p in incoming])
    if aliases:
        incoming = [p.with_(id=aliases.get(p.id, p.id)) for p in incoming]
    ids = list(dict.fromkeys(p.id for p in incoming))
    keys = list({k for p in incoming if (k := match_key(p.title))})
    dois = list({p.doi for p in incoming if p.doi})
    akeys = list({k for p in incoming if (k := abstract_key(p.abstract))})
    existing = {p.id: p for p in target.papers_matching(ids, keys, dois, akeys)}
    plan = plan_batch(incoming, existing)
    if plan.inserts:
        target.insert_papers(plan.inserts)
    if plan.updates:
        target.update_papers(plan.updates)
    if plan.new_sources:
        target.add_sources(plan.new_sources)
    for old, new in plan.repoints:
        target.repoint(old, new)
    for alias, pid in plan.aliases:
        target.set_alias(alias, pid)
    return plan.stats
