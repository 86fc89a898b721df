"""Fusion of the relevance signals into one score: z-scores, weights, trust in the classifiers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperfeed.rank.params import DEFAULT_PARAMS, RankParams
from paperfeed.rank.signals import Signals


def zscore(x: np.ndarray) -> np.ndarray:
    """``x`` centred and scaled to unit standard deviation; all zeros when ``x`` is constant,
    so a signal that does not tell candidates apart adds nothing."""
    sd = float(x.std())
    return (x - float(x.mean())) / sd if sd > 1e-9 else np.zeros_like(x)


def weighted_zsum(terms: Sequence[tuple[float, np.ndarray]]) -> np.ndarray:
    """``Σ weight · zscore(signal)`` over at least one term, added left to right."""
    (w0, x0), *rest = terms
    score = w0 * zscore(x0)
    for w, x in rest:
        score = score + w * zscore(x)
    return score


def classifier_trust(n_positives: int, full_at: int) -> float:
    """Share of the classifiers' weight they get with ``n_positives`` profile papers.

    A classifier needs examples to generalize from: with one profile paper it is only a
    noisier similarity, so its weight ramps up from 0 at one positive to full at
    ``full_at`` (a query-by-example search keeps the similarity ranking).
    """
    return min(1.0, (n_positives - 1) / max(full_at - 1, 1))


def dense_evidence(
    dense_max: np.ndarray, negative: np.ndarray | None, negative_weight: float
) -> np.ndarray:
    """Rocchio-style: the best cosine to the profile less ``negative_weight`` × the best
    cosine to a downvoted paper (none: unchanged)."""
    return dense_max if negative is None else dense_max - negative_weight * negative


def relevance(signals: Signals, trust: float, params: RankParams = DEFAULT_PARAMS) -> np.ndarray:
    """The fused relevance of each candidate: weighted z-scores of the signals (the
    classifiers' weights scaled by ``trust``, the popularity prior's only when it was
    computed) plus the recency bonus, which is in [0, 1]."""
    s = signals
    terms = [
        (params.dense_weight, dense_evidence(s.dense_max, s.negative, params.negative_weight)),
        (params.interest_weight, s.interest),
        (params.lexical_weight, s.lexical),
        (params.profile_lexical_weight, s.profile_lexical),
    ]
    if s.classifier is not None:
        terms.append((trust * params.classifier_weight, s.classifier))
    if s.lexical_classifier is not None:
        terms.append((trust * params.lexical_classifier_weight, s.lexical_classifier))
    if s.popularity is not None:
        terms.append((params.popularity_weight, s.popularity))
    return weighted_zsum(terms) + params.recency_weight * s.recency
