"""The ranker's small pure steps: signals, fusion, ordering, explanations, dense shortlist."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.models import Paper
from paperfeed.rank import RankParams, prepare_candidates
from paperfeed.rank.diversity import diverse_order
from paperfeed.rank.explain import closest_profile_papers, components, shared_terms
from paperfeed.rank.fusion import (
    classifier_trust,
    dense_evidence,
    relevance,
    weighted_zsum,
    zscore,
)
from paperfeed.rank.lexical import build_index, features
from paperfeed.rank.signals import (
    Signals,
    interest_similarity,
    lexical_pairs,
    negative_similarity,
    profile_lexical,
    profile_terms,
    relevance_signals,
)


def _signals(**arrays: np.ndarray | None) -> Signals:
    n = 3
    base: dict[str, np.ndarray | None] = {
        "dense": np.zeros((n, 1)),
        "dense_max": np.zeros(n),
        "interest": np.zeros(n),
        "lexical_pairs": np.zeros((n, 1)),
        "lexical": np.zeros(n),
        "profile_lexical": np.zeros(n),
        "recency": np.zeros(n),
        "negative": None,
        "classifier": None,
        "lexical_classifier": None,
    }
    base.update(arrays)
    return Signals(**base)  # type: ignore[arg-type]


# --- fusion ------------------------------------------------------------------------------


def test_zscore_of_known_values_and_of_a_constant() -> None:
    assert list(zscore(np.array([1.0, 2.0, 3.0]))) == pytest.approx([-1.224745, 0.0, 1.224745])
    assert list(zscore(np.array([4.0, 4.0, 4.0]))) == [0.0, 0.0, 0.0]


def test_weighted_zsum_adds_weighted_zscores() -> None:
    a = np.array([1.0, 2.0, 3.0])  # z = [-s, 0, s] with s = sqrt(1.5)
    b = np.array([3.0, 2.0, 1.0])  # z = [s, 0, -s]
    s = np.sqrt(1.5)
    assert list(weighted_zsum([(2.0, a), (1.0, b)])) == pytest.approx([-s, 0.0, s])
    assert list(weighted_zsum([(1.0, a), (1.0, b)])) == pytest.approx([0.0, 0.0, 0.0])


def test_classifier_trust_ramps_from_one_profile_paper_to_full() -> None:
    assert classifier_trust(1, 5) == 0.0
    assert classifier_trust(3, 5) == 0.5
    assert classifier_trust(5, 5) == 1.0
    assert classifier_trust(50, 5) == 1.0
    assert classifier_trust(2, 1) == 1.0


def test_dense_evidence_subtracts_the_downvoted_similarity() -> None:
    dense = np.array([0.8, 0.6])
    assert dense_evidence(dense, None, 0.5) is dense
    assert list(dense_evidence(dense, np.array([0.8, 0.0]), 0.5)) == pytest.approx([0.4, 0.6])


def test_relevance_of_known_signals() -> None:
    up = np.array([1.0, 2.0, 3.0])  # z-score [-s, 0, s]
    s = np.sqrt(1.5)
    params = RankParams(
        dense_weight=1.0,
        interest_weight=0.0,
        lexical_weight=0.0,
        profile_lexical_weight=0.0,
        classifier_weight=2.0,
        recency_weight=0.5,
    )
    sig = _signals(dense_max=up, recency=np.array([1.0, 0.0, 0.0]))
    assert list(relevance(sig, 1.0, params)) == pytest.approx([-s + 0.5, 0.0, s])
    # a fitted classifier counts with its weight scaled by the trust in it
    sig = _signals(dense_max=up, recency=np.zeros(3), classifier=up[::-1].copy())
    assert list(relevance(sig, 0.25, params)) == pytest.approx([-s / 2, 0.0, s / 2])


# --- ordering ----------------------------------------------------------------------------


def test_diverse_order_skips_identical_candidates() -> None:
    # Three copies of one paper score highest; two different papers score a bit lower.
    vecs = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    scores = np.array([1.0, 0.99, 0.98, 0.9, 0.85])
    labels = np.zeros(5, dtype=np.int64)
    kw = {"pool_size": 200, "label_penalty": 0.0}
    assert diverse_order(scores, vecs, labels, top=3, diversity=0.0, **kw) == [0, 1, 2]
    assert diverse_order(scores, vecs, labels, top=3, diversity=0.5, **kw) == [0, 3, 4]


def test_diverse_order_spreads_over_interests() -> None:
    vecs = np.eye(4, dtype=np.float32)
    scores = np.array([1.0, 0.95, 0.9, 0.5])
    labels = np.array([0, 0, 0, 1])
    order = diverse_order(
        scores, vecs, labels, top=2, pool_size=200, diversity=0.0, label_penalty=1.0
    )
    assert order == [0, 3]


def test_diverse_order_top_zero_orders_everything_beyond_the_pool_by_score() -> None:
    vecs = np.eye(6, dtype=np.float32)
    scores = np.array([0.1, 0.6, 0.3, 0.9, 0.5, 0.2])
    labels = np.zeros(6, dtype=np.int64)
    order = diverse_order(
        scores, vecs, labels, top=0, pool_size=2, diversity=0.3, label_penalty=0.0
    )
    assert order == [3, 1, 4, 2, 5, 0]
    assert diverse_order(
        scores, vecs, labels, top=3, pool_size=1, diversity=0.0, label_penalty=0.0
    ) == [3, 1, 4]


# --- explanations ------------------------------------------------------------------------


def test_closest_profile_paper_is_the_most_similar_one() -> None:
    dense = np.array([[0.9, 0.2, 0.1], [0.1, 0.3, 0.8], [0.5, 0.45, 0.0]])
    lex = np.zeros_like(dense)
    assert list(closest_profile_papers(dense, lex)) == [0, 2, 0]
    # shared words tip a near tie in meaning
    lex[2] = [0.0, 1.0, 0.0]
    assert list(closest_profile_papers(dense, lex)) == [0, 2, 1]


def test_shared_terms_are_the_rarest_common_ones_as_spelled() -> None:
    cand = "Graph Transformers for molecules"
    index = build_index([features(t) for t in [cand, "graph networks", "graph molecules"]])
    prof = features("molecules with graph transformers")
    # the rare bigram first, in the candidate's word forms; its words are not repeated alone
    assert shared_terms(index, features(cand), prof, cand, 5) == ("graph transformers", "molecules")
    assert shared_terms(index, features(cand), prof, cand, 1) == ("graph transformers",)
    assert shared_terms(index, features(cand), features("speech"), cand, 5) == ()


def test_components_report_unfitted_classifiers_as_zero() -> None:
    sig = _signals(dense_max=np.array([0.5, 0.25, 0.0]), classifier=np.array([1.0, 2.0, 3.0]))
    comps = components(sig, 1)
    assert comps["dense"] == 0.25 and comps["classifier"] == 2.0
    assert comps["lexical_classifier"] == 0.0
    assert set(comps) == {
        "dense",
        "interest",
        "lexical",
        "profile_lexical",
        "recency",
        "classifier",
        "lexical_classifier",
    }


# --- signals -----------------------------------------------------------------------------


def test_lexical_signals_scale_each_profile_paper_and_weigh_the_whole_profile() -> None:
    docs = ["graph network", "graph transformer attention", "speech audio", "graph speech"]
    pool = prepare_candidates([Paper(str(i), title=t) for i, t in enumerate(docs)], np.eye(4))
    terms = profile_terms(pool, [features("graph transformer"), features("speech")])
    assert terms.presence.shape == (2, 4)  # graph, transformer, graph transformer, speech
    pairs = lexical_pairs(terms, [0, 1, 2, 3])
    assert pairs.shape == (4, 2)
    assert list(pairs.max(axis=0)) == [1.0, 1.0]  # each profile paper's best candidate is 1
    assert pairs[:, 0].argmax() == 1 and pairs[2, 0] == 0.0
    whole = profile_lexical(terms, [3, 0])
    assert whole[0] > whole[1] > 0  # "graph speech" matches both profile papers


def test_dense_signals_take_the_best_match() -> None:
    cvecs = np.array([[1, 0], [0, 1]], dtype=np.float32)
    pvecs = np.array([[1, 0], [0.6, 0.8]], dtype=np.float32)
    labels = np.array([0, 1])
    assert list(interest_similarity(cvecs, pvecs, labels)) == pytest.approx([1.0, 0.8])
    assert list(negative_similarity(cvecs, pvecs[1:])) == pytest.approx([0.6, 0.8])


def test_relevance_signals_fit_classifiers_only_when_trusted() -> None:
    papers = [
        Paper(f"c{i}", title=t, date="2026-01-0" + str(i + 1))
        for i, t in enumerate(["graph network", "speech audio", "graph attention"])
    ]
    cvecs = np.array([[1, 0], [0, 1], [0.8, 0.6]], dtype=np.float32)
    pool = prepare_candidates(papers, cvecs)
    pvecs = np.array([[1, 0]], dtype=np.float32)
    args = (
        pool,
        [0, 1, 2],
        cvecs,
        pvecs,
        np.zeros(1, dtype=np.int64),
        [features("graph")],
    )
    neg = [Paper("n", title="speech")]
    sig = relevance_signals(*args, neg, None, trust=0.0)
    assert sig.classifier is None and sig.lexical_classifier is None
    assert sig.negative is None  # downvotes without vectors do not touch the dense evidence
    assert list(sig.dense_max) == pytest.approx([1.0, 0.0, 0.8])
    assert sig.recency[2] == 1.0 and sig.recency[0] < sig.recency[1] < 1.0
    sig = relevance_signals(*args, neg, cvecs[1:2], trust=1.0)
    assert list(sig.negative) == pytest.approx([0.0, 1.0, 0.6])
    assert sig.classifier is None  # off by default: only fitted when it has a weight
    assert sig.lexical_classifier is not None and sig.lexical_classifier.argmin() == 1
    both = RankParams(classifier_weight=0.5)
    sig = relevance_signals(*args, neg, cvecs[1:2], trust=1.0, params=both)
    assert sig.classifier is not None and sig.classifier.argmin() == 1


# --- dense shortlist ---------------------------------------------------------------------


def test_profile_ages_halve_per_half_life_from_the_newest_paper() -> None:
    from datetime import date

    from paperfeed.rank.signals import profile_ages

    days = [date(2025, 1, 1), date(2024, 7, 5), None, date(2024, 1, 2)]
    w = profile_ages(days, 180.0)
    assert w is not None
    assert w[0] == 1.0 and w[2] == 1.0  # the newest, and an undated paper
    assert abs(w[1] - 0.5) < 0.01 and abs(w[3] - 0.5 ** (365 / 180)) < 0.01
    assert profile_ages(days, 0.0) is None  # off
    assert profile_ages([None, None], 30.0) is None  # nothing dated: all alike
