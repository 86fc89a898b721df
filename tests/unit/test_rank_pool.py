"""The candidate pool shared by users: cached arrays, lazy features, scores as a ranking."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, prepare_candidates, rank
from paperfeed.rank.lexical import features
from paperfeed.rank.pool import POOL_FORMAT, pool_arrays, pool_from_arrays
from paperfeed.rank.ranker import with_shared_terms

WORDS = [
    *("graph", "neural", "network", "message", "passing", "node", "molecule", "optimizer"),
    *("convergence", "gradient", "momentum", "image", "segmentation", "pixel", "speech"),
    *("audio", "phoneme", "transformer", "attention"),
]


@pytest.fixture(scope="module")
def world() -> dict:
    """Random papers over a small vocabulary, with vectors that follow their words."""
    rng = np.random.default_rng(7)
    word_vecs = rng.normal(size=(len(WORDS), 16))

    def make(pid: str, n_words: int) -> tuple[Paper, np.ndarray]:
        idx = rng.choice(len(WORDS), size=n_words)
        vec = word_vecs[idx].sum(axis=0) + 0.5 * rng.normal(size=16)
        text = " ".join(WORDS[i] for i in idx)
        day = f"2026-01-{1 + int(rng.integers(28)):02d}"
        return Paper(
            pid, title=f"{pid} {text[:30]}", abstract=text, date=day
        ), vec / np.linalg.norm(vec)

    cands = [make(f"c{i}", 12) for i in range(120)]
    profile = [make(f"p{i}", 10) for i in range(6)]
    return {
        "cands": [p for p, _ in cands],
        "cvecs": np.stack([v for _, v in cands]).astype(np.float32),
        "profile": [p for p, _ in profile],
        "pvecs": np.stack([v for _, v in profile]).astype(np.float32),
    }


def _fingerprint(recs: list) -> list:
    return [(r.paper.id, r.score, r.rank, r.explanation, r.components) for r in recs]


def test_a_pool_read_back_from_its_arrays_ranks_identically(world: dict) -> None:
    pool = prepare_candidates(world["cands"], world["cvecs"])
    again = pool_from_arrays(world["cands"], world["cvecs"], pool_arrays(pool))
    assert again.feats == [None] * len(world["cands"])  # worked out on demand
    for top in (0, 15):
        want = rank(world["profile"], world["pvecs"], pool, top=top)
        got = rank(world["profile"], world["pvecs"], again, top=top)
        assert _fingerprint(got) == _fingerprint(want)
    assert again.features(3) == features(world["cands"][3].text)
    raw = rank(world["profile"], world["pvecs"], world["cands"], world["cvecs"], top=15)
    assert _fingerprint(raw) == _fingerprint(rank(world["profile"], world["pvecs"], pool, top=15))


def test_arrays_of_another_format_or_a_damaged_vocabulary_are_refused(world: dict) -> None:
    arrays = pool_arrays(prepare_candidates(world["cands"], world["cvecs"]))
    old = {**arrays, "format": np.array([POOL_FORMAT + 1])}
    with pytest.raises(ValueError, match="format"):
        pool_from_arrays(world["cands"], world["cvecs"], old)
    cut = {**arrays, "terms": arrays["terms"][:10]}
    with pytest.raises(ValueError, match="vocabulary"):
        pool_from_arrays(world["cands"], world["cvecs"], cut)
    with pytest.raises(ValueError, match="aligned"):
        pool_from_arrays(world["cands"][:5], world["cvecs"][:5], arrays)


@pytest.mark.parametrize("diversity", [0.0, 0.15, 0.6])
def test_scores_never_increase_down_the_list_and_relevance_is_kept(
    world: dict, diversity: float
) -> None:
    params = replace(DEFAULT_PARAMS, diversity=diversity, interest_penalty=diversity)
    recs = rank(
        world["profile"], world["pvecs"], world["cands"], world["cvecs"], top=0, params=params
    )
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    relevance = [r.components["relevance"] for r in recs]
    assert all(s <= rel for s, rel in zip(scores, relevance, strict=True))
    assert scores[0] == relevance[0] == max(relevance)
    if diversity >= 0.6:  # MMR moved something down: its shown score is capped, not its relevance
        assert relevance != sorted(relevance, reverse=True)
        assert any(s < rel for s, rel in zip(scores, relevance, strict=True))
    if diversity == 0:  # pure relevance order: nothing to cap
        assert scores == relevance


def test_shared_terms_added_later_match_those_rank_works_out(world: dict) -> None:
    pool = prepare_candidates(world["cands"], world["cvecs"])
    full = rank(world["profile"], world["pvecs"], pool, top=0)
    bare = rank(world["profile"], world["pvecs"], pool, top=0, explain=2)
    assert all(not r.explanation.shared_terms for r in bare[2:])
    picked = [bare[5], bare[40], bare[1]]
    filled = with_shared_terms(picked, world["profile"], pool)
    assert [r.explanation for r in filled] == [
        full[5].explanation,
        full[40].explanation,
        full[1].explanation,
    ]
    assert any(r.explanation.shared_terms for r in filled)
