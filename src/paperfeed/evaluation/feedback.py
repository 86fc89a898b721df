"""The feedback simulation of the author-history benchmark: a user rates what each method
shows, the method re-ranks, and the papers not yet shown are scored again."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Protocol

from paperfeed.evaluation.methods import Prepared, orders
from paperfeed.evaluation.metrics import ndcg_at_k
from paperfeed.models import Paper

SHOWN_PER_ROUND = 10
"""Papers a simulated user looks at and rates in one feedback round."""

FEEDBACK_TABLES: dict[str, str] = {
    "nDCG@10": "nDCG@10 over the papers not yet shown, with and without the ratings",
    "Recall": "share of the user's papers shown in the session's first r + 1 screens",
}


class SimUser(Protocol):
    """What the simulation reads of a benchmark user."""

    @property
    def profile(self) -> tuple[str, ...]: ...

    @property
    def relevant(self) -> frozenset[str]: ...


def feedback_columns(rounds: int, metric: str) -> list[str]:
    """The columns of one feedback table (``metric``: a key of :data:`FEEDBACK_TABLES`)."""
    return [f"{metric}_{kind}{r}" for r in range(1, rounds + 1) for kind in ("noFB", "round")]


def residual(
    order: Sequence[int], cand: Sequence[Paper], seen: set[int], user: SimUser
) -> tuple[float, float]:
    """(nDCG@10 of ``order`` over the papers not in ``seen`` against the relevant papers
    not in ``seen``; Recall of the user's papers once the top 10 of that residual ranking
    is shown too). nDCG is NaN when nothing relevant is left."""
    left = [i for i in order if i not in seen]
    rel = [cand[i].id in user.relevant for i in left]
    n_left = sum(rel)
    found = len(user.relevant) - n_left + sum(rel[:SHOWN_PER_ROUND])
    recall = found / len(user.relevant)
    if not n_left:
        return math.nan, recall
    gains = [1.0 if r else 0.0 for r in rel]
    return ndcg_at_k(gains, 10, ideal_gains=[1.0] * n_left), recall


def simulate_feedback(
    prep: Prepared,
    user: SimUser,
    first: dict[str, list[int]],
    rounds: int,
    row: dict[str, dict[str, float]],
    methods: Collection[str],
) -> None:
    """Interactive sessions of ``rounds`` rounds, added to ``row`` for each method.

    Round r shows the user the top :data:`SHOWN_PER_ROUND` papers they have not seen of
    the method's current ranking, rates them (their own papers up, the rest down) and
    re-ranks with every rating so far. Figures after round r, on the *residual* feed (the
    papers not shown in rounds 1..r):

    - ``nDCG@10_round{r}``: the re-ranked residual feed, against the relevant papers left;
    - ``nDCG@10_noFB{r}``: the same residual feed ranked without any rating (the
      method's first ranking with the shown papers taken out), so the two differ only in
      the feedback; users with nothing left are out of both;
    - ``Recall_round{r}`` / ``Recall_noFB{r}``: share of the user's papers among everything
      shown in the r + 1 screens of the session (the screen after round r included), with
      feedback and when the user just reads on down the first ranking.
    """
    cand = prep.cand
    for m in methods:
        order, seen = first[m], set[int]()
        ups: list[str] = []
        downs: list[str] = []
        for r in range(1, rounds + 1):
            for i in [i for i in order if i not in seen][:SHOWN_PER_ROUND]:
                seen.add(i)
                (ups if cand[i].id in user.relevant else downs).append(cand[i].id)
            order = orders(prep, user.profile, ups, downs, (m,))[m]
            row[m][f"nDCG@10_round{r}"], row[m][f"Recall_round{r}"] = residual(
                order, cand, seen, user
            )
            row[m][f"nDCG@10_noFB{r}"] = residual(first[m], cand, seen, user)[0]
            shown = first[m][: SHOWN_PER_ROUND * (r + 1)]
            row[m][f"Recall_noFB{r}"] = sum(cand[i].id in user.relevant for i in shown) / len(
                user.relevant
            )
