"""The bootstrap intervals against cases whose answer is known."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from paperfeed.stats import (
    Interval,
    bootstrap_interval,
    paired_difference,
    pooled_difference,
    resample_indices,
    window_seed,
)


def test_resampling_is_seeded_and_uniform() -> None:
    a = resample_indices(50, 2000, seed=7)
    assert a.shape == (2000, 50)
    assert np.array_equal(a, resample_indices(50, 2000, seed=7))
    assert not np.array_equal(a, resample_indices(50, 2000, seed=8))
    counts = np.bincount(a.ravel(), minlength=50) / a.size
    assert np.allclose(counts, 1 / 50, atol=0.002)
    assert window_seed(1, "arxiv-2026-02") != window_seed(1, "arxiv-2026-03")
    assert window_seed(1, "x") == window_seed(1, "x")


def test_two_users_zero_and_one() -> None:
    """Resampled means of [0, 1] are 0, 0.5 or 1 with chances 1/4, 1/2, 1/4: the 2.5% and
    97.5% percentiles are 0 and 1."""
    ci = bootstrap_interval([0.0, 1.0], resample_indices(2, 4000, seed=1))
    assert ci == Interval(0.5, 0.0, 1.0)


def test_percentiles_match_the_exact_bootstrap_distribution() -> None:
    """For 5 users the bootstrap distribution can be enumerated (5^5 samples); 20k
    resamples land on its quantiles."""
    values = np.array([0.0, 0.1, 0.25, 0.5, 1.0])
    exact = np.array([values[list(s)].mean() for s in itertools.product(range(5), repeat=5)])
    want = np.quantile(exact, [0.025, 0.975])
    ci = bootstrap_interval(values, resample_indices(5, 20000, seed=3))
    assert ci.mean == pytest.approx(values.mean())
    assert ci.lo == pytest.approx(want[0], abs=0.02)
    assert ci.hi == pytest.approx(want[1], abs=0.02)


def test_large_sample_agrees_with_the_normal_interval() -> None:
    x = np.random.default_rng(0).normal(0.3, 0.2, size=400)
    ci = bootstrap_interval(x, resample_indices(400, 4000, seed=2))
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x))
    assert ci.mean == pytest.approx(x.mean())
    assert ci.lo == pytest.approx(x.mean() - half, rel=0.03)
    assert ci.hi == pytest.approx(x.mean() + half, rel=0.03)
    assert not Interval(0.1, -0.01, 0.2).excludes_zero
    assert Interval(0.1, 0.01, 0.2).excludes_zero and Interval(-0.1, -0.2, -0.01).excludes_zero


def test_pairing_removes_what_users_share() -> None:
    """b is a with a constant added: the paired difference is exactly that constant, while
    each method's own interval is wide (the users differ far more than the methods)."""
    rng = np.random.default_rng(4)
    a = rng.uniform(0, 1, size=300)
    b = a + 0.01
    idx = resample_indices(300, 1000, seed=5)
    d = paired_difference(a, b, idx)
    assert d.mean == pytest.approx(-0.01)
    assert d.lo == pytest.approx(-0.01) and d.hi == pytest.approx(-0.01)
    assert d.excludes_zero
    wide = bootstrap_interval(a, idx)
    assert wide.hi - wide.lo > 0.05
    same = paired_difference(a, a, idx)
    assert (same.mean, same.lo, same.hi) == (0.0, 0.0, 0.0)


def test_pooled_difference_weighs_windows_equally() -> None:
    idx1 = resample_indices(10, 500, seed=1)
    idx2 = resample_indices(1000, 500, seed=2)
    a1, a2 = np.full(10, 0.3), np.full(1000, 0.5)
    pooled = pooled_difference([(a1, np.zeros(10), idx1), (a2, np.zeros(1000), idx2)])
    assert pooled.mean == pytest.approx(0.4)  # not 0.498, the users' mean
    assert pooled.lo == pytest.approx(0.4) and pooled.hi == pytest.approx(0.4)
    with pytest.raises(ValueError):
        pooled_difference([(a1, a1, idx1), (a2, a2, resample_indices(1000, 10, seed=2))])


def test_bad_input_is_refused() -> None:
    idx = resample_indices(3, 10)
    with pytest.raises(ValueError):
        bootstrap_interval([0.1, 0.2], idx)  # not one value per user
    with pytest.raises(ValueError):
        bootstrap_interval([0.1, float("nan"), 0.2], idx)
    with pytest.raises(ValueError):
        resample_indices(0)
    with pytest.raises(ValueError):
        bootstrap_interval([0.1, 0.2, 0.3], idx, level=1.0)
    assert Interval(0.1234, 0.1, 0.15).format() == "0.123 [0.100, 0.150]"
    assert Interval(0.01, -0.002, 0.02).format(signed=True) == "+0.010 [-0.002, +0.020]"
