"""BM25 over sparse matrices (Robertson & Zaragoza 2009, Lucene's idf). Pure numpy/scipy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from paperfeed.rank.terms import bigrams, tokenize


def features(text: str, *, use_bigrams: bool = True) -> list[str]:
    """The lexical features of one text: stemmed unigrams, optionally adjacent-word bigrams."""
    toks = tokenize(text)
    return toks + bigrams(toks) if use_bigrams else toks


@dataclass(frozen=True, slots=True)
class LexicalIndex:
    vocab: dict[str, int]
    idf: np.ndarray  # (V,)
    doc_weights: sparse.csr_matrix  # (N, V) BM25 term weights of the indexed documents
    k1: float = 1.2
    b: float = 0.75
    avg_len: float = 1.0

    def weigh(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """(D, V) BM25 term weights of other documents (e.g. profile papers) in this index's
        space: its vocabulary, idf and average length; unknown features are dropped."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for di, feats in enumerate(docs):
            counts: dict[int, int] = {}
            for f in feats:
                j = self.vocab.get(f)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            norm = self.k1 * (1.0 - self.b + self.b * len(feats) / max(self.avg_len, 1e-9))
            for j, tf in counts.items():
                rows.append(di)
                cols.append(j)
                vals.append(tf * (self.k1 + 1.0) / (tf + norm) * float(self.idf[j]))
        return sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(len(docs), len(self.vocab)),
        )

    def query_matrix(self, queries: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Binary (Q, V) presence matrix of each query's known features."""
        rows, cols = [], []
        for qi, feats in enumerate(queries):
            ids = {self.vocab[f] for f in feats if f in self.vocab}
            rows.extend([qi] * len(ids))
            cols.extend(ids)
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(queries), len(self.vocab)))

    def scores(self, queries: Sequence[Sequence[str]]) -> np.ndarray:
        """(N, Q) BM25 score of every indexed document for every query."""
        if not queries or not self.vocab:
            return np.zeros((self.doc_weights.shape[0], len(queries)), dtype=np.float32)
        q = self.query_matrix(queries)
        return np.asarray((self.doc_weights @ q.T).todense(), dtype=np.float32)

    def term_weight(self, feature: str) -> float:
        i = self.vocab.get(feature)
        return float(self.idf[i]) if i is not None else 0.0


def build_index(
    docs: Sequence[Sequence[str]],
    *,
    k1: float = 1.2,
    b: float = 0.75,
    background: Sequence[Sequence[str]] = (),
) -> LexicalIndex:
    """Index ``docs`` (feature lists). ``background`` documents only add to document frequencies."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for di, feats in enumerate(docs):
        counts: dict[int, int] = {}
        for f in feats:
            j = vocab.setdefault(f, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        rows.extend([di] * len(counts))
        cols.extend(counts.keys())
        vals.extend(counts.values())
    n_docs, n_terms = len(docs), len(vocab)
    tf = sparse.csr_matrix(
        (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(n_docs, n_terms)
    )
    df = np.asarray((tf > 0).sum(axis=0)).ravel().astype(np.float64)
    for feats in background:
        for j in {vocab[f] for f in feats if f in vocab}:
            df[j] += 1
    total = n_docs + len(background)
    idf = np.log1p((total - df + 0.5) / (df + 0.5)).astype(np.float32)
    doc_len = np.asarray(tf.sum(axis=1)).ravel()
    avg_len = float(doc_len.mean()) if n_docs else 1.0
    norm = k1 * (1.0 - b + b * doc_len / max(avg_len, 1e-9))
    tf = tf.tocoo()
    w = tf.data * (k1 + 1.0) / (tf.data + norm[tf.row]) * idf[tf.col]
    weights = sparse.csr_matrix((w.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
    return LexicalIndex(vocab=vocab, idf=idf, doc_weights=weights, k1=k1, b=b, avg_len=avg_len)
