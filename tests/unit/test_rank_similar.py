"""Query by example: relevance order, pseudo-relevance feedback, lexical fusion, diversity."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, prepare_candidates, rank_similar
from paperfeed.rank.similar import feedback_query, similarity_scores


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_feedback_moves_the_query_towards_its_closest_candidates() -> None:
    q = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    cvecs = _unit(np.array([[0.9, 0.4, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32))
    assert feedback_query(q, cvecs, 0, 0.5) is q
    moved = feedback_query(q, cvecs, 2, 0.5)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    assert moved[1] > 0 and moved[2] == 0  # towards the two neighbours, not the third
    expected = _unit(q + 0.5 * cvecs[:2].mean(axis=0))
    np.testing.assert_allclose(moved, expected, rtol=1e-6)


@pytest.fixture(scope="module")
def world() -> dict:
    rng = np.random.default_rng(5)
    base = _unit(rng.normal(size=24))
    cands, vecs = [], []
    for i in range(60):
        vec = _unit(base + (0.3 + 0.05 * i) * rng.normal(size=24))
        words = "graph molecule" if i % 3 == 0 else "speech audio"
        cands.append(Paper(f"c{i}", title=f"{words} paper {i}", abstract=f"on {words} {i}"))
        vecs.append(vec)
    query = Paper("q", title="graph molecule property prediction")
    return {
        "query": query,
        "qvec": base.astype(np.float32),
        "cands": cands,
        "cvecs": np.stack(vecs).astype(np.float32),
    }


def test_similar_is_a_relevance_order_of_fused_evidence(world: dict) -> None:
    pool = prepare_candidates(world["cands"], world["cvecs"])
    recs = rank_similar(world["query"], world["qvec"], pool, top=0, explain=5)
    rel = [r.components["relevance"] for r in recs]
    assert rel == sorted(rel, reverse=True) and [r.score for r in recs] == rel
    assert len(recs) == 60 and [r.rank for r in recs[:3]] == [1, 2, 3]
    sig = similarity_scores(pool, list(range(60)), world["query"], world["qvec"])
    assert recs[0].paper.id == world["cands"][int(np.argmax(sig["relevance"]))].id
    assert recs[0].explanation.closest_id == "q" and recs[0].explanation.shared_terms
    assert not recs[10].explanation.shared_terms  # past ``explain``
    assert recs[0].explanation.similarity == pytest.approx(recs[0].components["cosine"])


def test_the_lexical_weight_lifts_the_papers_that_share_the_query_words(world: dict) -> None:
    args = (world["query"], world["qvec"], world["cands"], world["cvecs"])
    dense_only = replace(DEFAULT_PARAMS, similar_lexical_weight=0.0, similar_feedback=0)
    lexical = replace(DEFAULT_PARAMS, similar_lexical_weight=5.0)

    def share(params: object) -> float:
        recs = rank_similar(*args, top=10, params=params)  # type: ignore[arg-type]
        return sum("graph" in r.paper.title for r in recs) / 10

    assert share(lexical) > share(dense_only)
    plain = rank_similar(*args, top=0, params=dense_only)
    cos = [r.components["cosine"] for r in plain]
    assert cos == sorted(cos, reverse=True)  # plain cosine order without feedback or words


def test_diversity_is_an_option_and_scores_still_never_increase(world: dict) -> None:
    args = (world["query"], world["qvec"], world["cands"], world["cvecs"])
    plain = rank_similar(*args, top=15)
    diverse = rank_similar(*args, top=15, params=replace(DEFAULT_PARAMS, similar_diversity=0.7))
    assert [r.paper.id for r in plain] != [r.paper.id for r in diverse]
    scores = [r.score for r in diverse]
    assert scores == sorted(scores, reverse=True)
    assert (
        rank_similar(
            world["query"], world["qvec"], world["cands"][:1], world["cvecs"][:1], exclude={"c0"}
        )
        == []
    )
