"""Held-out pair accuracy: the partner's rank among the same seeded candidates for every
model, recall@1, MRR and the paired bootstrap interval of a difference."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.training import Pair
from paperfeed.training.heldout import accuracy_of, candidate_lists, pair_accuracy, paired_interval


def test_heldout_accuracy_ranks_the_partner_among_the_candidates() -> None:
    ids = [f"p{i}" for i in range(50)]
    rng = np.random.default_rng(0)
    vecs = {i: v / np.linalg.norm(v) for i, v in zip(ids, rng.normal(size=(50, 8)), strict=True)}
    pairs = [Pair("p0", "p1", "terms"), Pair("p2", "p3", "terms")]
    vecs["p1"] = vecs["p0"]  # p1 is p0's nearest: rank 1
    vecs["p3"] = -vecs["p2"]  # p3 is p2's farthest: last of the candidates
    cands = candidate_lists(pairs, ids, negatives=20, seed=0)
    assert all(
        len(c) == 21 and c[0] == p.b and p.a not in c for p, c in zip(pairs, cands, strict=True)
    )
    acc = pair_accuracy(vecs, pairs, cands)
    assert acc.recall_at_1 == 0.5
    assert acc.mrr == pytest.approx((1 + 1 / 21) / 2)
    assert cands == candidate_lists(pairs, ids, negatives=20, seed=0)  # same for every model


def test_the_paired_interval_excludes_zero_only_for_a_real_difference() -> None:
    rng = np.random.default_rng(1)
    base = rng.integers(1, 20, size=300).astype(float)
    same = paired_interval(base, base.copy())
    assert same["recall_at_1"] == (0.0, 0.0, 0.0) and same["mrr"] == (0.0, 0.0, 0.0)
    better = np.where(rng.random(300) < 0.3, 1.0, base)  # 30% of partners moved to rank 1
    diff, lo, hi = paired_interval(base, better)["recall_at_1"]
    assert 0 < lo < diff < hi
    acc_b, acc_o = accuracy_of(base, [["x"] * 100]), accuracy_of(better, [["x"] * 100])
    assert diff == pytest.approx(acc_o.recall_at_1 - acc_b.recall_at_1)
    noise = paired_interval(base, rng.permutation(base))["mrr"]
    assert noise[1] < 0 < noise[2]
