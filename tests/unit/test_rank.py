"""Ranking math on synthetic data whose right answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.models import Paper
from paperfeed.rank import RankParams, rank
from paperfeed.rank.diversity import mmr_order
from paperfeed.rank.interests import cluster_interests
from paperfeed.rank.lexical import build_index, features
from paperfeed.rank.pool import (
    parse_date,
    pool_from_index,
    prepare_candidates,
    select_candidates,
)
from paperfeed.rank.signals import profile_lexical, profile_terms, recency
from paperfeed.rank.terms import tokenize

TOPICS = {
    "graph": "graph neural network message passing node classification",
    "optim": "optimizer convergence gradient descent momentum learning rate",
    "vision": "image segmentation convolutional pixel object detection",
    "speech": "speech recognition acoustic audio phoneme transcription",
}
DIM = 32


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


@pytest.fixture(scope="module")
def world() -> dict:
    rng = np.random.default_rng(0)
    axes = {t: _unit(rng.normal(size=DIM)) for t in TOPICS}

    def make(pid: str, topic: str, noise: float = 0.3, date: str = "2026-01-10") -> tuple:
        vec = _unit(axes[topic] + noise * rng.normal(size=DIM) / np.sqrt(DIM))
        words = TOPICS[topic].split()
        rng.shuffle(words)
        return Paper(id=pid, title=f"{topic} {pid}", abstract=" ".join(words), date=date), vec

    profile = [make(f"p{i}", t) for i, t in enumerate(["graph", "graph", "optim", "optim"])]
    cands = [make(f"c{t}{i}", t) for t in TOPICS for i in range(10)]
    return {
        "profile": [p for p, _ in profile],
        "pvecs": np.stack([v for _, v in profile]).astype(np.float32),
        "cands": [p for p, _ in cands],
        "cvecs": np.stack([v for _, v in cands]).astype(np.float32),
        "make": make,
    }


def test_relevant_topics_rank_first(world: dict) -> None:
    recs = rank(world["profile"], world["pvecs"], world["cands"], world["cvecs"], top=20)
    topics = [r.paper.id[1:-1] for r in recs]
    assert set(topics) == {"graph", "optim"}


def test_every_item_is_explained_by_its_own_topic(world: dict) -> None:
    recs = rank(world["profile"], world["pvecs"], world["cands"], world["cvecs"], top=10)
    by_id = {p.id: p for p in world["profile"]}
    for r in recs:
        closest = by_id[r.explanation.closest_id]
        assert closest.title.split()[0] == r.paper.id[1:-1]
        assert r.explanation.shared_terms
        words = r.paper.text.lower().replace(".", " ").split()
        for term in r.explanation.shared_terms:
            assert all(w in words for w in term.split()), term


def test_diversity_spreads_over_interests(world: dict) -> None:
    # With diversity on, the top 6 must cover both interests even when one is slightly stronger.
    recs = rank(world["profile"], world["pvecs"], world["cands"], world["cvecs"], top=6)
    assert {r.paper.id[1:-1] for r in recs} == {"graph", "optim"}
    assert len({r.explanation.interest for r in recs}) == 2


def test_top_zero_returns_every_candidate_once(world: dict) -> None:
    recs = rank(world["profile"], world["pvecs"], world["cands"], world["cvecs"], top=0)
    ids = [r.paper.id for r in recs]
    assert len(ids) == len(set(ids)) == len(world["cands"])
    assert [r.rank for r in recs] == list(range(1, len(ids) + 1))


def test_excludes_profile_rated_and_duplicates(world: dict) -> None:
    cands = [*world["cands"], world["profile"][0], world["cands"][0]]
    cvecs = np.vstack([world["cvecs"], world["pvecs"][:1], world["cvecs"][:1]])
    recs = rank(world["profile"], world["pvecs"], cands, cvecs, top=0, exclude={"cgraph1"})
    ids = [r.paper.id for r in recs]
    assert "p0" not in ids and "cgraph1" not in ids
    assert ids.count("cgraph0") == 1


def test_negatives_push_similar_papers_down(world: dict) -> None:
    # A downvoted paper that is a near copy of candidate "coptim3": that candidate and its
    # topic drop.
    i = next(i for i, p in enumerate(world["cands"]) if p.id == "coptim3")
    neg = world["cands"][i].with_(id="n0")
    nvec = world["cvecs"][i : i + 1]
    args = (world["profile"], world["pvecs"], world["cands"], world["cvecs"])
    plain = RankParams(diversity=0.0, interest_penalty=0.0)
    base = rank(*args, top=0, params=plain)
    after = rank(*args, negatives=[neg], negative_vecs=nvec, top=0, params=plain)
    pos = lambda recs: [r.paper.id for r in recs].index("coptim3")  # noqa: E731
    assert pos(after) > pos(base)
    optim_in_top10 = lambda recs: sum(r.paper.id.startswith("coptim") for r in recs[:10])  # noqa: E731
    assert optim_in_top10(after) < optim_in_top10(base)


def test_recency_breaks_ties_towards_newer(world: dict) -> None:
    make = world["make"]
    old, v_old = make("old", "graph", noise=0.0, date="2025-01-01")
    new = old.with_(id="new", date="2026-01-01", title="graph new")
    recs = rank(
        world["profile"],
        world["pvecs"],
        [old, new],
        np.stack([v_old, v_old]).astype(np.float32),
        top=0,
        params=RankParams(diversity=0.0, interest_penalty=0.0),
    )
    assert recs[0].paper.id == "new"


def test_empty_profile_is_a_clear_error(world: dict) -> None:
    with pytest.raises(ValueError, match="no profile papers"):
        rank([], np.zeros((0, DIM)), world["cands"], world["cvecs"])


def test_recency_weights() -> None:
    w = recency([parse_date(d) for d in ("2026-01-31", "2026-01-01", None, "bad")], 30)
    assert w[0] == pytest.approx(1.0)
    assert w[1] == pytest.approx(0.5)
    assert w[2] == 0 and w[3] == 0


def test_cluster_interests_finds_the_groups() -> None:
    rng = np.random.default_rng(1)
    a, b = _unit(rng.normal(size=DIM)), _unit(rng.normal(size=DIM))
    vecs = np.stack([_unit(x + 0.1 * rng.normal(size=DIM)) for x in (a, a, b, a, b)])
    labels = cluster_interests(vecs)
    assert list(labels) == [0, 0, 1, 0, 1]


def test_mmr_prefers_novel_items() -> None:
    vecs = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    scores = np.array([1.0, 0.99, 0.9])
    assert list(mmr_order(scores, vecs, k=2, diversity=0.0)) == [0, 1]
    assert list(mmr_order(scores, vecs, k=2, diversity=0.5)) == [0, 2]


def test_bm25_prefers_rare_shared_terms() -> None:
    docs = [features(t) for t in ["graph transformer", "graph network", "speech network"]]
    index = build_index(docs)
    pool = pool_from_index([Paper(str(i)) for i in range(3)], np.zeros((3, 2)), index)
    s = profile_lexical(profile_terms(pool, [features("transformer")]), [0, 1, 2])
    assert s.argmax() == 0 and s[1] == 0 and s[2] == 0
    # "graph" appears in two documents, "speech" in one: the rarer term weighs more.
    assert index.term_weight("speech") > index.term_weight("graph")


def test_tokenize_drops_stopwords_and_folds_plurals() -> None:
    text = "We propose Graph Networks for the theories of $\\mathcal{O}(n)$"
    assert tokenize(text) == ["graph", "network", "theory"]


def test_select_candidates_dedupes_titles() -> None:
    ps = [Paper("a", title="Same Title"), Paper("b", title="same title!"), Paper("c")]
    pool = prepare_candidates(ps, np.zeros((3, 2)))
    assert select_candidates(pool, {"c"}) == [0]
    assert select_candidates(pool, {"a"}) == [1, 2]
