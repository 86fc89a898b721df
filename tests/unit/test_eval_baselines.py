"""Baseline rankers on tiny synthetic data whose right answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from paperfeed.evaluation import baselines as bl

pytest.importorskip("sklearn")

DOCS = [
    "graph neural network message passing",
    "speech recognition acoustic model",
    "graph graph graph coloring",
    "image segmentation pixel",
]


def _tok(texts: list[str]) -> list[list[str]]:
    return [bl.bm25_tokenize(t) for t in texts]


def test_bm25_tokenize_lowercases_and_drops_stop_words() -> None:
    stop = bl.english_stop_words()
    assert bl.bm25_tokenize("The Graph of 2 GNNs", stop) == ["graph", "gnns"]


def test_bm25_hand_computed_value() -> None:
    docs = [["a", "b"], ["b", "c", "c"]]
    s = bl.bm25_scores(docs, [["c"]], k1=1.2, b=0.75)
    idf = math.log1p((2 - 1 + 0.5) / (1 + 0.5))
    avgdl = 2.5
    tf, dl = 2, 3
    expect = idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl))
    assert s.shape == (2, 1)
    assert s[0, 0] == 0.0
    assert s[1, 0] == pytest.approx(expect)


def test_bm25_ranks_matching_documents_first_and_saturates_tf() -> None:
    s = bl.bm25_scores(_tok(DOCS), _tok(["graph network"]))[:, 0]
    assert bl.order_by(s)[0] == 0  # both terms beat one term repeated
    assert s[2] > 0 and s[1] == 0 and s[3] == 0


def test_bm25_query_term_frequency_switch() -> None:
    docs = _tok(DOCS)
    twice = bl.bm25_scores(docs, [["graph", "graph"]])[:, 0]
    once = bl.bm25_scores(docs, [["graph"]])[:, 0]
    assert twice == pytest.approx(2 * once)
    assert bl.bm25_scores(docs, [["graph", "graph"]], query_tf=False)[:, 0] == pytest.approx(once)


def test_bm25_empty_inputs() -> None:
    assert bl.bm25_scores([], [["a"]]).shape == (0, 1)
    assert bl.bm25_scores([["a"]], [["zzz"]])[0, 0] == 0.0


def test_tfidf_cosine_prefers_the_same_topic() -> None:
    s = bl.tfidf_cosine_scores(["acoustic model of speech recognition"], DOCS, DOCS)[:, 0]
    assert bl.order_by(s)[0] == 1
    assert s[1] == pytest.approx(1.0)


def _topic_texts(rng: np.random.Generator, n_topics: int = 12, per: int = 10) -> list[str]:
    vocab = {t: [f"t{t}w{i}" for i in range(8)] for t in range(n_topics)}
    return [" ".join(rng.choice(vocab[t], size=12)) for t in range(n_topics) for _ in range(per)]


def test_arxiv_sanity_svm_finds_the_profile_topic() -> None:
    rng = np.random.default_rng(0)
    corpus = _topic_texts(rng)  # topic t: docs 10t .. 10t+9
    vec = bl.arxiv_sanity_vectorizer()
    x = vec.fit_transform(corpus)
    assert x.shape[0] == len(corpus)
    positives = x[0:5]  # topic 0
    candidates = x[5:]  # rest of topic 0 first, then the other topics
    s = bl.svm_scores(positives, candidates)
    top = bl.order_by(s)[:5]
    assert sorted(top) == [0, 1, 2, 3, 4]


def test_time_decay_weights() -> None:
    w = bl.time_decay_weights(3)
    raw = np.array([1.0, 1 / (1 + math.log10(2)), 1 / (1 + math.log10(3))])
    assert w == pytest.approx(raw / raw.sum())
    assert bl.time_decay_weights(0).shape == (0,)


def test_zotero_scores_weigh_the_newest_paper_most() -> None:
    e = np.eye(3)
    profile_newest_first = e[[0, 1]]
    cands = e[[1, 0, 2]]  # like the older paper, like the newest, like neither
    s = bl.zotero_scores(profile_newest_first, cands)
    assert bl.order_by(s) == [1, 0, 2]
    assert s.sum() == pytest.approx(1.0)  # cosines 1 weighted by weights summing to 1


def test_max_sim_scores() -> None:
    e = np.eye(3)
    assert bl.max_sim_scores(e[[0, 1]], e[[2, 1]]) == pytest.approx([0.0, 1.0])


def test_logreg_scores_separate_positives_from_negatives() -> None:
    rng = np.random.default_rng(1)
    axis = np.zeros(8)
    axis[0] = 1
    pos = axis + 0.1 * rng.normal(size=(10, 8))
    neg = -axis + 0.1 * rng.normal(size=(40, 8))
    cands = np.vstack([-axis, axis])
    assert bl.order_by(bl.logreg_scores(pos, neg, cands)) == [1, 0]


def test_rrf_hand_computed() -> None:
    a = np.array([3.0, 2.0, 1.0])  # ranks 1, 2, 3
    b = np.array([1.0, 3.0, 2.0])  # ranks 3, 1, 2
    s = bl.rrf_scores([a, b], k=60)
    assert s == pytest.approx([1 / 61 + 1 / 63, 1 / 62 + 1 / 61, 1 / 63 + 1 / 62])
    assert bl.order_by(s) == [1, 0, 2]
    with pytest.raises(ValueError):
        bl.rrf_scores([])


def test_ranks_and_order_break_ties_by_position() -> None:
    s = np.array([1.0, 2.0, 2.0, 0.0])
    assert bl.order_by(s) == [1, 2, 0, 3]
    assert list(bl.ranks_of(s)) == [3, 1, 2, 4]


def test_bm25s_tokenizer_and_defaults() -> None:
    """bm25s.tokenize(stopwords="en"): two or more word characters (digits and
    underscores too), lowercased, Lucene's 33 English stop words out; k1 1.5, b 0.75."""
    assert bl.bm25s_tokenize("The 3D_Graph of GNNs: a b2 x") == ["3d_graph", "gnns", "b2"]
    assert len(bl.BM25S_STOP_WORDS) == 33 and "with" in bl.BM25S_STOP_WORDS
    assert (bl.BM25S_K1, bl.BM25S_B) == (1.5, 0.75)


def test_bm25_agrees_with_bm25s() -> None:
    """The same scores as bm25s (method "lucene") up to its constant factor k1 + 1."""
    import bm25s

    corpus = [*DOCS, "graph attention for speech", "pixel graph"]
    query = "graph speech pixel graph"
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False))
    want = retriever.get_scores(bm25s.tokenize([query], stopwords="en", return_ids=False)[0])
    got = bl.bm25_scores(
        [bl.bm25s_tokenize(t) for t in corpus],
        [bl.bm25s_tokenize(query)],
        k1=bl.BM25S_K1,
        b=bl.BM25S_B,
    )[:, 0]
    assert got == pytest.approx(want * (bl.BM25S_K1 + 1), rel=1e-5)


def test_two_term_fusion_is_the_sum_of_z_scores() -> None:
    lexical = np.array([0.0, 2.0, 4.0, 6.0])
    dense = np.array([0.4, 0.1, 0.1, 0.2])
    got = bl.two_term_scores(lexical, dense)
    z = lambda x: (x - x.mean()) / x.std()  # noqa: E731
    assert got == pytest.approx(z(lexical) + z(dense))
    assert bl.order_by(got) == [3, 0, 2, 1]  # the dense best (0) passes a lexical middle (2)
    # a constant signal adds nothing
    assert bl.two_term_scores(lexical, np.ones(4)) == pytest.approx(z(lexical))
