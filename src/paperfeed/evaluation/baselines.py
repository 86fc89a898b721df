"""Reference rankers the benchmarks compare paperfeed with. Pure functions over texts and
arrays; each returns one score per candidate (higher is better).

scikit-learn is needed by the tf-idf, SVM and logistic-regression baselines only (the ``eval``
extra of paperfeed, which ``make install`` installs) and is imported when one of them runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from paperfeed.rank.fusion import zscore

_WORD = re.compile(r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b")


class MissingExtra(ValueError):
    """An optional dependency is not installed (a user error: one line naming the extra)."""


def _sklearn() -> Any:
    try:
        import sklearn
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise MissingExtra("the baselines need scikit-learn: pip install 'paperfeed[eval]'") from e
    return sklearn


def english_stop_words() -> frozenset[str]:
    _sklearn()
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def bm25_tokenize(text: str, stop_words: frozenset[str] = frozenset()) -> list[str]:
    """Lowercased word tokens (letters first, as scikit-learn's pattern), minus ``stop_words``."""
    return [t for t in _WORD.findall(text.lower()) if t not in stop_words]


BM25S_STOP_WORDS: frozenset[str] = frozenset(
    """a an and are as at be but by for if in into is it no not of on or such that the their
    then there these they this to was will with""".split()  # noqa: SIM905
)
"""bm25s's ``stopwords="en"`` (``bm25s/stopwords.py`` ``STOPWORDS_EN``, Lucene's English list)."""
BM25S_K1 = 1.5
BM25S_B = 0.75
"""bm25s's defaults (``BM25(k1=1.5, b=0.75, method="lucene")``)."""
_BM25S_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def bm25s_tokenize(text: str) -> list[str]:
    """``bm25s.tokenize(text, lower=True, stopwords="en")``'s tokens: its default pattern
    (two or more word characters), lowercased, minus :data:`BM25S_STOP_WORDS`."""
    return [t for t in _BM25S_TOKEN.findall(text.lower()) if t not in BM25S_STOP_WORDS]


@dataclass(frozen=True, slots=True)
class BM25Docs:
    """BM25 term weights of a tokenized collection, built once and queried many times."""

    vocab: dict[str, int]
    weights: sparse.csr_matrix  # (n_docs, V)

    def scores(self, queries: Sequence[Sequence[str]], *, query_tf: bool = True) -> np.ndarray:
        """``(n_docs, len(queries))`` BM25 scores. ``qtf`` is the term's count in the query
        (``query_tf=True``, as ``rank_bm25`` scores a token list) or 1."""
        n_docs = self.weights.shape[0]
        if n_docs == 0 or not self.vocab:
            return np.zeros((n_docs, len(queries)))
        q_rows: list[int] = []
        q_cols: list[int] = []
        for j, toks in enumerate(queries):
            terms = [self.vocab[t] for t in toks if t in self.vocab]
            if not query_tf:
                terms = sorted(set(terms))
            q_rows.extend([j] * len(terms))
            q_cols.extend(terms)
        q = sparse.csr_matrix(
            (np.ones(len(q_rows)), (q_rows, q_cols)), shape=(len(queries), len(self.vocab))
        )
        return np.asarray((self.weights @ q.T).todense())


def bm25_docs(docs: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> BM25Docs:
    """Okapi BM25 term weights of token lists:
    ``w(t, d) = idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl))`` with Lucene's
    ``idf = ln(1 + (N − df + 0.5)/(df + 0.5))`` (Robertson & Zaragoza, "The Probabilistic
    Relevance Framework: BM25 and Beyond", 2009); a query scores ``Σ_{t ∈ q} qtf · w(t, d)``.
    """
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, toks in enumerate(docs):
        for t in toks:
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
    n_docs = len(docs)
    if n_docs == 0 or not vocab:
        return BM25Docs(vocab, sparse.csr_matrix((n_docs, len(vocab))))
    tf = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n_docs, len(vocab))
    )  # duplicates are summed
    tf.sum_duplicates()
    df = np.bincount(tf.indices, minlength=len(vocab)).astype(np.float64)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    doc_len = np.asarray(tf.sum(axis=1)).ravel()
    avgdl = float(doc_len.mean()) or 1.0
    coo = tf.tocoo()
    norm = k1 * (1.0 - b + b * doc_len[coo.row] / avgdl)
    w = coo.data * (k1 + 1.0) / (coo.data + norm) * idf[coo.col]
    return BM25Docs(vocab, sparse.csr_matrix((w, (coo.row, coo.col)), shape=tf.shape))


def bm25_scores(
    docs: Sequence[Sequence[str]],
    queries: Sequence[Sequence[str]],
    *,
    k1: float = 1.2,
    b: float = 0.75,
    query_tf: bool = True,
) -> np.ndarray:
    """``(len(docs), len(queries))`` Okapi BM25 scores of token lists (see :func:`bm25_docs`)."""
    return bm25_docs(docs, k1=k1, b=b).scores(queries, query_tf=query_tf)


