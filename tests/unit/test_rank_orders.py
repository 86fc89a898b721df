"""``rank_orders``: many settings of the ranker at once, each in the order ``rank`` gives."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, RankParams, prepare_candidates, rank, rank_orders

TOPICS = [
    "graph neural network message passing node classification",
    "optimizer convergence gradient descent momentum learning rate",
    "image segmentation convolutional pixel object detection",
    "speech recognition acoustic audio phoneme transcription",
]
VARIANTS: dict[str, RankParams] = {
    "default": DEFAULT_PARAMS,
    "no dense": replace(DEFAULT_PARAMS, dense_weight=0.0),
    "no interests": replace(DEFAULT_PARAMS, interest_weight=0.0, interest_penalty=0.0),
    "no classifiers": replace(DEFAULT_PARAMS, classifier_weight=0.0, lexical_classifier_weight=0.0),
    "no lexical classifier": replace(DEFAULT_PARAMS, lexical_classifier_weight=0.0),
    "no diversity": replace(DEFAULT_PARAMS, diversity=0.0, interest_penalty=0.0),
    "no bigrams": replace(DEFAULT_PARAMS, use_bigrams=False),
    "other interests": replace(DEFAULT_PARAMS, interest_similarity=0.6),
    "short mmr": replace(DEFAULT_PARAMS, mmr_pool=5, recency_weight=0.5),
    "newest profile papers count most": replace(DEFAULT_PARAMS, profile_half_life_days=2.0),
}


@pytest.fixture(scope="module")
def world() -> dict:
    rng = np.random.default_rng(1)
    axes = rng.normal(size=(len(TOPICS), 24))

    def make(pid: str, t: int, day: int) -> tuple[Paper, np.ndarray]:
        v = axes[t] + 0.6 * rng.normal(size=24)
        words = (TOPICS[t] + " " + TOPICS[rng.integers(len(TOPICS))]).split()
        rng.shuffle(words)
        paper = Paper(
            id=pid, title=f"t{t} {pid}", abstract=" ".join(words), date=f"2026-01-{day:02d}"
        )
        return paper, v / np.linalg.norm(v)

    prof = [make(f"p{i}", t, 1 + i) for i, t in enumerate([0, 0, 1, 1, 0, 2])]
    cands = [make(f"c{i}", i % 4, 1 + i % 28) for i in range(60)]
    return {
        "profile": [p for p, _ in prof],
        "pvecs": np.stack([v for _, v in prof]).astype(np.float32),
        "cands": [p for p, _ in cands],
        "cvecs": np.stack([v for _, v in cands]).astype(np.float32),
    }


@pytest.mark.parametrize("downvoted", [0, 3])
def test_every_variant_orders_as_rank_does(world: dict, downvoted: int) -> None:
    cands, cvecs = world["cands"], world["cvecs"]
    pools = {
        b: prepare_candidates(cands, cvecs, replace(DEFAULT_PARAMS, use_bigrams=b))
        for b in (True, False)
    }
    negatives = cands[:downvoted]
    nvecs = cvecs[:downvoted] if downvoted else None
    got = rank_orders(
        world["profile"], world["pvecs"], pools, VARIANTS, negatives=negatives, negative_vecs=nvecs
    )
    row = {p.id: i for i, p in enumerate(cands)}
    orders = set()
    for name, params in VARIANTS.items():
        recs = rank(
            world["profile"],
            world["pvecs"],
            pools[params.use_bigrams],
            negatives=negatives,
            negative_vecs=nvecs,
            top=0,
            params=params,
            explain=0,
        )
        assert got[name] == [row[r.paper.id] for r in recs], name
        assert len(got[name]) == len(cands) - downvoted
        orders.add(tuple(got[name]))
    assert len(orders) > len(VARIANTS) // 2  # the variants do rank differently


def test_a_short_profile_has_no_classifier(world: dict) -> None:
    pools = {True: prepare_candidates(world["cands"], world["cvecs"])}
    one = {"a": DEFAULT_PARAMS, "b": replace(DEFAULT_PARAMS, classifier_weight=0.0)}
    got = rank_orders(world["profile"][:1], world["pvecs"][:1], pools, one)
    assert got["a"] == got["b"]  # trust is 0 with one profile paper: the weight is moot
