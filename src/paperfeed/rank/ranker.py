"""The one ranking path: profile + candidates (+ their vectors) → explained recommendations.

Pure: no store, no model. Every command (recommend, rank, digests, benchmarks) calls
:func:`rank`, with vectors computed by the caller; the steps live in :mod:`.signals`,
:mod:`.fusion`, :mod:`.diversity` and :mod:`.explain`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from paperfeed.models import Paper, Recommendation
from paperfeed.rank.diversity import diverse_order, ranking_scores
from paperfeed.rank.explain import closest_profile_papers, components, explanation, shared_terms
from paperfeed.rank.fusion import classifier_trust, relevance
from paperfeed.rank.interests import cluster_interests
from paperfeed.rank.learn import one_blas_thread
from paperfeed.rank.lexical import features
from paperfeed.rank.params import DEFAULT_PARAMS, RankParams
from paperfeed.rank.pool import CandidatePool, as_pool, parse_date, select_candidates
from paperfeed.rank.signals import Signals, relevance_signals


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

    Each item's ``score`` never exceeds the one above it (its fused relevance, capped by
    the item above when diversity moved it down), so the list reads as a ranking; the
    relevance itself is ``components["relevance"]``.
    """
    with one_blas_thread():
        return _rank(
            profile,
            profile_vecs,
            candidates,
            candidate_vecs,
            negatives=negatives,
            negative_vecs=negative_vecs,
            exclude=exclude,
            top=top,
            params=params,
            explain=explain,
        )


@dataclass(frozen=True, slots=True)
class _Scored:
    """The kept candidates of one ranking and their signals, before fusion and ordering."""

    pool: CandidatePool
    keep: list[int]
    cvecs: np.ndarray
    labels: np.ndarray
    prof_feats: list[list[str]]
    trust: float
    signals: Signals


def _signals(
    profile: Sequence[Paper],
    profile_vecs: np.ndarray,
    pool: CandidatePool,
    *,
    negatives: Sequence[Paper],
    negative_vecs: np.ndarray | None,
    exclude: Collection[str],
    params: RankParams,
) -> _Scored | None:
    """The candidates to rank and every relevance signal of theirs (None: nothing to rank)."""
    if not profile:
        raise ValueError("no profile papers to rank against")
    if len(profile_vecs) != len(profile):
        raise ValueError("profile vectors and papers are not aligned")
    excluded = set(exclude) | {p.id for p in profile} | {p.id for p in negatives}
    keep = select_candidates(pool, excluded)
    if not keep:
        return None
    cvecs = pool.vectors[keep]
    pvecs = np.asarray(profile_vecs, dtype=np.float32)
    labels = cluster_interests(pvecs, min_similarity=params.interest_similarity)
    prof_feats = [features(p.text, use_bigrams=params.use_bigrams) for p in profile]
    trust = classifier_trust(len(profile), params.classifier_full_at)
    signals = relevance_signals(
        pool,
        keep,
        cvecs,
        pvecs,
        labels,
        prof_feats,
        negatives,
        negative_vecs,
        trust=trust,
        params=params,
        profile_dates=[parse_date(p.date) for p in profile],
    )
    return _Scored(pool, keep, cvecs, labels, prof_feats, trust, signals)


