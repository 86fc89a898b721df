"""The rankers of the author-history benchmark over one window: paperfeed (with its default
settings, and any named variant of them) and the re-implemented baselines, all on one
shared preparation of the window (vectors, tf-idf, BM25 indexes, candidate pools)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from paperfeed.evaluation import baselines
from paperfeed.evaluation.harness import PAPERFEED, paperfeed_orders
from paperfeed.models import Paper
from paperfeed.rank import CandidatePool, RankParams, prepare_candidates

TWO_TERM = "two-term-fusion"
METHODS: dict[str, str] = {
    PAPERFEED: "paperfeed's ranker (paperfeed.rank.rank, default RankParams)",
    "arxiv-sanity-lite": "tf-idf (1-2-grams, 20k, sublinear) + LinearSVC(C=0.01, balanced)",
    "zotero-arxiv-daily": "MiniLM cosine to each profile paper, 1/(1+log10(r+1)) weights",
    "scholar-inbox": "logistic regression on MiniLM embeddings vs random corpus papers",
    "bm25": "BM25, the whole profile as one query",
    "minilm-maxsim": "best MiniLM cosine to any profile paper",
    "rrf(bm25,svm,maxsim)": "reciprocal rank fusion (k=60) of bm25, arxiv-sanity-lite, maxsim",
    TWO_TERM: "z(BM25, bm25s defaults, the last 10 profile papers as one query) + z(max-sim)",
}
"""Every method a window can run; paperfeed variants come on top (``rankers``)."""
ANCHORS: tuple[str, ...] = (
    "arxiv-sanity-lite",
    "zotero-arxiv-daily",
    "scholar-inbox",
    "bm25",
    "minilm-maxsim",
)
"""The re-implementations of other recommenders and the single-signal rankers: the "best
anchor" of a window is the best of these (the two fusions are not anchors)."""
TWO_TERM_QUERY = 10
"""The two-term fusion's BM25 query: the library's newest papers, concatenated."""


def sanity_text(p: Paper) -> str:
    """arxiv-sanity-lite's document: title and abstract joined by a space (its author
    names are left out here, as for every ranker)."""
    return " ".join([p.title, p.abstract])


@dataclass
class Prepared:
    """Everything the methods share for one window: candidates, vectors, fitted features."""

    papers: Mapping[str, Paper]
    cand: list[Paper]
    cvecs: np.ndarray
    vec: dict[str, np.ndarray]
    """Vector of every profile paper, candidate and random negative, by id."""
    neg_ids: list[str]
    positions: dict[str, int]
    rankers: dict[str, RankParams]
    """paperfeed's settings by method name (:data:`PAPERFEED` and any variants)."""
    pools: dict[bool, CandidatePool]
    """The candidate pool by ``use_bigrams`` (a variant without bigrams needs its own)."""
    tfidf: Any
    x_cand: Any
    bm25: baselines.BM25Docs
    bm25s: baselines.BM25Docs
    tokens: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """Token lists of library papers by (tokenizer, id), made once."""


def _needs_tfidf(methods: Collection[str]) -> bool:
    return bool({"arxiv-sanity-lite", "rrf(bm25,svm,maxsim)"} & set(methods))


def prepare(
    papers: Mapping[str, Paper],
    candidates: Sequence[str],
    library_ids: Collection[str],
    embed: Callable[[Sequence[Paper]], np.ndarray],
    tfidf_texts: Sequence[str],
    negatives: Sequence[str],
    rankers: Mapping[str, RankParams],
    methods: Collection[str] = METHODS,
) -> Prepared:
    """The shared preparation of a window whose feed is ``candidates`` for users whose
    libraries hold ``library_ids``; the tf-idf (fit on ``tfidf_texts``) and the random
    ``negatives`` only when a method of ``methods`` uses them."""
    cand = [papers[i] for i in candidates]
    neg_ids = list(negatives) if "scholar-inbox" in methods else []
    ids = list(dict.fromkeys([*candidates, *library_ids, *neg_ids]))
    vec = dict(zip(ids, embed([papers[i] for i in ids]), strict=True))
    cvecs = np.stack([vec[p.id] for p in cand]) if cand else np.zeros((0, 1), np.float32)
    tfidf = x_cand = None
    if _needs_tfidf(methods):
        tfidf = baselines.arxiv_sanity_vectorizer()
        tfidf.fit(tfidf_texts)
        x_cand = tfidf.transform([sanity_text(p) for p in cand])
    pools = {}
    for params in rankers.values():
        if params.use_bigrams not in pools:
            pools[params.use_bigrams] = prepare_candidates(cand, cvecs, params)
    stop = baselines.english_stop_words()
    return Prepared(
        papers=papers,
        cand=cand,
        cvecs=cvecs,
        vec=vec,
        neg_ids=neg_ids,
        positions={p.id: i for i, p in enumerate(cand)},
        rankers=dict(rankers),
        pools=pools,
        tfidf=tfidf,
        x_cand=x_cand,
        bm25=baselines.bm25_docs([baselines.bm25_tokenize(p.text, stop) for p in cand]),
        bm25s=baselines.bm25_docs(
            [baselines.bm25s_tokenize(p.text) for p in cand],
            k1=baselines.BM25S_K1,
            b=baselines.BM25S_B,
        ),
    )


