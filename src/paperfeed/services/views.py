"""Use cases of the web pages beyond the library object's: profile papers grouped by interest,
why one paper suits a user, hiding what was shown and profile uploads (the interest map is
:mod:`paperfeed.services.maps`). Each takes the library object and a user; the web app
renders their results twice (HTML and JSON)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from paperfeed.models import Paper, Recommendation
from paperfeed.rank import rank
from paperfeed.services.app import Paperfeed
from paperfeed.services.common import ImportSummary, UserError

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True)
class Interest:
    """One interest of a profile: its number (from 0), its name (derived or the user's) and
    its profile papers, oldest addition first."""

    number: int
    name: str
    papers: tuple[Paper, ...]


def positives(app: Paperfeed, user: str) -> tuple[list[Paper], list[str]]:
    """The papers a user's ranking learns from (profile, then upvoted and saved ones) and the
    kind of each (``profile`` or ``up``), in the ranker's order."""
    profile = app.store.profile_papers(user)
    more: dict[str, Paper] = {}
    for value in ("up", "saved"):
        for p in app.store.rated_papers(user, value):
            more.setdefault(p.id, p)
    for p in profile:
        more.pop(p.id, None)
    return profile + list(more.values()), ["profile"] * len(profile) + ["up"] * len(more)


def interests(app: Paperfeed, user: str) -> list[Interest]:
    """``user``'s named interests (:meth:`Paperfeed.interests`, clustered as the ranker
    clusters them), each with the profile papers it holds."""
    papers = {p.id: p for p in app.store.profile_papers(user)}
    if not papers:
        return []
    found = app.interests(user)
    return [
        Interest(it.index, it.name, tuple(papers[i] for i in it.paper_ids if i in papers))
        for it in found
        if any(i in papers for i in it.paper_ids)
    ]


def explain(app: Paperfeed, user: str, paper_id: str) -> Recommendation | None:
    """Why ``paper_id`` suits ``user`` (its closest profile paper and shared terms), or None
    when the user has no profile yet or the paper is part of it."""
    paper = app.store.get_paper(paper_id)
    pos, _ = positives(app, user)
    if paper is None or not pos or paper.id in {p.id for p in pos}:
        return None
    recs = rank(pos, app.vectors(pos), [paper], app.vectors([paper]), top=1, params=app.params)
    return recs[0] if recs else None


def mark_seen(app: Paperfeed, user: str, paper_ids: Sequence[str]) -> int:
    """Hide papers from ``user``'s next feeds without judging them (rated ``opened``)."""
    done = 0
    with app.store.transaction():
        for pid in paper_ids:
            if app.store.get_paper(pid) is not None:
                app.store.rate(user, pid, "opened")
                done += 1
    return done


def profile_upload(app: Paperfeed, user: str, filename: str, data: bytes) -> ImportSummary:
    """Add an uploaded file (any format ``profile add`` reads) to ``user``'s profile; the
    summary and errors name the file as uploaded, not where it was kept meanwhile."""
    name = _SAFE_NAME.sub("_", Path(filename or "upload").name).strip("._") or "upload"
    with tempfile.TemporaryDirectory(prefix="paperfeed-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            summary = app.profile_add(user, [str(path)])
        except ValueError as exc:
            raise UserError(str(exc).replace(str(path), name)) from None
    summary.source = name
    return summary
