"""The one ranking path: profile + candidates (+ their vectors) → explained recommendations.

Pure: no store, no model. Every command (recommend, rank, digests, benchmarks) calls
:func:`rank`, with vectors computed by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from paperfeed.ids import title_key
from paperfeed.models import Explanation, Paper, Recommendation
from paperfeed.rank.diversity import mmr_order
from paperfeed.rank.interests import cluster_interests, interest_centroids
from paperfeed.rank.learn import user_model
from paperfeed.rank.lexical import LexicalIndex, build_index, features
from paperfeed.rank.terms import surface_forms


@dataclass(frozen=True, slots=True)
class RankParams:
    """Weights of the fused score; each component is z-scored over the candidates first."""

    dense_weight: float = 1.0  # best cosine to any profile paper (multi-interest max-sim)
    interest_weight: float = 0.3  # cosine to the closest interest centroid
    lexical_weight: float = 0.5  # best BM25 against any single profile paper
    profile_lexical_weight: float = 0.7  # BM25 with the whole profile as a weighted query
    negative_weight: float = 0.5  # share of the cosine to the closest downvoted paper subtracted
    recency_weight: float = 0.15
    recency_half_life_days: float = 30.0
    diversity: float = 0.15  # MMR trade-off; 0 = pure relevance order
    interest_penalty: float = 0.1  # discourages one interest filling the list
    interest_similarity: float = 0.35  # average cosine that keeps profile papers in one interest
    mmr_pool: int = 200
    shared_terms: int = 5
    use_bigrams: bool = True
    # Per-user classifier (paperfeed.rank.learn): profile and upvoted papers against the
    # downvoted ones and, weakly, the candidates themselves.
    classifier_weight: float = 0.5  # on the embeddings
    lexical_classifier_weight: float = 0.5  # on L2-normalized BM25 term weights
    classifier_negative_weight: float = 1.0
    classifier_l2: float = 1.0
    classifier_full_at: int = 5  # profile papers (and upvotes) at which they get full weight


DEFAULT_PARAMS = RankParams()


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - float(x.mean())) / sd if sd > 1e-9 else np.zeros_like(x)


def _unit_rows(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit L2 norm (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x


def _parse_date(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def recency(dates: Sequence[str | None], half_life_days: float) -> np.ndarray:
    """exp-decay weight in (0, 1] by age relative to the newest dated candidate; 0 if undated."""
    parsed = [_parse_date(d) for d in dates]
    known = [d for d in parsed if d is not None]
    if not known or half_life_days <= 0:
        return np.zeros(len(dates))
    newest = max(known)
    decay = math.log(2) / half_life_days
    return np.array([math.exp(-decay * (newest - d).days) if d else 0.0 for d in parsed])


def select_candidates(candidates: Sequence[Paper], exclude: Collection[str]) -> list[int]:
    """Indices of candidates to rank: not excluded, and no duplicate id or title."""
    seen_ids: set[str] = set(exclude)
    seen_titles: set[str] = set()
    keep = []
    for i, p in enumerate(candidates):
        key = title_key(p.title) if p.title else ""
        if p.id in seen_ids or (key and key in seen_titles):
            continue
        seen_ids.add(p.id)
        if key:
            seen_titles.add(key)
        keep.append(i)
    return keep


def shared_terms(
    index: LexicalIndex, cand_feats: Sequence[str], prof_feats: Sequence[str], text: str, n: int
) -> tuple[str, ...]:
    """The ``n`` rarest features two papers share, as the candidate's ``text`` spells them."""
    common = set(cand_feats) & set(prof_feats)
    ranked = sorted(common, key=lambda f: (-index.term_weight(f), f))
    forms = surface_forms(text)
    picked: list[str] = []
    covered: set[str] = set()
    for f in ranked:
        parts = f.split(" ")
        if len(parts) == 1 and f in covered:
            continue
        picked.append(" ".join(forms.get(p, p) for p in parts))
        covered.update(parts)
        if len(picked) == n:
            break
    return tuple(picked)


