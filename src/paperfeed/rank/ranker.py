"""The one ranking path: profile + candidates (+ their vectors) → explained recommendations.

Pure: no store, no model. Every command (recommend, rank, digests, benchmarks) calls
:func:`rank`, with vectors computed by the caller; the steps live in :mod:`.signals`,
:mod:`.fusion`, :mod:`.diversity` and :mod:`.explain`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from paperfeed.models import Paper, Recommendation
from paperfeed.rank.diversity import diverse_order
from paperfeed.rank.explain import closest_profile_papers, components, explanation, shared_terms
from paperfeed.rank.fusion import classifier_trust, relevance
from paperfeed.rank.interests import cluster_interests
from paperfeed.rank.lexical import features
from paperfeed.rank.params import DEFAULT_PARAMS, RankParams
from paperfeed.rank.pool import CandidatePool, prepare_candidates, select_candidates
from paperfeed.rank.signals import relevance_signals


def _as_pool(
    candidates: CandidatePool | Sequence[Paper], vectors: np.ndarray | None, params: RankParams
) -> CandidatePool:
    """``candidates`` as a pool: as given, or prepared from papers and their ``vectors``."""
    if isinstance(candidates, CandidatePool):
        return candidates
    if vectors is None:
        raise ValueError("candidate vectors are missing")
    return prepare_candidates(candidates, vectors, params)


def rank(
    profile: Sequence[Paper],
    profile_vecs: np.ndarray,
    candidates: CandidatePool | Sequence[Paper],
    candidate_vecs: np.ndarray | None = None,
    *,
    negatives: Sequence[Paper] = (),
    negative_vecs: np.ndarray | None = None,
    exclude: Collection[str] = (),
    top: int = 20,
    params: RankParams = DEFAULT_PARAMS,
    explain: int | None = None,
) -> list[Recommendation]:
    """Rank ``candidates`` for a user whose interests are ``profile`` (``top=0``: all of them).

    ``candidates`` is a :class:`CandidatePool` (shared across users) or papers with
    ``candidate_vecs``. Vectors are unit-length rows aligned with their papers. Candidates
    that are in the profile, among the negatives, in ``exclude`` or duplicates of an earlier
    candidate are left out. Shared terms are worked out for the first ``explain`` items
    (all if None); the rest still name their closest profile paper.
    """
    if not profile:
        raise ValueError("no profile papers to rank against")
    if len(profile_vecs) != len(profile):
        raise ValueError("profile vectors and papers are not aligned")
    pool = _as_pool(candidates, candidate_vecs, params)
    excluded = set(exclude) | {p.id for p in profile} | {p.id for p in negatives}
    keep = select_candidates(pool.papers, excluded)
    if not keep:
        return []
    cands = [pool.papers[i] for i in keep]
    cvecs = pool.vectors[keep]
    pvecs = np.asarray(profile_vecs, dtype=np.float32)
    labels = cluster_interests(pvecs, min_similarity=params.interest_similarity)
    prof_feats = [features(p.text, use_bigrams=params.use_bigrams) for p in profile]
    trust = classifier_trust(len(profile), params.classifier_full_at)
    index = pool.index
    signals = relevance_signals(
        index,
        keep,
        cands,
        cvecs,
        pvecs,
        labels,
        prof_feats,
        negatives,
        negative_vecs,
        trust=trust,
        params=params,
    )
    score = relevance(signals, trust, params)
    closest = closest_profile_papers(signals.dense, signals.lexical_pairs)
    order = diverse_order(
        score,
        cvecs,
        labels[closest],
        top=top,
        pool_size=params.mmr_pool,
        diversity=params.diversity,
        label_penalty=params.interest_penalty,
    )
    out = []
    for r, i in enumerate(order, start=1):
        j = int(closest[i])
        terms: tuple[str, ...] = ()
        if explain is None or r <= explain:
            feats = pool.feats[keep[i]]
            terms = shared_terms(index, feats, prof_feats[j], cands[i].text, params.shared_terms)
        expl = explanation(profile[j], float(signals.dense[i, j]), int(labels[j]), terms)
        out.append(Recommendation(cands[i], float(score[i]), r, expl, components(signals, i)))
    return out
