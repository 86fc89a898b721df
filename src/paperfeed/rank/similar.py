"""Query by example: the candidates most like one paper (or one query text), in relevance
order. A "papers like this one" list wants the closest papers, not a feed's spread over
interests, so there is no MMR unless asked for (``RankParams.similar_diversity``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from paperfeed.models import Paper, Recommendation
from paperfeed.rank.diversity import diverse_order, ranking_scores
from paperfeed.rank.explain import explanation, shared_terms
from paperfeed.rank.fusion import zscore
from paperfeed.rank.lexical import features
from paperfeed.rank.params import DEFAULT_PARAMS, RankParams
from paperfeed.rank.pool import CandidatePool, as_pool, select_candidates
from paperfeed.rank.signals import profile_lexical, profile_terms


def feedback_query(query: np.ndarray, cvecs: np.ndarray, k: int, weight: float) -> np.ndarray:
    """Pseudo-relevance feedback (Rocchio without negatives): the unit ``query`` moved
    towards the mean of its ``k`` closest candidates by ``weight``, so a short or one-sided
    query reads as the neighbourhood it points at."""
    if k <= 0 or weight <= 0 or not len(cvecs):
        return query
    closest = np.argsort(-(cvecs @ query), kind="stable")[:k]
    moved = query + weight * cvecs[closest].mean(axis=0)
    return moved / max(float(np.linalg.norm(moved)), 1e-12)


def similarity_scores(
    pool: CandidatePool,
    keep: Sequence[int],
    query: Paper,
    query_vec: np.ndarray,
    params: RankParams = DEFAULT_PARAMS,
) -> dict[str, np.ndarray]:
    """Signals of the pool's candidates ``keep`` for one query: ``cosine`` to the query,
    ``feedback`` (cosine to the feedback query), ``lexical`` (BM25 of the query's text) and
    ``relevance``, their fusion: z-scored feedback cosine plus weighted z-scored BM25."""
    cvecs = pool.vectors[keep]
    qvec = np.asarray(query_vec, dtype=np.float32)
    qvec = qvec / max(float(np.linalg.norm(qvec)), 1e-12)
    cosine = (cvecs @ qvec).astype(np.float64)
    moved = feedback_query(qvec, cvecs, params.similar_feedback, params.similar_feedback_weight)
    feedback = (cvecs @ moved).astype(np.float64)
    terms = profile_terms(pool, [features(query.text, use_bigrams=pool.use_bigrams)])
    lexical = profile_lexical(terms, keep).astype(np.float64)
    fused = zscore(feedback) + params.similar_lexical_weight * zscore(lexical)
    return {"cosine": cosine, "feedback": feedback, "lexical": lexical, "relevance": fused}


def rank_similar(
    query: Paper,
    query_vec: np.ndarray,
    candidates: CandidatePool | Sequence[Paper],
    candidate_vecs: np.ndarray | None = None,
    *,
    exclude: Collection[str] = (),
    top: int = 10,
    params: RankParams = DEFAULT_PARAMS,
    explain: int | None = None,
) -> list[Recommendation]:
    """The ``top`` candidates most like ``query`` (``top=0``: all), best first, each
    explained by its similarity to the query and the terms they share (for the first
    ``explain``; all if None). ``candidates``: a pool or papers with ``candidate_vecs``.
    The query itself, ``exclude`` and duplicates of an earlier candidate are left out."""
    pool = as_pool(candidates, candidate_vecs, params)
    keep = select_candidates(pool, set(exclude) | {query.id})
    if not keep:
        return []
    sig = similarity_scores(pool, keep, query, query_vec, params)
    score = sig["relevance"]
    if params.similar_diversity > 0:
        order = diverse_order(
            score,
            pool.vectors[keep],
            np.zeros(len(keep), dtype=np.int64),
            top=top,
            pool_size=params.mmr_pool,
            diversity=params.similar_diversity,
            label_penalty=0.0,
        )
    else:
        ranked = np.argsort(-score, kind="stable")
        order = [int(i) for i in (ranked if top <= 0 else ranked[:top])]
    shown = ranking_scores(score[order])
    qfeats = features(query.text, use_bigrams=pool.use_bigrams)
    out = []
    for r, i in enumerate(order, start=1):
        paper = pool.papers[keep[i]]
        terms: tuple[str, ...] = ()
        if explain is None or r <= explain:
            feats = pool.features(keep[i])
            terms = shared_terms(pool.index, feats, qfeats, paper.text, params.shared_terms)
        expl = explanation(query, float(sig["cosine"][i]), 0, terms)
        parts = {name: float(values[i]) for name, values in sig.items()}
        out.append(Recommendation(paper, float(shown[r - 1]), r, expl, parts))
    return out
