"""Candidates prepared once for many users (features, BM25 index), and which ones to rank."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from paperfeed.ids import title_key
from paperfeed.models import Paper
from paperfeed.rank.lexical import LexicalIndex, build_index, features
from paperfeed.rank.params import DEFAULT_PARAMS, RankParams


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
    """A :class:`CandidatePool` of ``papers`` and their aligned unit ``vectors``, so the
    lexical work is done once however many users are ranked against it."""
    if len(vectors) != len(papers):
        raise ValueError("vectors and papers are not aligned")
    feats = [features(p.text, use_bigrams=params.use_bigrams) for p in papers]
    return CandidatePool(papers, np.asarray(vectors, dtype=np.float32), feats, build_index(feats))


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
