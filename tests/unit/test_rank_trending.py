"""Trending in a user's interests and the popularity prior, the pure parts: upvotes and their
rate, the relevance cut, the selection, and the prior fused into the ranking."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from paperfeed.models import Explanation, Paper, Recommendation
from paperfeed.rank import RankParams, rank
from paperfeed.rank.signals import popularity
from paperfeed.rank.trending import (
    MIN_UPVOTES,
    has_trend,
    heat,
    listed_on,
    select_trending,
    upvotes,
)

TODAY = date(2026, 8, 21)


def _paper(pid: str, votes: object = None, day: str = "2026-08-20", daily: str = "") -> Paper:
    extra: dict[str, object] = {} if votes is None else {"upvotes": votes}
    if daily:
        extra["daily_date"] = daily
    return Paper(id=pid, title=f"T {pid}", date=day, extra=extra)


def test_upvotes_are_read_only_when_they_are_a_count() -> None:
    assert upvotes(_paper("a", 12)) == 12 and upvotes(_paper("b", 0)) == 0
    for bad in (None, True, "12", -3, [1]):
        assert upvotes(_paper("c", bad)) is None
    assert has_trend(_paper("d", MIN_UPVOTES)) and not has_trend(_paper("e", MIN_UPVOTES - 1))


def test_heat_is_upvotes_per_day_since_listing() -> None:
    assert heat(_paper("new", 30, day="2026-08-21"), TODAY) == 30.0  # the listing day counts
    assert heat(_paper("old", 140, day="2026-08-14"), TODAY) == 140 / 8
    # the day on the Hugging Face list wins over the arXiv date
    listed = _paper("hf", 60, day="2026-07-01", daily="2026-08-20")
    assert listed_on(listed) == date(2026, 8, 20) and heat(listed, TODAY) == 30.0
    assert heat(_paper("future", 9, day="2026-08-25"), TODAY) == 9.0
    assert heat(_paper("none"), TODAY) == 0.0


def _ranked(rows: list[tuple[str, object, float, str]]) -> list[Recommendation]:
    """A user's ranking of a window: (id, upvotes, relevance, listing day), best first."""
    rows = sorted(rows, key=lambda r: -r[2])
    return [
        Recommendation(
            _paper(pid, votes, day), rel, n, Explanation("p", "P", 0.5), {"relevance": rel}
        )
        for n, (pid, votes, rel, day) in enumerate(rows, start=1)
    ]


def _window(n: int = 200) -> list[tuple[str, object, float, str]]:
    """``n`` papers without upvotes, relevance spread from 3 down to -3."""
    return [(f"x{i}", None, 3.0 - 6.0 * i / (n - 1), "2026-08-18") for i in range(n)]


def test_only_relevant_hot_papers_not_shown_yet_are_picked_hottest_first() -> None:
    rows = [
        *_window(),
        ("hot-relevant", 200, 2.95, "2026-08-15"),  # 200 / 7 a day
        ("fresh-relevant", 40, 2.8, "2026-08-21"),  # 40 a day
        ("hot-unrelated", 900, 0.5, "2026-08-20"),  # above average, not in the best tenth
        ("cold-relevant", 3, 2.9, "2026-08-21"),  # too few upvotes
        ("shown-relevant", 500, 2.99, "2026-08-21"),  # already in the digest
        ("third", 10, 2.7, "2026-08-20"),
    ]
    picked = select_trending(_ranked(rows), today=TODAY, top=3, exclude={"shown-relevant"})
    assert [r.paper.id for r in picked] == ["fresh-relevant", "hot-relevant", "third"]
    assert [r.rank for r in picked] == [1, 2, 3]
    assert picked[1].components["upvotes"] == 200
    assert picked[1].components["upvotes_per_day"] == pytest.approx(200 / 7, abs=0.01)
    assert select_trending(_ranked(rows), today=TODAY, top=1)[0].paper.id == "shown-relevant"
    assert select_trending(_ranked(rows), today=TODAY, top=0) == []
    assert select_trending([], today=TODAY, top=3) == []


def test_a_small_window_keeps_its_best_feed_above_average() -> None:
    rows = [(f"x{i}", None, 2.0 - i * 0.4, "2026-08-20") for i in range(10)] + [
        ("related", 50, 0.9, "2026-08-20"),  # the 4th of 12: in a feed of 5, above average
        ("unrelated", 80, -1.5, "2026-08-20"),  # in a feed of 20, but below average
    ]
    picked = select_trending(_ranked(rows), today=TODAY, top=3, feed_size=5)
    assert [r.paper.id for r in picked] == ["related"]
    picked = select_trending(_ranked(rows), today=TODAY, top=3, feed_size=20)
    assert [r.paper.id for r in picked] == ["related"]
    picked = select_trending(_ranked(rows), today=TODAY, top=3, feed_size=2)
    assert picked == []


def test_popularity_prior_is_log_upvotes_and_off_by_default() -> None:
    papers = [_paper("a", 0), _paper("b", 9), _paper("c")]
    assert np.allclose(popularity(papers), [0.0, np.log(10), 0.0])
    assert RankParams().popularity_weight == 0.0


def _prior_world() -> tuple[list[Paper], np.ndarray, list[Paper], np.ndarray]:
    rng = np.random.default_rng(1)
    axis = rng.normal(size=16)
    axis /= np.linalg.norm(axis)
    prof = [Paper(id="p", title="graph networks", abstract="graph message passing")]
    cands, vecs = [], []
    for i in range(12):
        v = axis + 0.6 * rng.normal(size=16) / 4
        vecs.append(v / np.linalg.norm(v))
        votes = 500 if i == 11 else 0
        cands.append(
            Paper(
                id=f"c{i}",
                title=f"graph study {i}",
                abstract="graph message passing",
                date="2026-08-20",
                extra={"upvotes": votes},
            )
        )
    return prof, axis[None, :].astype(np.float32), cands, np.stack(vecs).astype(np.float32)


def test_the_prior_lifts_an_upvoted_paper_only_when_weighted() -> None:
    prof, pvecs, cands, cvecs = _prior_world()
    off = rank(prof, pvecs, cands, cvecs, top=12, params=RankParams(diversity=0.0))
    on = rank(
        prof, pvecs, cands, cvecs, top=12, params=RankParams(diversity=0.0, popularity_weight=2.0)
    )
    pos_off = [r.paper.id for r in off].index("c11")
    assert on[0].paper.id == "c11" and pos_off > 0
    assert "popularity" in on[0].components and "popularity" not in off[0].components
    scores = [r.score for r in on]
    assert scores == sorted(scores, reverse=True)
    # without upvote data the prior tells nobody apart: the same ranking as without it
    plain = [c.with_(extra={}) for c in cands]
    same = rank(
        prof, pvecs, plain, cvecs, top=12, params=RankParams(diversity=0.0, popularity_weight=2.0)
    )
    assert [(r.paper.id, r.score) for r in same] == [
        (r.paper.id, r.score)
        for r in rank(prof, pvecs, plain, cvecs, top=12, params=RankParams(diversity=0.0))
    ]
