"""Ranking metrics on hand-computed cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperfeed.evaluation.metrics import (
    average_precision,
    dcg_at_k,
    mean,
    mrr,
    ndcg_at_fraction,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)


def test_dcg_standard_discount() -> None:
    # 3/log2(2) + 2/log2(3) + 3/log2(4)
    assert dcg_at_k([3, 2, 3, 0], 3) == pytest.approx(3 + 2 / math.log2(3) + 1.5)


def test_dcg_jarvelin_discount_matches_rank_metrics_gist() -> None:
    # The bwhite gist (used by the Aspire/CSFCube code), method=0, documents these values.
    r = [3, 2, 3, 0, 0, 1, 2, 2, 3, 0]
    assert dcg_at_k(r, 1, discount="jarvelin") == pytest.approx(3.0)
    assert dcg_at_k(r, 2, discount="jarvelin") == pytest.approx(5.0)
    assert dcg_at_k(r, 10, discount="jarvelin") == pytest.approx(9.6051177391888114)
    assert dcg_at_k(r, 11, discount="jarvelin") == pytest.approx(9.6051177391888114)
    # ... and the standard discount is its method=1.
    assert dcg_at_k(r, 2) == pytest.approx(4.2618595071429155)


def test_ndcg_known_examples() -> None:
    assert ndcg_at_k([2, 1, 2, 0], 4, discount="jarvelin") == pytest.approx(0.9203032077642922)
    assert ndcg_at_k([2, 1, 2, 0], 4) == pytest.approx(0.96519546960144276)
    assert ndcg_at_k([3, 2, 3, 0, 0, 1, 2, 2, 3, 0], 1) == pytest.approx(1.0)
    assert ndcg_at_k([0], 1) == 0.0
    assert ndcg_at_k([0, 0, 1], 2) == 0.0  # nothing relevant in the top 2


def test_ndcg_perfect_and_reversed() -> None:
    assert ndcg_at_k([3, 2, 1, 0, 0], 3) == pytest.approx(1.0)
    assert ndcg_at_k([0, 0, 1, 2, 3], 5) < ndcg_at_k([3, 2, 1, 0, 0], 5)


def test_ndcg_with_ideal_gains_counts_unranked_relevant() -> None:
    # One of two relevant papers at rank 1, the other missing from the list.
    got = ndcg_at_k([1, 0, 0], 10, ideal_gains=[1, 1])
    assert got == pytest.approx(1 / (1 + 1 / math.log2(3)))
    # Binary relevance, single relevant item at rank 3: 1/log2(4) = 0.5.
    assert ndcg_at_k([0, 0, 1, 0], 10, ideal_gains=[1]) == pytest.approx(0.5)


def test_ndcg_at_fraction_uses_floor_of_pool_share() -> None:
    # 9 items: k = int(0.2 * 9) = 1, so only the first item counts.
    gains = [1, 3, 0, 0, 0, 0, 0, 0, 0]
    assert ndcg_at_fraction(gains, 0.2) == pytest.approx(1 / 3)
    # 10 items: k = 2, first two ranks undiscounted in the published variant.
    gains10 = [1, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    assert ndcg_at_fraction(gains10, 0.2) == pytest.approx(1.0)
    assert ndcg_at_fraction(gains10, 0.2, discount="log2(rank+1)") < 1.0
    assert ndcg_at_fraction([0, 1, 2, 3], 0.2) == 0.0  # k = 0: nothing to score


def test_average_precision() -> None:
    r = [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]
    assert average_precision(r) == pytest.approx(0.78333333333333333)
    assert average_precision([0, 1, 0, 1]) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert average_precision([1, 1, 1]) == 1.0
    assert average_precision([0, 0]) == 0.0
    # Relevant items not retrieved count as zero when the total is given.
    assert average_precision([1, 0], n_relevant=2) == pytest.approx(0.5)


def test_recall_at_k() -> None:
    assert recall_at_k([0, 1, 0, 1], 2) == pytest.approx(0.5)
    assert recall_at_k([0, 1, 0, 1], 4) == 1.0
    assert recall_at_k([0, 1, 0, 1], 2, n_relevant=4) == pytest.approx(0.25)
    assert recall_at_k([0, 0], 50) == 0.0


def test_reciprocal_rank_and_mrr() -> None:
    assert reciprocal_rank([0, 0, 1]) == pytest.approx(1 / 3)
    assert reciprocal_rank([0, 0]) == 0.0
    # Examples of the rank_metrics gist.
    assert mrr([[0, 0, 1], [0, 1, 0], [1, 0, 0]]) == pytest.approx(0.61111111111111105)
    assert mrr([[0, 0, 0], [0, 1, 0], [1, 0, 0]]) == pytest.approx(0.5)
    assert mrr([]) == 0.0
    assert mean([]) == 0.0


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=40))
def test_ndcg_bounds_and_ideal(gains: list[int]) -> None:
    for k in (1, 5, len(gains)):
        for discount in ("log2(rank+1)", "jarvelin"):
            v = ndcg_at_k(gains, k, discount=discount)  # type: ignore[arg-type]
            assert 0.0 <= v <= 1.0 + 1e-12
            best = sorted(gains, reverse=True)
            if any(best[:k]):
                assert ndcg_at_k(best, k, discount=discount) == pytest.approx(1.0)  # type: ignore[arg-type]


@given(st.lists(st.booleans(), min_size=1, max_size=40))
def test_binary_metrics_bounds(rel: list[bool]) -> None:
    for f in (average_precision, reciprocal_rank):
        assert 0.0 <= f(rel) <= 1.0
    assert 0.0 <= recall_at_k(rel, 5) <= 1.0
    if any(rel):
        assert average_precision(sorted(rel, reverse=True)) == 1.0