@dataclass(frozen=True, slots=True)
class CandidatePool:
    """Candidates prepared once (features, BM25 index) and ranked for any number of users."""

    papers: Sequence[Paper]
    vectors: np.ndarray
    feats: list[list[str]]
    index: LexicalIndex


def prepare_candidates(
    papers: Sequence[Paper], vectors: np.ndarray, params: RankParams = DEFAULT_PARAMS
) -> CandidatePool:
    if len(vectors) != len(papers):
        raise ValueError("vectors and papers are not aligned")
    feats = [features(p.text, use_bigrams=params.use_bigrams) for p in papers]
    return CandidatePool(papers, np.asarray(vectors, dtype=np.float32), feats, build_index(feats))


def lexical_classifier(
    index: LexicalIndex,
    keep: Sequence[int],
    prof_feats: Sequence[Sequence[str]],
    neg_feats: Sequence[Sequence[str]],
    params: RankParams = DEFAULT_PARAMS,
) -> np.ndarray:
    """Decision values of a user's logistic regression on BM25 term weights for the indexed
    documents ``keep``: profile papers positive, ``neg_feats`` (downvoted) negative, the
    candidates weakly negative.

    The model sees only the terms of the rated papers, plus one column for the share of a
    candidate's (unit-length) weight that lies outside them. Terms no rated paper has could
    only earn weight from the candidates, and fitting them made the solver's cost follow the
    day's whole vocabulary (≈ 176k unigrams and bigrams for 1.8k candidates: ~1 s per user)
    instead of the user's (a few hundred to a few thousand terms: ~50 ms).
    """
    pos = _unit_rows(index.weigh(prof_feats))
    neg = _unit_rows(index.weigh(neg_feats)) if neg_feats else None
    cols = np.unique(np.concatenate([pos.indices, neg.indices if neg is not None else []]))
    cols = cols.astype(np.int64)

    def restrict(x: sparse.csr_matrix) -> sparse.csr_matrix:
        inside = x[:, cols]
        rest = np.sqrt(np.clip(1.0 - np.asarray(inside.multiply(inside).sum(axis=1)), 0.0, None))
        return sparse.hstack([inside, sparse.csr_matrix(rest)]).tocsr()

    x_cand = restrict(_unit_rows(index.doc_weights[keep]))
    model = user_model(
        restrict(pos),
        restrict(neg) if neg is not None else None,
        x_cand,
        negative_weight=params.classifier_negative_weight,
        l2=params.classifier_l2,
    )
    return model.decision(x_cand)


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
        raise ValueError("the profile is empty: add papers with `paperfeed profile add`")
    if len(profile_vecs) != len(profile):
        raise ValueError("profile vectors and papers are not aligned")
    if not isinstance(candidates, CandidatePool):
        if candidate_vecs is None:
            raise ValueError("candidate vectors are missing")
        candidates = prepare_candidates(candidates, candidate_vecs, params)
    pool_all = candidates
    excluded = set(exclude) | {p.id for p in profile} | {p.id for p in negatives}
    keep = select_candidates(pool_all.papers, excluded)
    if not keep:
        return []
    cands = [pool_all.papers[i] for i in keep]
    cand_feats = [pool_all.feats[i] for i in keep]
    cvecs = pool_all.vectors[keep]
    pvecs = np.asarray(profile_vecs, dtype=np.float32)

    # Dense: per profile paper, and per interest.
    dense = cvecs @ pvecs.T  # (N, P)
    labels = cluster_interests(pvecs, min_similarity=params.interest_similarity)
    cents = interest_centroids(pvecs, labels)
    dense_max = dense.max(axis=1)
    interest_sim = (cvecs @ cents.T).max(axis=1)

    # Lexical: BM25 against each profile paper, and against the whole profile.
    index = pool_all.index
    prof_feats = [features(p.text, use_bigrams=params.use_bigrams) for p in profile]
    lex = index.scores(prof_feats)[keep]  # (N, P)
    col_max = lex.max(axis=0)
    lex_norm = lex / np.where(col_max > 0, col_max, 1.0)
    lex_max = lex_norm.max(axis=1)
    q_all = np.asarray(index.query_matrix(prof_feats).sum(axis=0)).ravel()
    lex_all = np.asarray(index.doc_weights @ q_all).ravel()[keep]

    dense_signal = dense_max
    if negatives and negative_vecs is not None and len(negative_vecs):
        # Rocchio-style: similarity to downvoted papers is subtracted from the dense evidence.
        neg = (cvecs @ np.asarray(negative_vecs, dtype=np.float32).T).max(axis=1)
        dense_signal = dense_max - params.negative_weight * neg
    score = (
        params.dense_weight * _z(dense_signal)
        + params.interest_weight * _z(interest_sim)
        + params.lexical_weight * _z(lex_max)
        + params.profile_lexical_weight * _z(lex_all)
    )
    # A classifier needs examples to generalize from: with one profile paper it is only a
    # noisier similarity, so its weight ramps up from 0 at one positive to full at
    # ``classifier_full_at`` (a query-by-example search keeps the similarity ranking).
    trust = min(1.0, (len(profile) - 1) / max(params.classifier_full_at - 1, 1))
    classifier = np.zeros(len(cands))
    if params.classifier_weight and trust > 0:
        model = user_model(
            pvecs,
            negative_vecs if negatives else None,
            cvecs,
            negative_weight=params.classifier_negative_weight,
            l2=params.classifier_l2,
        )
        classifier = model.decision(cvecs)
        score = score + trust * params.classifier_weight * _z(classifier)
    lex_classifier = np.zeros(len(cands))
    if params.lexical_classifier_weight and trust > 0:
        neg_feats = [features(p.text, use_bigrams=params.use_bigrams) for p in negatives]
        lex_classifier = lexical_classifier(index, keep, prof_feats, neg_feats, params)
        score = score + trust * params.lexical_classifier_weight * _z(lex_classifier)
    rec = recency([p.date for p in cands], params.recency_half_life_days)
    score = score + params.recency_weight * rec

    # Closest profile paper per candidate: mostly meaning, partly shared words.
    pair = dense + 0.3 * lex_norm
    closest = pair.argmax(axis=1)
    cand_interest = labels[closest]

    # Order: MMR over the best pool, the rest by score.
    n = len(cands)
    want = n if top <= 0 else min(top, n)
    by_score = np.argsort(-score, kind="stable")
    pool = by_score[: max(params.mmr_pool, want) if top > 0 else min(n, params.mmr_pool)]
    picked = mmr_order(
        score[pool],
        cvecs[pool],
        k=min(want, len(pool)),
        diversity=params.diversity,
        labels=cand_interest[pool],
        label_penalty=params.interest_penalty,
    )
    order = list(pool[picked])
    if len(order) < want:
        chosen = set(order)
        order.extend(int(i) for i in by_score if int(i) not in chosen)
        order = order[:want]

    out = []
    for r, i in enumerate(order, start=1):
        j = int(closest[i])
        prof = profile[j]
        expl = Explanation(
            closest_id=prof.id,
            closest_title=prof.display_title,
            similarity=float(dense[i, j]),
            shared_terms=shared_terms(
                index, cand_feats[i], prof_feats[j], cands[i].text, params.shared_terms
            )
            if explain is None or r <= explain
            else (),
            interest=int(labels[j]),
        )
        comps = {
            "dense": float(dense_max[i]),
            "interest": float(interest_sim[i]),
            "lexical": float(lex_max[i]),
            "profile_lexical": float(lex_all[i]),
            "recency": float(rec[i]),
            "classifier": float(classifier[i]),
            "lexical_classifier": float(lex_classifier[i]),
        }
        out.append(Recommendation(cands[i], float(score[i]), r, expl, comps))
    return out
