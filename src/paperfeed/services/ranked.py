"""What the services add around :func:`paperfeed.rank.rank`: explanations worded for what a
ranking was measured against, the names of the interests recommendations serve, and the batch
protocol's call for one user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from paperfeed.models import ExplanationKind, Recommendation
from paperfeed.protocol import UserProfile
from paperfeed.rank import CandidatePool, RankParams, rank
from paperfeed.rank.interests import Interest


def worded(recs: list[Recommendation], kind: ExplanationKind) -> list[Recommendation]:
    """``recs`` explained as matches of a query or of one paper instead of a profile."""
    return [replace(r, explanation=replace(r.explanation, kind=kind)) for r in recs]


def with_interest_names(
    recs: list[Recommendation], interests: Sequence[Interest]
) -> list[Recommendation]:
    """``recs`` with the name of the interest each one serves in its explanation."""
    names = {it.index: it.name for it in interests}
    return [
        replace(
            r,
            explanation=replace(r.explanation, interest_name=names.get(r.explanation.interest, "")),
        )
        for r in recs
    ]


def rank_protocol_user(
    pool: CandidatePool,
    prof: UserProfile,
    pv: np.ndarray,
    nv: np.ndarray,
    top: int,
    params: RankParams,
) -> list[Recommendation]:
    """One protocol user ranked over the shared pool (no explanations: the protocol prints
    ids and scores)."""
    return rank(
        prof.papers,
        pv,
        pool,
        negatives=prof.negatives,
        negative_vecs=nv if len(prof.negatives) else None,
        top=top,
        params=params,
        explain=0,
    )