def _order(
    scored: _Scored, params: RankParams, top: int
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(fused relevance, closest profile paper, the first ``top`` indices into the kept
    candidates in the order shown) of scored candidates under ``params``' weights."""
    s = scored.signals
    score = relevance(s, scored.trust, params)
    closest = closest_profile_papers(s.dense, s.lexical_pairs)
    order = diverse_order(
        score,
        scored.cvecs,
        scored.labels[closest],
        top=top,
        pool_size=params.mmr_pool,
        diversity=params.diversity,
        label_penalty=params.interest_penalty,
    )
    return score, closest, order


def _rank(
    profile: Sequence[Paper],
    profile_vecs: np.ndarray,
    candidates: CandidatePool | Sequence[Paper],
    candidate_vecs: np.ndarray | None,
    *,
    negatives: Sequence[Paper],
    negative_vecs: np.ndarray | None,
    exclude: Collection[str],
    top: int,
    params: RankParams,
    explain: int | None,
) -> list[Recommendation]:
    """:func:`rank`'s steps, on one BLAS thread."""
    pool = as_pool(candidates, candidate_vecs, params)
    scored = _signals(
        profile,
        profile_vecs,
        pool,
        negatives=negatives,
        negative_vecs=negative_vecs,
        exclude=exclude,
        params=params,
    )
    if scored is None:
        return []
    score, closest, order = _order(scored, params, top)
    shown = ranking_scores(score[order])
    signals, keep = scored.signals, scored.keep
    out = []
    for r, i in enumerate(order, start=1):
        j = int(closest[i])
        cand = pool.papers[keep[i]]
        terms: tuple[str, ...] = ()
        if explain is None or r <= explain:
            feats = pool.features(keep[i])
            terms = shared_terms(
                pool.index, feats, scored.prof_feats[j], cand.text, params.shared_terms
            )
        expl = explanation(profile[j], float(signals.dense[i, j]), int(scored.labels[j]), terms)
        parts = {**components(signals, i), "relevance": float(score[i])}
        out.append(Recommendation(cand, float(shown[r - 1]), r, expl, parts))
    return out


ORDER_FIELDS: frozenset[str] = frozenset(
    {
        "dense_weight",
        "interest_weight",
        "lexical_weight",
        "profile_lexical_weight",
        "negative_weight",
        "recency_weight",
        "diversity",
        "interest_penalty",
        "mmr_pool",
        "shared_terms",
        "classifier_weight",  # the classifiers are fitted once for the largest weight
        "lexical_classifier_weight",
        "similar_feedback",  # rank_similar's, unused here
        "similar_feedback_weight",
        "similar_lexical_weight",
        "similar_diversity",
    }
)
"""The settings that only weigh and order the signals (or that :func:`rank` does not read)."""
SIGNAL_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(RankParams) if f.name not in ORDER_FIELDS
)
"""The settings the signals depend on: every other one, so a new setting keeps variants
that differ in it apart until it is known to only weigh the signals."""


def rank_orders(
    profile: Sequence[Paper],
    profile_vecs: np.ndarray,
    pools: Mapping[bool, CandidatePool],
    variants: Mapping[str, RankParams],
    *,
    negatives: Sequence[Paper] = (),
    negative_vecs: np.ndarray | None = None,
) -> dict[str, list[int]]:
    """For each settings of ``variants``, the pool indices of the candidates in the order
    :func:`rank` (``top=0``) returns them, from ``pools[params.use_bigrams]``.

    Variants that agree on :data:`SIGNAL_FIELDS` share one computation of the signals (the
    classifiers fitted once for all that weigh them): what an ablation of the weights
    costs is then a fusion and an ordering per variant, with the same result as ranking
    each alone.
    """
    groups: dict[tuple, list[str]] = {}
    for name, p in variants.items():
        groups.setdefault(tuple(getattr(p, f) for f in SIGNAL_FIELDS), []).append(name)
    out: dict[str, list[int]] = {}
    with one_blas_thread():
        for names in groups.values():
            first = variants[names[0]]
            need = replace(
                first,
                classifier_weight=max(variants[n].classifier_weight for n in names),
                lexical_classifier_weight=max(variants[n].lexical_classifier_weight for n in names),
            )
            scored = _signals(
                profile,
                profile_vecs,
                pools[first.use_bigrams],
                negatives=negatives,
                negative_vecs=negative_vecs,
                exclude=(),
                params=need,
            )
            for n in names:
                order = _order(scored, variants[n], 0)[2] if scored else []
                out[n] = [scored.keep[i] for i in order] if scored else []
    return out


def with_shared_terms(
    recs: Sequence[Recommendation],
    profile: Sequence[Paper],
    pool: CandidatePool,
    params: RankParams = DEFAULT_PARAMS,
) -> list[Recommendation]:
    """``recs``, ranked from ``pool`` for ``profile`` without their shared terms (past
    :func:`rank`'s ``explain``), with the terms each shares with its closest profile paper,
    as :func:`rank` would have explained them: only the items shown need the work."""
    row = {p.id: i for i, p in enumerate(pool.papers)}
    prof = {p.id: p for p in profile}
    out = []
    for rec in recs:
        closest = prof[rec.explanation.closest_id]
        terms = shared_terms(
            pool.index,
            pool.features(row[rec.paper.id]),
            features(closest.text, use_bigrams=params.use_bigrams),
            rec.paper.text,
            params.shared_terms,
        )
        out.append(replace(rec, explanation=replace(rec.explanation, shared_terms=terms)))
    return out
