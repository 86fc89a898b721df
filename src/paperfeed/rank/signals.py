"""Each candidate's relevance signals for one user: dense, lexical, recency, classifiers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from paperfeed.models import Paper
from paperfeed.rank.interests import interest_centroids
from paperfeed.rank.learn import user_model
from paperfeed.rank.lexical import features
from paperfeed.rank.params import DEFAULT_PARAMS, RankParams
from paperfeed.rank.pool import CandidatePool, unit_rows
from paperfeed.rank.trending import upvotes


@dataclass(frozen=True, slots=True)
class Signals:
    """Every signal of the kept candidates (rows), aligned; ``None``: not computed."""

    dense: np.ndarray  # (N, P) cosine to each profile paper
    dense_max: np.ndarray  # best cosine to any profile paper
    interest: np.ndarray  # cosine to the closest interest centroid
    lexical_pairs: np.ndarray  # (N, P) BM25 to each profile paper, scaled to 1 per paper
    lexical: np.ndarray  # best scaled BM25 to any single profile paper
    profile_lexical: np.ndarray  # BM25 with the whole profile as one query
    recency: np.ndarray
    negative: np.ndarray | None  # best cosine to any downvoted paper
    classifier: np.ndarray | None
    lexical_classifier: np.ndarray | None
    popularity: np.ndarray | None = None  # log1p(upvotes), when its weight is nonzero


def recency(dates: Sequence[date | None], half_life_days: float) -> np.ndarray:
    """exp-decay weight in (0, 1] by age relative to the newest dated candidate; 0 if undated."""
    known = [d for d in dates if d is not None]
    if not known or half_life_days <= 0:
        return np.zeros(len(dates))
    newest = max(known)
    decay = math.log(2) / half_life_days
    return np.array([math.exp(-decay * (newest - d).days) if d else 0.0 for d in dates])


def profile_ages(dates: Sequence[date | None], half_life_days: float) -> np.ndarray | None:
    """Each profile paper's weight by its age relative to the profile's newest dated paper
    (1 for the newest and for undated papers, halving every ``half_life_days``); None when
    off (``half_life_days`` 0) or no paper is dated, which means all alike."""
    known = [d for d in dates if d is not None]
    if half_life_days <= 0 or not known:
        return None
    newest = max(known)
    decay = math.log(2) / half_life_days
    return np.array([math.exp(-decay * (newest - d).days) if d else 1.0 for d in dates])


def popularity(papers: Sequence[Paper]) -> np.ndarray:
    """log1p of each paper's Hugging Face upvotes (0 without upvote data): a prior that grows
    ever slower with the count, so a few hundred upvotes do not drown every other signal."""
    return np.log1p(np.array([float(upvotes(p) or 0) for p in papers]))


def interest_similarity(cvecs: np.ndarray, pvecs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each candidate's cosine to the closest centroid of the profile's interests ``labels``."""
    cents = interest_centroids(pvecs, labels)
    return (cvecs @ cents.T).max(axis=1)


def negative_similarity(cvecs: np.ndarray, negative_vecs: np.ndarray) -> np.ndarray:
    """Each candidate's best cosine to any downvoted paper."""
    return (cvecs @ np.asarray(negative_vecs, dtype=np.float32).T).max(axis=1)


@dataclass(frozen=True, slots=True)
class ProfileTerms:
    """The profile's side of BM25 over a pool: only the columns some profile paper has,
    so the per-user products skip the rest of the day's vocabulary."""

    presence: sparse.csr_matrix  # (P, T) binary: which profile paper has which term
    docs: sparse.csr_matrix  # (N, T) the pool's BM25 weights of those terms


def profile_terms(pool: CandidatePool, prof_feats: Sequence[Sequence[str]]) -> ProfileTerms:
    """The :class:`ProfileTerms` of a profile's feature lists ``prof_feats`` in ``pool``."""
    index = pool.index
    cols = {index.vocab[f] for feats in prof_feats for f in feats if f in index.vocab}
    picked = np.array(sorted(cols), dtype=np.int64)
    presence = index.query_matrix(prof_feats)[:, picked]
    return ProfileTerms(presence=presence, docs=index.doc_weights[:, picked])


def lexical_pairs(terms: ProfileTerms, keep: Sequence[int]) -> np.ndarray:
    """(N, P) BM25 of the pool's candidates ``keep`` against each profile paper, divided by
    that paper's best score so a long profile abstract does not outweigh a short one."""
    lex = np.asarray((terms.docs @ terms.presence.T).todense(), dtype=np.float32)[keep]
    col_max = lex.max(axis=0)
    return lex / np.where(col_max > 0, col_max, 1.0)


def profile_lexical(
    terms: ProfileTerms, keep: Sequence[int], weights: np.ndarray | None = None
) -> np.ndarray:
    """BM25 of the pool's candidates ``keep`` with the whole profile as one query, a term
    weighted by the number of profile papers that have it (their summed ``weights``)."""
    if weights is None:
        q_all = np.asarray(terms.presence.sum(axis=0)).ravel()
    else:
        q_all = np.asarray(terms.presence.T @ np.asarray(weights, dtype=np.float64)).ravel()
    return np.asarray(terms.docs @ q_all).ravel()[keep]


