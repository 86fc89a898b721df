"""Ranking-quality metrics over relevance lists in rank order. Pure Python/numpy.

Each function takes the relevance of the ranked items, first item first (graded gains for
NDCG, truthy/falsy for the binary metrics), so the same code scores every method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

Discount = Literal["log2(rank+1)", "jarvelin"]


def _discount(rank: int, discount: Discount) -> float:
    """Divisor of the gain at 1-based ``rank``."""
    if discount == "log2(rank+1)":
        return math.log2(rank + 1)
    if discount == "jarvelin":
        return max(1.0, math.log2(rank))
    raise ValueError(f"unknown discount {discount!r}")


def dcg_at_k(gains: Sequence[float], k: int, *, discount: Discount = "log2(rank+1)") -> float:
    """Discounted cumulative gain of the first ``k`` items, with linear gains.

    ``DCG@k = Σ_{i=1..k} gain_i / d(i)`` (Järvelin & Kekäläinen, "Cumulated gain-based
    evaluation of IR techniques", TOIS 2002). ``d(i) = log2(i + 1)`` by default (the form
    of Burges et al. 2005 and most toolkits); ``discount="jarvelin"`` is the original
    ``d(i) = max(1, log2 i)`` (base b = 2: the first two ranks undiscounted), which is
    ``method=0`` of the ``rank_metrics`` gist that the CSFCube/Aspire evaluation uses.
    """
    return sum(float(g) / _discount(i, discount) for i, g in enumerate(gains[: max(k, 0)], 1))


def ndcg_at_k(
    gains: Sequence[float],
    k: int,
    *,
    discount: Discount = "log2(rank+1)",
    ideal_gains: Sequence[float] | None = None,
) -> float:
    """Normalized DCG: ``DCG@k`` of the ranking over ``DCG@k`` of the ideal ranking, the
    judged gains sorted best first; 0 when no item has a gain (Järvelin & Kekäläinen,
    TOIS 2002).

    The judged gains are ``gains`` themselves (the whole re-ranked pool) unless
    ``ideal_gains`` gives them, e.g. ``[1] * n_relevant`` for binary relevance.
    """
    judged = gains if ideal_gains is None else ideal_gains
    ideal = dcg_at_k(sorted(judged, reverse=True), k, discount=discount)
    if ideal <= 0:
        return 0.0
    return dcg_at_k(gains, k, discount=discount) / ideal


def ndcg_at_fraction(
    gains: Sequence[float], fraction: float = 0.2, *, discount: Discount = "jarvelin"
) -> float:
    """NDCG over the top ``fraction`` of the ranked pool: ``k = floor(fraction · len(pool))``.

    This is CSFCube's ``NDCG%20`` (Mysore et al., NeurIPS 2021 Datasets; evaluation code
    ``allenai/aspire`` ``compute_metrics``: ``ndcg_at_k(graded, int(0.2 * len(pool)))``,
    linear gains, whose default discount is ``max(1, log2 rank)``, hence the default here).
    """
    return ndcg_at_k(gains, int(fraction * len(gains)), discount=discount)


def average_precision(relevant: Sequence[object], n_relevant: int | None = None) -> float:
    """Average precision: the mean of precision@i over the ranks i of the relevant items.

    ``AP = (1 / R) Σ_{i: rel_i} P@i`` (Manning, Raghavan & Schütze, *Introduction to
    Information Retrieval*, §8.4). ``R`` is ``n_relevant`` (all relevant items, so relevant
    items missing from the ranking count as 0) or, when None, the relevant items in the
    list — which is the same thing when the whole judged pool is ranked, as in CSFCube.
    0 when there is nothing relevant.
    """
    hits = 0
    total = 0.0
    for i, rel in enumerate(relevant, 1):
        if rel:
            hits += 1
            total += hits / i
    denom = hits if n_relevant is None else n_relevant
    return total / denom if denom > 0 else 0.0


def recall_at_k(relevant: Sequence[object], k: int, n_relevant: int | None = None) -> float:
    """Share of the relevant items found in the first ``k``: ``|relevant ∩ top k| / R``
    (Manning et al., §8.3), ``R`` as in :func:`average_precision`; 0 if nothing is relevant."""
    found = sum(1 for rel in relevant[: max(k, 0)] if rel)
    denom = sum(1 for rel in relevant if rel) if n_relevant is None else n_relevant
    return found / denom if denom > 0 else 0.0


def reciprocal_rank(relevant: Sequence[object]) -> float:
    """``1 / rank`` of the first relevant item, 0 if there is none (Voorhees, TREC-8 QA
    track report, 1999)."""
    for i, rel in enumerate(relevant, 1):
        if rel:
            return 1.0 / i
    return 0.0


def mrr(rankings: Iterable[Sequence[object]]) -> float:
    """Mean reciprocal rank over queries (Voorhees 1999); 0 for no queries."""
    rrs = [reciprocal_rank(r) for r in rankings]
    return sum(rrs) / len(rrs) if rrs else 0.0


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean, 0 for nothing (every benchmark averages per-query figures)."""
    vals = list(values)
    return sum(vals) / len(vals) if vals else 0.0