def tfidf_cosine_scores(
    query_texts: Sequence[str], doc_texts: Sequence[str], fit_texts: Sequence[str]
) -> np.ndarray:
    """``(len(docs), len(queries))`` cosine of tf-idf vectors (English stop words removed,
    sublinear tf, smoothed idf, L2 norm; Salton & Buckley 1988), idf fit on ``fit_texts``."""
    _sklearn()
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, strip_accents="unicode")
    vec.fit(fit_texts)
    d = vec.transform(doc_texts)
    q = vec.transform(query_texts)
    return np.asarray((d @ q.T).todense())


def arxiv_sanity_vectorizer(max_features: int = 20000) -> Any:
    """The tf-idf features of arxiv-sanity-lite (karpathy, ``compute.py``): word 1–2-grams,
    English stop words, sublinear tf, ``max_df=0.1``, ``min_df=5``, 20k features."""
    _sklearn()
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        input="content",
        encoding="utf-8",
        decode_error="replace",
        strip_accents="unicode",
        lowercase=True,
        analyzer="word",
        stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
        ngram_range=(1, 2),
        max_features=max_features,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=True,
        max_df=0.1,
        min_df=5,
        dtype=np.float32,
    )


def svm_scores(positives: Any, candidates: Any, *, c: float = 0.01) -> np.ndarray:
    """arxiv-sanity-lite's ranker (``serve.py``/``send_emails.py``): a linear SVM with
    positives labelled 1 and every candidate 0 (``LinearSVC(C=0.01,
    class_weight="balanced", max_iter=10000, tol=1e-6)``); candidates ranked by the
    decision function. ``positives``/``candidates``: feature rows (sparse or dense)."""
    _sklearn()
    from sklearn.svm import LinearSVC

    n_pos = positives.shape[0]
    if sparse.issparse(positives) or sparse.issparse(candidates):
        x = sparse.vstack([positives, candidates]).tocsr()
    else:
        x = np.vstack([positives, candidates])
    y = np.zeros(x.shape[0])
    y[:n_pos] = 1.0
    clf = LinearSVC(class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=c)
    clf.fit(x, y)
    return np.asarray(clf.decision_function(x[n_pos:]), dtype=np.float64)


def max_sim_scores(profile_vecs: np.ndarray, cand_vecs: np.ndarray) -> np.ndarray:
    """Best cosine of each candidate to any profile paper (unit-length rows)."""
    return np.asarray(cand_vecs @ np.asarray(profile_vecs).T).max(axis=1).astype(np.float64)


def time_decay_weights(n: int) -> np.ndarray:
    """zotero-arxiv-daily's weights for ``n`` library papers sorted newest first:
    ``1 / (1 + log10(r + 1))`` for ``r = 0, 1, …``, normalized to sum to 1."""
    w = 1.0 / (1.0 + np.log10(np.arange(n) + 1.0))
    return w / w.sum() if n else w


def zotero_scores(profile_vecs_newest_first: np.ndarray, cand_vecs: np.ndarray) -> np.ndarray:
    """zotero-arxiv-daily (TideDra, ``recommender.py``): each candidate's cosine to every
    library paper, averaged with :func:`time_decay_weights` (newest paper weighs most)."""
    sims = np.asarray(cand_vecs @ np.asarray(profile_vecs_newest_first).T, dtype=np.float64)
    return sims @ time_decay_weights(sims.shape[1])


def logreg_scores(
    positives: np.ndarray, negatives: np.ndarray, candidates: np.ndarray, *, c: float = 1.0
) -> np.ndarray:
    """Scholar Inbox style per-user model: logistic regression on embeddings, the user's
    papers positive and random corpus papers negative (classes balanced); candidates
    ranked by the decision function."""
    _sklearn()
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([positives, negatives])
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
    clf.fit(x, y)
    return np.asarray(clf.decision_function(candidates), dtype=np.float64)


def two_term_scores(lexical: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """The two-term fusion: ``z(lexical) + z(dense)``, each z-scored over the candidates as
    paperfeed's ranker does (:func:`paperfeed.rank.fusion.zscore`), nothing else."""
    return zscore(np.asarray(lexical, dtype=np.float64)) + zscore(
        np.asarray(dense, dtype=np.float64)
    )


def ranks_of(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each item under ``scores`` (ties broken by position)."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def rrf_scores(score_lists: Sequence[np.ndarray], k: float = 60.0) -> np.ndarray:
    """Reciprocal rank fusion: ``Σ_m 1 / (k + rank_m(d))`` (Cormack, Clarke & Büttcher,
    SIGIR 2009), each ranking taken from one score array."""
    if not score_lists:
        raise ValueError("nothing to fuse")
    total = np.zeros(len(score_lists[0]))
    for s in score_lists:
        total += 1.0 / (k + ranks_of(s))
    return total


def order_by(scores: np.ndarray) -> list[int]:
    """Candidate indices best first (ties broken by position)."""
    return [int(i) for i in np.argsort(-np.asarray(scores), kind="stable")]