def _tokens(prep: Prepared, kind: str, pid: str) -> list[str]:
    """The ``kind`` ("bm25" or "bm25s") tokens of paper ``pid``, made once."""
    key = (kind, pid)
    if key not in prep.tokens:
        text = prep.papers[pid].text
        prep.tokens[key] = (
            baselines.bm25s_tokenize(text)
            if kind == "bm25s"
            else baselines.bm25_tokenize(text, baselines.english_stop_words())
        )
    return prep.tokens[key]


def orders(
    prep: Prepared,
    profile_ids: Sequence[str],
    ups: Sequence[str],
    downs: Sequence[str],
    methods: Collection[str],
) -> dict[str, list[int]]:
    """The candidate order of each of ``methods`` (a baseline of :data:`METHODS` or a
    ranker of ``prep.rankers``) for a user whose library is ``profile_ids`` (oldest
    first) and who has rated ``ups`` (appended to the library, as each anchor does with a
    paper one keeps) and ``downs`` (used by the methods that learn from negatives:
    paperfeed and Scholar Inbox's classifier; the others have no notion of a downvote)."""
    papers = prep.papers
    lib = [*profile_ids, *ups]
    pv = np.stack([prep.vec[i] for i in lib])
    dv = np.stack([prep.vec[i] for i in downs]) if downs else None
    scorers = _scorers(prep, lib, pv, dv)
    rankers = {m: prep.rankers[m] for m in methods if m in prep.rankers}
    out: dict[str, list[int]] = {}
    if rankers:
        out = paperfeed_orders(
            [papers[i] for i in lib],
            pv,
            prep.pools,
            rankers,
            negatives=[papers[i] for i in downs],
            negative_vecs=dv,
        )
    for m in methods:
        if m not in rankers:
            out[m] = baselines.order_by(scorers[m]())
    return {m: out[m] for m in methods}


def _scorers(
    prep: Prepared, lib: Sequence[str], pv: np.ndarray, dv: np.ndarray | None
) -> dict[str, Callable[[], np.ndarray]]:
    """Each baseline's scores of the candidates for the library ``lib`` (vectors ``pv``,
    downvotes' vectors ``dv``), computed on first use and shared by the fusions."""
    cache: dict[str, np.ndarray] = {}

    def once(name: str, fn: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
        def get() -> np.ndarray:
            if name not in cache:
                cache[name] = fn()
            return cache[name]

        return get

    def svm() -> np.ndarray:
        x_lib = prep.tfidf.transform([sanity_text(prep.papers[i]) for i in lib])
        return baselines.svm_scores(x_lib, prep.x_cand)

    def bm25() -> np.ndarray:
        return prep.bm25.scores([[t for i in lib for t in _tokens(prep, "bm25", i)]])[:, 0]

    def bm25s() -> np.ndarray:
        query = [t for i in lib[-TWO_TERM_QUERY:] for t in _tokens(prep, "bm25s", i)]
        return prep.bm25s.scores([query])[:, 0]

    def logreg() -> np.ndarray:
        own = set(lib)
        rand = np.stack([prep.vec[i] for i in prep.neg_ids if i not in own])
        negs = rand if dv is None else np.vstack([dv, rand])
        return baselines.logreg_scores(pv, negs, prep.cvecs)

    svm_, bm25_ = once("svm", svm), once("bm25", bm25)
    maxsim = once("maxsim", lambda: baselines.max_sim_scores(pv, prep.cvecs))
    return {
        "arxiv-sanity-lite": svm_,
        "zotero-arxiv-daily": lambda: baselines.zotero_scores(pv[::-1], prep.cvecs),
        "scholar-inbox": logreg,
        "bm25": bm25_,
        "minilm-maxsim": maxsim,
        "rrf(bm25,svm,maxsim)": lambda: baselines.rrf_scores([bm25_(), svm_(), maxsim()]),
        TWO_TERM: lambda: baselines.two_term_scores(bm25s(), maxsim()),
    }