def embedding_classifier(
    pvecs: np.ndarray,
    negative_vecs: np.ndarray | None,
    cvecs: np.ndarray,
    params: RankParams = DEFAULT_PARAMS,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Decision values on the candidates ``cvecs`` of a user's logistic regression on the
    embeddings: profile positive (by ``weights``), downvoted negative, the candidates weakly
    negative."""
    model = user_model(
        pvecs,
        negative_vecs,
        cvecs,
        negative_weight=params.classifier_negative_weight,
        l2=params.classifier_l2,
        positive_weights=weights,
    )
    return model.decision(cvecs)


def lexical_classifier(
    pool: CandidatePool,
    keep: Sequence[int],
    prof_feats: Sequence[Sequence[str]],
    neg_feats: Sequence[Sequence[str]],
    params: RankParams = DEFAULT_PARAMS,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Decision values of a user's logistic regression on BM25 term weights for the pool's
    candidates ``keep``: profile papers positive (by ``weights``), ``neg_feats`` (downvoted)
    negative, the candidates weakly negative.

    The model sees only the terms of the rated papers, plus one column for the share of a
    candidate's (unit-length) weight that lies outside them. Terms no rated paper has could
    only earn weight from the candidates, and fitting them made the solver's cost follow the
    day's whole vocabulary (≈ 176k unigrams and bigrams for 1.8k candidates: ~1 s per user)
    instead of the user's (a few hundred to a few thousand terms: ~50 ms).
    """
    index = pool.index
    pos = unit_rows(index.weigh(prof_feats))
    neg = unit_rows(index.weigh(neg_feats)) if neg_feats else None
    cols = np.unique(np.concatenate([pos.indices, neg.indices if neg is not None else []]))
    cols = cols.astype(np.int64)

    def restrict(x: sparse.csr_matrix) -> sparse.csr_matrix:
        inside = x[:, cols]
        rest = np.sqrt(np.clip(1.0 - np.asarray(inside.multiply(inside).sum(axis=1)), 0.0, None))
        return sparse.hstack([inside, sparse.csr_matrix(rest)]).tocsr()

    x_cand = restrict(pool.unit_docs[keep])
    model = user_model(
        restrict(pos),
        restrict(neg) if neg is not None else None,
        x_cand,
        negative_weight=params.classifier_negative_weight,
        l2=params.classifier_l2,
        positive_weights=weights,
    )
    return model.decision(x_cand)


def relevance_signals(
    pool: CandidatePool,
    keep: Sequence[int],
    cvecs: np.ndarray,
    pvecs: np.ndarray,
    labels: np.ndarray,
    prof_feats: Sequence[Sequence[str]],
    negatives: Sequence[Paper] = (),
    negative_vecs: np.ndarray | None = None,
    *,
    trust: float,
    params: RankParams = DEFAULT_PARAMS,
    profile_dates: Sequence[date | None] = (),
) -> Signals:
    """All signals of the pool's candidates ``keep`` (their vectors ``cvecs``) for a profile
    of vectors ``pvecs``, interests ``labels`` and ``prof_feats``.

    The classifiers are fitted only when their weight and the ``trust`` in them are nonzero;
    the downvotes enter the dense evidence only with their vectors. With
    ``params.profile_half_life_days``, ``profile_dates`` weigh the profile papers by age.
    """
    ages = profile_ages(profile_dates, params.profile_half_life_days)
    dense = cvecs @ pvecs.T
    terms = profile_terms(pool, prof_feats)
    pairs = lexical_pairs(terms, keep)
    negative = None
    if negatives and negative_vecs is not None and len(negative_vecs):
        negative = negative_similarity(cvecs, negative_vecs)
    classifier = None
    if params.classifier_weight and trust > 0:
        nvecs = negative_vecs if negatives else None
        classifier = embedding_classifier(pvecs, nvecs, cvecs, params, ages)
    lex_classifier = None
    if params.lexical_classifier_weight and trust > 0:
        neg_feats = [features(p.text, use_bigrams=params.use_bigrams) for p in negatives]
        lex_classifier = lexical_classifier(pool, keep, prof_feats, neg_feats, params, ages)
    return Signals(
        dense=dense,
        dense_max=dense.max(axis=1),
        interest=interest_similarity(cvecs, pvecs, labels),
        lexical_pairs=pairs,
        lexical=pairs.max(axis=1),
        profile_lexical=profile_lexical(terms, keep, ages),
        recency=recency([pool.dates[i] for i in keep], params.recency_half_life_days),
        negative=negative,
        classifier=classifier,
        lexical_classifier=lex_classifier,
        popularity=(
            popularity([pool.papers[i] for i in keep]) if params.popularity_weight else None
        ),
    )
