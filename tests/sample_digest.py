"""Sample digests for the channel and rendering tests: papers with LaTeX in their titles (or
any title given), explanations over two interests, TL;DRs and signed links. Not a test
module: imported by them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from paperfeed.delivery.links import digest_links
from paperfeed.digest.content import Digest
from paperfeed.models import Explanation, Paper, Recommendation

NOW = datetime(2026, 8, 21, 6, 0, tzinfo=UTC)


def recs(n: int = 5, title: str = "Paper {i} on $\\alpha$-stable things") -> list[Recommendation]:
    out = []
    for i in range(n):
        paper = Paper(
            id=f"2608.{i:05d}",
            title=title.format(i=i),
            abstract="We study things. " * 20,
            authors=("Ada Lovelace", "Alan Turing"),
            categories=("cs.LG",),
            date="2026-08-21",
        )
        why = Explanation(f"p{i % 2}", f"My paper {i % 2}", 0.8 - i / 100, ("things",), i % 2)
        out.append(Recommendation(paper, 1.0 - i / 100, i + 1, why, {"dense": 0.5}, "It works."))
    return out


def digest(items: list[Recommendation], ask: int = 0, **changes: object) -> Digest:
    links = digest_links(
        b"s" * 32, "https://pf.example.org", "ada", [r.paper for r in items], now=NOW.timestamp()
    )
    base = Digest(
        "ada",
        "2026-08-21",
        links,
        tuple(items[: len(items) - ask]),
        tuple(items[len(items) - ask :]),
    )
    return replace(base, **changes)  # type: ignore[arg-type]
