"""Trending in a user's interests: among the papers of the last days that carry Hugging Face
upvotes, the hottest ones the user's own ranking puts near its top. Pure.

Heat is upvotes per day since the paper was listed (its day on the Hugging Face daily list,
else its date), the listing day counted as one: a paper with many upvotes and a new one
gathering them fast both rank high, an old paper's early count fades.

Relevance is relative, because ranking scores are weighted z-scores within one window and mean
nothing across windows or users. A paper is relevant when the user's own ranking of the
window's papers (the same ranking, filters, ratings and muted interests as their feed) puts it
among the best :data:`RELEVANT_SHARE` of them, or, in a window too small for that share to fill
one digest, among the ``feed_size`` best; and above the window's average (fused relevance
above 0). A week of arXiv listings holds thousands of papers, so the tenth is the rule there;
the average keeps a small window's unrelated papers out. The ranking leans to a profile's
dominant interest, and so does this cut.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from paperfeed.models import Paper, Recommendation
from paperfeed.rank.pool import parse_date

RELEVANT_SHARE = 0.1
"""A trending paper must be among this share of the window's papers that suit the user best."""
MIN_UPVOTES = 5
"""Fewer upvotes than this is not a trend, however new the paper."""


def upvotes(paper: Paper) -> int | None:
    """The paper's Hugging Face upvotes (``extra["upvotes"]``), None when it has no count."""
    value = paper.extra.get("upvotes")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return int(value)


def listed_on(paper: Paper) -> date | None:
    """The day the paper was listed: on the Hugging Face daily list, else its date."""
    daily = paper.extra.get("daily_date")
    return parse_date(daily if isinstance(daily, str) else None) or parse_date(paper.date)


def heat(paper: Paper, today: date) -> float:
    """Upvotes per day since listing (the listing day counts as one day); 0 without upvotes."""
    votes = upvotes(paper) or 0
    listed = listed_on(paper)
    age = max(0, (today - listed).days) if listed else 0
    return votes / (age + 1)


def has_trend(paper: Paper) -> bool:
    """Whether the paper has enough upvotes to be trending."""
    return (upvotes(paper) or 0) >= MIN_UPVOTES


def select_trending(
    ranked: Sequence[Recommendation],
    *,
    today: date,
    top: int,
    exclude: Collection[str] = (),
    feed_size: int = 20,
    relevant_share: float = RELEVANT_SHARE,
) -> list[Recommendation]:
    """At most ``top`` of ``ranked`` (a user's ranking of every paper of the window, each with
    ``components["relevance"]``): those with enough upvotes, relevant to the user (see the
    module docstring; ``feed_size`` is their digest's size) and not in ``exclude`` (the papers
    the digest already shows), hottest first (ties: the more relevant). Each carries its
    ``upvotes`` and ``upvotes_per_day`` in its components and is numbered from 1."""
    if top <= 0 or not ranked:
        return []
    relevance = np.array([r.components.get("relevance", r.score) for r in ranked])
    best = np.sort(relevance)[::-1]
    cut = min(float(np.quantile(relevance, 1.0 - relevant_share)), best[: max(feed_size, 1)][-1])
    chosen = [
        (heat(r.paper, today), rel, r)
        for r, rel in zip(ranked, relevance, strict=True)
        if rel >= cut and rel > 0 and has_trend(r.paper) and r.paper.id not in exclude
    ]
    chosen.sort(key=lambda t: (-t[0], -t[1]))
    return [
        replace(
            r,
            rank=n,
            components={
                **r.components,
                "upvotes": float(upvotes(r.paper) or 0),
                "upvotes_per_day": round(h, 2),
            },
        )
        for n, (h, _, r) in enumerate(chosen[:top], start=1)
    ]
