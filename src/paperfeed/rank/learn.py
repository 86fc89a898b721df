"""Learning from ratings: a per-user linear model on embeddings, and which papers to ask about.

Scholar Inbox's recipe (a logistic regression per user on paper embeddings) with two changes
that matter for a daily feed: the user's downvotes are hard negatives with a weight of their
own, and the day's candidates serve as weakly weighted *unlabeled* negatives (as
arxiv-sanity-lite's SVM uses every candidate), so the model learns what sets the user's
papers apart from today's feed rather than from a fixed random sample. Pure numpy/scipy.
"""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from threadpoolctl import ThreadpoolController

from paperfeed.rank.diversity import mmr_order


@dataclass(frozen=True, slots=True)
class LinearModel:
    """``decision(x) = x @ w + b``; positive means "more like what the user wants"."""

    w: np.ndarray
    b: float

    def decision(self, x: np.ndarray | sparse.spmatrix) -> np.ndarray:
        if sparse.issparse(x):
            return np.asarray(x @ self.w).ravel() + self.b
        return np.asarray(x, dtype=np.float64) @ self.w + self.b


def fit_logistic(
    x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, *, l2: float = 1.0
) -> LinearModel:
    """Weighted L2-regularized logistic regression (labels 0/1), fitted with L-BFGS.

    Minimizes ``Σ_i s_i · log(1 + exp(-ỹ_i (x_i·w + b))) + l2/2 · |w|²`` with
    ``ỹ = 2y − 1``; the intercept is not regularized.
    """
    x = x.astype(np.float64) if sparse.issparse(x) else np.asarray(x, dtype=np.float64)
    s = np.asarray(sample_weight, dtype=np.float64)
    sign = np.where(np.asarray(y) > 0, 1.0, -1.0)
    d = x.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d], theta[d]
        margin = sign * (x @ w + b)
        # log(1 + exp(-m)) and its derivative, computed stably
        value = float(s @ np.logaddexp(0.0, -margin) + 0.5 * l2 * (w @ w))
        g = -s * sign * _sigmoid(-margin)
        grad = np.empty(d + 1)
        grad[:d] = np.asarray(x.T @ g).ravel() + l2 * w
        grad[d] = g.sum()
        return value, grad

    with one_blas_thread():
        res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 100})
    return LinearModel(res.x[:d].copy(), float(res.x[d]))


@functools.cache
def _blas_pools() -> ThreadpoolController:
    """The process's BLAS thread pools, found once: looking them up scans the loaded
    libraries, which costs more than a small fit."""
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[object]:
    """BLAS on one thread while inside. A user's ranking is many small matrix products:
    extra BLAS threads only add synchronization, which costs 8x when another process holds
    the second core (measured on 2 cores); many users run in parallel processes instead."""
    return _blas_pools().limit(limits=1, user_api="blas")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


Rows = np.ndarray | sparse.spmatrix


def user_model(
    positives: Rows,
    negatives: Rows | None = None,
    unlabeled: Rows | None = None,
    *,
    negative_weight: float = 1.0,
    unlabeled_weight: float = 1.0,
    l2: float = 1.0,
    positive_weights: np.ndarray | None = None,
) -> LinearModel:
    """A user's model: ``positives`` (profile, upvoted, saved) against ``negatives``
    (downvoted) and ``unlabeled`` papers (the candidates). Each group's weights sum to a
    fixed share, so ten downvotes do not drown two profile papers: positives and unlabeled
    count as balanced classes, downvotes add ``negative_weight`` times the positives' mass.
    ``positive_weights`` (e.g. by age) share the positives' mass out unevenly.
    """
    n_pos = positives.shape[0]
    if not n_pos:
        raise ValueError("a user model needs at least one positive paper")
    parts = [m for m in (positives, negatives, unlabeled) if m is not None]
    x = (
        sparse.vstack(parts).tocsr()
        if any(sparse.issparse(m) for m in parts)
        else np.vstack([np.asarray(m, dtype=np.float64) for m in parts])
    )
    n_neg = 0 if negatives is None else negatives.shape[0]
    n_unl = 0 if unlabeled is None else unlabeled.shape[0]
    y = np.r_[np.ones(n_pos), np.zeros(n_neg + n_unl)]
    w = np.r_[
        _shares(positive_weights, n_pos),
        np.full(n_neg, negative_weight / max(n_neg, 1)),
        np.full(n_unl, unlabeled_weight / max(n_unl, 1)),
    ]
    # the loss is summed, so scale the weights to the number of examples: l2 then means the
    # same thing for a profile of 3 papers and one of 300
    w *= x.shape[0] / w.sum()
    return fit_logistic(x, y, w, l2=l2)


def _shares(weights: np.ndarray | None, n: int) -> np.ndarray:
    """``n`` shares summing to 1: in proportion to ``weights``, or equal without them."""
    if weights is None:
        return np.full(n, 1.0 / n)
    w = np.clip(np.asarray(weights, dtype=np.float64), 0.0, None)
    if w.shape != (n,):
        raise ValueError(f"{w.shape[0]} positive weights for {n} positives")
    total = w.sum()
    return w / total if total > 0 else np.full(n, 1.0 / n)


def most_informative(
    scores: np.ndarray,
    vectors: np.ndarray,
    k: int,
    *,
    edge: int = 20,
    diversity: float = 0.5,
) -> list[int]:
    """Indices of ``k`` candidates whose rating would teach the ranker most.

    Uncertainty sampling for a ranked feed: the papers the ranker is least sure about are
    those around the cut-off of what it shows (rank ``edge``, a digest's length), not the
    ones far below it, which the user would never see, nor the top ones, which it already
    believes in. Candidates are weighted by closeness in rank to that edge, and MMR over
    their vectors keeps the questions apart, so five ratings cover five different
    directions instead of five versions of one paper.
    """
    n = len(scores)
    if n == 0 or k <= 0:
        return []
    order = np.argsort(-np.asarray(scores), kind="stable")
    rank_of = np.empty(n)
    rank_of[order] = np.arange(n)
    width = max(float(edge), 1.0)
    closeness = np.exp(-(((rank_of - edge) / width) ** 2))
    pool = np.argsort(-closeness, kind="stable")[: max(4 * edge, 5 * k)]
    picked = mmr_order(closeness[pool], vectors[pool], k=min(k, len(pool)), diversity=diversity)
    return [int(pool[i]) for i in picked]
