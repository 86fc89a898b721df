"""Hybrid search (:mod:`paperfeed.services.search`): reciprocal-rank fusion, the keyword
list's relaxation, the explanation of the papers returned, over an in-memory store and the
hashing embedder (texts sharing words are close)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from paperfeed.embed.base import HashingEmbedder
from paperfeed.models import Paper
from paperfeed.rank.explain import query_terms
from paperfeed.rank.lexical import features
from paperfeed.services.search import RRF_K, hybrid_search, keyword_hits, rrf
from paperfeed.store import SQLiteStore

TOPICS = {
    "graph": "Graph neural networks pass messages between atoms of molecules.",
    "vision": "Vision transformers split images into patches of pixels.",
    "speech": "Speech recognition transcribes audio with acoustic models.",
    "robot": "Robot manipulation policies learn grasping from tactile sensing.",
}


def test_rrf_sums_reciprocal_ranks_over_the_lists() -> None:
    fused = rrf([["a", "b", "c"], ["c", "a"]], k=10)
    assert fused == pytest.approx({"a": 1 / 11 + 1 / 12, "b": 1 / 12, "c": 1 / 13 + 1 / 11})
    assert list(fused) == ["a", "b", "c"]  # first met first
    assert rrf([]) == {} and rrf([[], ["x"]]) == {"x": 1 / (RRF_K + 1)}


def test_query_terms_are_the_query_words_a_text_has_as_it_spells_them() -> None:
    text = "Graph Neural Networks for Molecules: message passing on molecular graphs."
    assert query_terms(features("graph neural networks molecules"), text, 5) == (
        "graph neural",
        "neural networks",
        "networks molecules",  # "for" is no word of either: the pair is adjacent
    )
    assert query_terms(features("networks of graphs"), text, 1) == ("networks",)
    assert query_terms(features("protein folding"), text, 5) == ()


@pytest.fixture
def store() -> Iterator[SQLiteStore]:
    """60 papers, 15 per topic, each with the topic's sentence and its own number; their
    hashing-64 vectors; the index threshold low enough that the ANN index answers."""
    embedder = HashingEmbedder(64)
    papers = [
        Paper(
            id=f"{topic}-{i}",
            title=f"{topic.title()} study number {i}",
            abstract=f"{sentence} Variant {i} of the method.",
            date="2026-01-10",
        )
        for topic, sentence in TOPICS.items()
        for i in range(15)
    ]
    with SQLiteStore(":memory:", ann_threshold=10) as s:
        s.upsert_papers(papers, "test")
        vecs = embedder.embed([p.text for p in papers])
        s.put_embeddings(
            embedder.name, [(p.content_hash, v) for p, v in zip(papers, vecs, strict=True)]
        )
        yield s


def test_search_fuses_keywords_and_meaning_and_explains_the_results(store: SQLiteStore) -> None:
    embedder = HashingEmbedder(64)
    recs = hybrid_search(store, embedder, "tactile grasping robot", top=10)
    assert [r.rank for r in recs] == list(range(1, 11))
    assert all(r.paper.id.startswith("robot-") for r in recs)
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1
    best = recs[0]
    assert best.explanation.kind == "query"
    assert best.explanation.closest_id == "query:tactile grasping robot"
    assert set(best.explanation.shared_terms) >= {"tactile", "grasping"}
    qvec = embedder.embed(["tactile grasping robot"])[0]
    vec = store.get_embeddings(embedder.name, [best.paper.content_hash])[best.paper.content_hash]
    assert best.explanation.similarity == pytest.approx(float(vec @ qvec), abs=1e-5)
    assert best.components["keyword_rank"] >= 1 and best.components["semantic_rank"] >= 1
    assert best.components["relevance"] == best.score


def test_a_title_finds_its_paper_first(store: SQLiteStore) -> None:
    recs = hybrid_search(store, HashingEmbedder(64), "Vision study number 7", top=5)
    assert recs[0].paper.id == "vision-7"


def test_an_empty_store_finds_nothing() -> None:
    with SQLiteStore(":memory:") as empty:
        assert hybrid_search(empty, HashingEmbedder(64), "anything", top=5) == []


def test_top_zero_gives_every_paper_of_both_lists(store: SQLiteStore) -> None:
    recs = hybrid_search(store, HashingEmbedder(64), "speech audio", top=0, depth=20)
    assert 20 <= len(recs) <= 40
    assert len({r.paper.id for r in recs}) == len(recs)


def test_keywords_relax_to_all_but_some_words_while_too_few_have_all(
    store: SQLiteStore,
) -> None:
    # no paper has all four words; three of four: the graph papers (graph, atoms, molecules)
    hits = keyword_hits(store, "graph atoms molecules pixels", limit=50, enough=5)
    assert {pid.split("-")[0] for pid, _ in hits} == {"graph"} and len(hits) == 15
    # two words: both are needed, even when no paper has them (no any-word match)
    assert keyword_hits(store, "graph pixels", limit=50, enough=5) == []
    # enough papers with every word: no relaxation
    assert len(keyword_hits(store, "speech audio", limit=50, enough=5)) == 15
    assert np.all(np.diff([s for _, s in keyword_hits(store, "robot", 50, 5)]) <= 0)
