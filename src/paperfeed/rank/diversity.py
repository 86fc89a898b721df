"""Diverse ordering: MMR (Carbonell & Goldstein 1998) over unit vectors, interest shares."""

from __future__ import annotations

import numpy as np


def mmr_order(
    scores: np.ndarray,
    vectors: np.ndarray,
    *,
    k: int,
    diversity: float,
    labels: np.ndarray | None = None,
    label_penalty: float = 0.0,
) -> np.ndarray:
    """Indices of ``k`` items chosen greedily by ``(1-d)·relevance − d·max-sim-to-chosen``.

    ``scores`` are rescaled to [0, 1] first so ``diversity`` means the same for any scorer.
    ``labels`` (e.g. interests) add ``label_penalty`` × the share of already chosen items
    that carry the same label, so one interest does not fill the list.
    """
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if diversity <= 0 and label_penalty <= 0:
        return np.argsort(-scores, kind="stable")[:k]
    lo, hi = float(scores.min()), float(scores.max())
    rel = (scores - lo) / (hi - lo) if hi > lo else np.ones(n)
    max_sim = np.zeros(n)
    chosen: list[int] = []
    lab = None if labels is None else np.unique(np.asarray(labels), return_inverse=True)[1]
    label_counts = np.zeros(0 if lab is None else int(lab.max(initial=0)) + 1)
    available = np.ones(n, dtype=bool)
    for _ in range(k):
        value = (1.0 - diversity) * rel - diversity * max_sim
        if lab is not None and label_penalty > 0 and chosen:
            value = value - label_penalty * label_counts[lab] / len(chosen)
        value = np.where(available, value, -np.inf)
        i = int(np.argmax(value))
        chosen.append(i)
        available[i] = False
        if lab is not None:
            label_counts[lab[i]] += 1
        max_sim = np.maximum(max_sim, vectors @ vectors[i])
    return np.asarray(chosen, dtype=np.int64)


def ranking_scores(relevance_in_order: np.ndarray) -> np.ndarray:
    """The scores to show down a diversified list: each item's relevance capped by the score
    above it, so they never increase (unchanged where the order follows relevance)."""
    return np.minimum.accumulate(np.asarray(relevance_in_order, dtype=np.float64))


def diverse_order(
    scores: np.ndarray,
    vectors: np.ndarray,
    labels: np.ndarray,
    *,
    top: int,
    pool_size: int,
    diversity: float,
    label_penalty: float,
) -> list[int]:
    """Indices of the first ``top`` items (0: all): MMR (:func:`mmr_order`) over the
    ``pool_size`` best by score (at least ``top``), then the rest by score.

    MMR is quadratic in what it orders, so a full ranking diversifies only its head.
    """
    n = len(scores)
    want = n if top <= 0 else min(top, n)
    by_score = np.argsort(-scores, kind="stable")
    pool = by_score[: max(pool_size, want) if top > 0 else min(n, pool_size)]
    picked = mmr_order(
        scores[pool],
        vectors[pool],
        k=min(want, len(pool)),
        diversity=diversity,
        labels=labels[pool],
        label_penalty=label_penalty,
    )
    order = [int(i) for i in pool[picked]]
    if len(order) < want:
        chosen = set(order)
        order.extend(int(i) for i in by_score if int(i) not in chosen)
        order = order[:want]
    return order
