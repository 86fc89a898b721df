"""BM25 over sparse matrices (Robertson & Zaragoza 2009, Lucene's idf). Pure numpy/scipy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
        space: its vocabulary, idf and average length; unknown features are dropped (but
        still count in a document's length)."""
        rows, cols, tf = _term_counts(docs, self.vocab.get)
        doc_len = np.array([len(f) for f in docs], dtype=np.float64)
        return _bm25_weights(
            rows, cols, tf, doc_len, self.avg_len, self.idf, self.k1, self.b, len(self.vocab)
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
    rows, cols, tf = _term_counts(docs, lambda f: vocab.setdefault(f, len(vocab)))
    n_docs = len(docs)
    df = np.bincount(cols, minlength=len(vocab)).astype(np.float64)  # (row, col) pairs are unique
    for feats in background:
        for j in {vocab[f] for f in feats if f in vocab}:
            df[j] += 1
    total = n_docs + len(background)
    idf = np.log1p((total - df + 0.5) / (df + 0.5)).astype(np.float32)
    doc_len = np.bincount(rows, weights=tf, minlength=n_docs)
    avg_len = float(doc_len.mean()) if n_docs else 1.0
    weights = _bm25_weights(rows, cols, tf, doc_len, avg_len, idf, k1, b, len(vocab))
    return LexicalIndex(vocab=vocab, idf=idf, doc_weights=weights, k1=k1, b=b, avg_len=avg_len)


def _term_counts(
    docs: Sequence[Sequence[str]], column: Callable[[str], int | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, count) of every distinct feature of every document, as COO arrays;
    ``column`` maps a feature to its column (None: leave it out)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[int] = []
    for di, feats in enumerate(docs):
        counts: dict[int, int] = {}
        for f in feats:
            j = column(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        rows.extend([di] * len(counts))
        cols.extend(counts.keys())
        vals.extend(counts.values())
    return (
        np.asarray(rows, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.asarray(vals, dtype=np.float64),
    )


def _bm25_weights(
    rows: np.ndarray,
    cols: np.ndarray,
    tf: np.ndarray,
    doc_len: np.ndarray,
    avg_len: float,
    idf: np.ndarray,
    k1: float,
    b: float,
    n_terms: int,
) -> sparse.csr_matrix:
    """``tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl)) · idf`` for each (row, col, tf)."""
    norm = k1 * (1.0 - b + b * doc_len[rows] / max(avg_len, 1e-9))
    w = tf * (k1 + 1.0) / (tf + norm) * idf[cols]
    return sparse.csr_matrix((w.astype(np.float32), (rows, cols)), shape=(len(doc_len), n_terms))
