"""How two records of one paper combine: the rule every backend applies on upsert. Pure."""

from __future__ import annotations

from typing import Any

from paperfeed.models import Paper

MERGED_FIELDS: tuple[str, ...] = (
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
)
_OPTIONAL_STR = ("date", "doi", "comment", "url", "venue")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | tuple | list | dict) and len(value) == 0)


def normalize_paper(paper: Paper, source: str | None = None) -> Paper:
    """Canonical field types: ``''`` for missing text, ``None`` for missing optional strings,
    tuples for lists, and an id without surrounding blanks; ``source`` is added to the
    sources. Raises ``ValueError`` for a paper without id."""
    pid = str(paper.id).strip() if paper.id is not None else ""
    if not pid:
        raise ValueError(f"paper without id: {paper.title[:60]!r}")
    changes: dict[str, Any] = {
        "id": pid,
        "title": paper.title or "",
        "abstract": paper.abstract or "",
        "authors": tuple(paper.authors or ()),
        "categories": tuple(paper.categories or ()),
        "sources": tuple(dict.fromkeys([*(paper.sources or ()), *([source] if source else [])])),
        "extra": dict(paper.extra or {}),
        "version": int(paper.version) if paper.version is not None else None,
    }
    for name in _OPTIONAL_STR:
        value = getattr(paper, name)
        changes[name] = value if value else None
    return paper.with_(**changes)


def recency(paper: Paper) -> tuple[int, str]:
    """How new a record is: by version (unknown counts as older than any known version),
    then by date (unknown counts as oldest)."""
    return (paper.version if paper.version is not None else -1, paper.date or "")


def newer_first(old: Paper, new: Paper) -> tuple[Paper, Paper]:
    """``(winner, loser)``: the higher :func:`recency`; on a tie the old record."""
    return (new, old) if recency(new) > recency(old) else (old, new)


def merge_papers(old: Paper, new: Paper) -> Paper:
    """One record from two of the same paper (``old.id`` is kept).

    The winner of :func:`newer_first` supplies every field it has; fields it leaves empty are
    filled from the other record; ``extra`` dicts and ``sources`` are united. Because
    :func:`recency` is a total order and the result is at least as recent as both inputs,
    merging any record seen before again changes nothing.
    """
    winner, loser = newer_first(old, new)
    changes: dict[str, Any] = {}
    for name in MERGED_FIELDS:
        value = getattr(winner, name)
        changes[name] = getattr(loser, name) if is_empty(value) else value
    changes["extra"] = {**loser.extra, **winner.extra}
    changes["sources"] = tuple(dict.fromkeys(old.sources + new.sources))
    return old.with_(**changes)
