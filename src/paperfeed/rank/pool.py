"""Candidates prepared once for many users: vectors, BM25 index and its column views,
title keys and dates; and which of them to rank for one user."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy import sparse

from paperfeed.ids import title_key
from paperfeed.models import Paper
from paperfeed.rank.lexical import LexicalIndex, build_index, features
from paperfeed.rank.params import DEFAULT_PARAMS, RankParams


@dataclass(frozen=True, slots=True)
class CandidatePool:
    """Everything about a window's candidates that no profile changes, built once and
    ranked for any number of users; per-user work then reads only the profile's terms."""

    papers: Sequence[Paper]
    vectors: np.ndarray  # (N, d) float32 unit rows
    index: LexicalIndex  # BM25 of the candidates
    unit_docs: sparse.csr_matrix  # index.doc_weights, rows scaled to unit length
    title_keys: tuple[str, ...]  # "" for an untitled paper
    dates: tuple[date | None, ...]
    use_bigrams: bool = True
    feats: list[list[str] | None] = field(default_factory=list)
    """Each candidate's lexical features, worked out on first use when not given."""

    def features(self, i: int) -> list[str]:
        """The lexical features of candidate ``i`` (computed once, then kept)."""
        got = self.feats[i]
        if got is None:
            got = self.feats[i] = features(self.papers[i].text, use_bigrams=self.use_bigrams)
        return got


def prepare_candidates(
    papers: Sequence[Paper], vectors: np.ndarray, params: RankParams = DEFAULT_PARAMS
) -> CandidatePool:
    """A :class:`CandidatePool` of ``papers`` and their aligned unit ``vectors``, so the
    lexical work is done once however many users are ranked against it."""
    feats = [features(p.text, use_bigrams=params.use_bigrams) for p in papers]
    return pool_from_index(papers, vectors, build_index(feats), params, list(feats))


def as_pool(
    candidates: CandidatePool | Sequence[Paper],
    vectors: np.ndarray | None,
    params: RankParams = DEFAULT_PARAMS,
) -> CandidatePool:
    """``candidates`` as a pool: as given, or prepared from papers and their ``vectors``."""
    if isinstance(candidates, CandidatePool):
        return candidates
    if vectors is None:
        raise ValueError("candidate vectors are missing")
    return prepare_candidates(candidates, vectors, params)


def pool_from_index(
    papers: Sequence[Paper],
    vectors: np.ndarray,
    index: LexicalIndex,
    params: RankParams = DEFAULT_PARAMS,
    feats: list[list[str] | None] | None = None,
) -> CandidatePool:
    """A :class:`CandidatePool` around an index already built over ``papers`` (e.g. read
    back from a cache); features not given are worked out when an explanation needs them."""
    if len(vectors) != len(papers):
        raise ValueError("vectors and papers are not aligned")
    if index.doc_weights.shape[0] != len(papers):
        raise ValueError("the lexical index and papers are not aligned")
    return CandidatePool(
        papers=papers,
        vectors=np.asarray(vectors, dtype=np.float32),
        index=index,
        unit_docs=unit_rows(index.doc_weights),
        title_keys=tuple(title_key(p.title) if p.title else "" for p in papers),
        dates=tuple(parse_date(p.date) for p in papers),
        use_bigrams=params.use_bigrams,
        feats=feats if feats is not None else [None] * len(papers),
    )


def unit_rows(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit L2 norm (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x


def parse_date(s: str | None) -> date | None:
    """The day of an ISO date or timestamp; None when missing or unreadable."""
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def select_candidates(pool: CandidatePool, exclude: Collection[str]) -> list[int]:
    """Indices of the pool's candidates to rank: not excluded, and no duplicate id or title."""
    seen_ids: set[str] = set(exclude)
    seen_titles: set[str] = set()
    keep = []
    for i, (p, key) in enumerate(zip(pool.papers, pool.title_keys, strict=True)):
        if p.id in seen_ids or (key and key in seen_titles):
            continue
        seen_ids.add(p.id)
        if key:
            seen_titles.add(key)
        keep.append(i)
    return keep


POOL_FORMAT = 1
"""Version of :func:`pool_arrays`' layout; a cache keyed by it never reads an older one."""


def pool_arrays(pool: CandidatePool) -> dict[str, np.ndarray]:
    """The pool's lexical index as plain arrays (no pickled objects), to cache; vectors,
    papers and what is quick to derive from them are left out."""
    index = pool.index
    terms = sorted(index.vocab, key=index.vocab.__getitem__)
    weights = index.doc_weights
    return {
        "format": np.array([POOL_FORMAT], dtype=np.int64),
        "terms": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        "n_terms": np.array([len(terms)], dtype=np.int64),
        "idf": index.idf,
        "data": weights.data,
        "indices": weights.indices,
        "indptr": weights.indptr,
        "bm25": np.array([index.k1, index.b, index.avg_len], dtype=np.float64),
    }


def pool_from_arrays(
    papers: Sequence[Paper],
    vectors: np.ndarray,
    arrays: Mapping[str, np.ndarray],
    params: RankParams = DEFAULT_PARAMS,
) -> CandidatePool:
    """The pool :func:`pool_arrays` saved, around the same ``papers`` and their ``vectors``;
    the same rankings as the pool it was saved from."""
    if int(arrays["format"][0]) != POOL_FORMAT:
        raise ValueError(f"candidate pool format {int(arrays['format'][0])} is not {POOL_FORMAT}")
    n_terms = int(arrays["n_terms"][0])
    text = arrays["terms"].tobytes().decode("utf-8")
    terms = text.split("\n") if n_terms else []
    if len(terms) != n_terms:
        raise ValueError("the cached vocabulary is damaged")
    if len(arrays["indptr"]) != len(papers) + 1:
        raise ValueError("the cached pool and the papers are not aligned")
    k1, b, avg_len = (float(x) for x in arrays["bm25"])
    weights = sparse.csr_matrix(
        (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(len(papers), n_terms)
    )
    index = LexicalIndex(
        vocab=dict(zip(terms, range(n_terms), strict=True)),
        idf=arrays["idf"],
        doc_weights=weights,
        k1=k1,
        b=b,
        avg_len=avg_len,
    )
    return pool_from_index(papers, vectors, index, params)
