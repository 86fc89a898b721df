"""Confidence intervals over users (or any units measured once each, such as held-out
pairs): the percentile bootstrap, plain and paired. Pure numpy; shared by the benchmarks
(:mod:`paperfeed.evaluation`) and ``paperfeed train`` (:mod:`paperfeed.training.heldout`).

A benchmark figure is a mean over users; how far it would move with another draw of users
is what decides whether two methods differ. The bootstrap (Efron & Tibshirani, *An
Introduction to the Bootstrap*, 1993, ch. 13 for the percentile interval) resamples users
with replacement and reads the interval off the resampled means. Two methods are compared
on the *same* resampled users (a paired bootstrap: the per-user differences are resampled),
which removes the users' own difficulty from the comparison; every interval of one window
uses one matrix of resampled indices, so they are all computed on the same draws.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
RESAMPLES = 1000


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean and its bootstrap interval ``[lo, hi]``."""

    mean: float
    lo: float
    hi: float

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of zero (a difference that the
        draw of users does not explain, at the interval's level)."""
        return self.lo > 0 or self.hi < 0

    def format(self, digits: int = 3, *, signed: bool = False) -> str:
        """``0.188 [0.170, 0.207]`` (``signed``: ``+0.012 [-0.003, +0.027]``)."""
        f = f"{{:+.{digits}f}}" if signed else f"{{:.{digits}f}}"
        return f"{f.format(self.mean)} [{f.format(self.lo)}, {f.format(self.hi)}]"

    def as_dict(self, digits: int = 6) -> dict[str, float]:
        return {k: round(getattr(self, k), digits) for k in ("mean", "lo", "hi")}


def window_seed(seed: int, name: str) -> int:
    """A resampling seed of its own for each window (named ``name``), from the run's
    ``seed``: two windows with as many users do not draw the same indices."""
    return (seed * 1_000_003 + zlib.crc32(name.encode("utf-8"))) % 2**32


def resample_indices(n: int, resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """``(resamples, n)`` indices into ``n`` users, drawn uniformly with replacement
    (``numpy.random.default_rng(seed)``): row r is the r-th bootstrap sample."""
    if n < 1:
        raise ValueError("a bootstrap needs at least one user")
    if resamples < 1:
        raise ValueError("a bootstrap needs at least one resample")
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _values(values: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if x.shape != (n,):
        raise ValueError(f"expected {n} per-user values, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("per-user values must be finite")
    return x


def resampled_means(values: Sequence[float] | np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The mean of ``values`` (one per user) in each bootstrap sample of ``idx``."""
    x = _values(values, idx.shape[1])
    return x[idx].mean(axis=1)


def percentile_interval(mean: float, resampled: np.ndarray, level: float = LEVEL) -> Interval:
    """``mean`` with the ``(1 − level)/2`` and ``(1 + level)/2`` quantiles of its
    ``resampled`` values (linear interpolation between order statistics)."""
    if not 0 < level < 1:
        raise ValueError("the level must lie between 0 and 1")
    lo, hi = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(mean), float(lo), float(hi))


def bootstrap_interval(
    values: Sequence[float] | np.ndarray, idx: np.ndarray, level: float = LEVEL
) -> Interval:
    """The mean of ``values`` (one per user) and its percentile bootstrap interval over
    the resamples ``idx`` (:func:`resample_indices`)."""
    x = _values(values, idx.shape[1])
    return percentile_interval(float(x.mean()), resampled_means(x, idx), level)


def paired_difference(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    idx: np.ndarray,
    level: float = LEVEL,
) -> Interval:
    """Mean of ``a − b`` over the users and its paired bootstrap interval: each resample
    takes the same users for both methods (``a[i]`` and ``b[i]`` belong to user i)."""
    n = idx.shape[1]
    return bootstrap_interval(_values(a, n) - _values(b, n), idx, level)


def pooled_difference(
    pairs: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], level: float = LEVEL
) -> Interval:
    """The mean over several windows of each window's mean ``a − b``, with a stratified
    paired bootstrap: users are resampled within their window (``(a, b, idx)`` per
    window, every ``idx`` with the same number of resamples) and each resample's window
    means are averaged, so every window weighs the same whatever its number of users."""
    if not pairs:
        raise ValueError("nothing to pool")
    counts = {idx.shape[0] for _, _, idx in pairs}
    if len(counts) != 1:
        raise ValueError("every window needs the same number of resamples")
    means = [float(np.mean(np.asarray(a) - np.asarray(b))) for a, b, _ in pairs]
    resampled = np.mean(
        [resampled_means(np.asarray(a) - np.asarray(b), idx) for a, b, idx in pairs], axis=0
    )
    return percentile_interval(float(np.mean(means)), resampled, level)
