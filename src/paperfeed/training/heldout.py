"""Held-out pair accuracy: for each held-out pair (a, b), where b ranks by cosine to a among b
and ``negatives`` random other held-out papers. Pure numpy; the same candidates (one seed)
for every model compared."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from paperfeed.stats import paired_difference, resample_indices
from paperfeed.training.pairs import Pair


@dataclass(frozen=True, slots=True)
class PairAccuracy:
    pairs: int
    candidates: int
    recall_at_1: float
    """Share of pairs whose partner is the nearest of the candidates."""
    mrr: float
    """Mean reciprocal rank of the partner among the candidates."""

    def to_json(self) -> dict[str, float | int]:
        return {
            "pairs": self.pairs,
            "candidates": self.candidates,
            "recall_at_1": round(self.recall_at_1, 4),
            "mrr": round(self.mrr, 4),
        }


def candidate_lists(
    pairs: Sequence[Pair], pool: Sequence[str], negatives: int = 99, seed: int = 0
) -> list[list[str]]:
    """For each pair: ``[b, n1, …]`` with up to ``negatives`` papers of ``pool`` other than
    a and b, drawn with ``seed``."""
    rng = random.Random(seed)
    ordered = sorted(set(pool))
    out = []
    for p in pairs:
        others = [
            x for x in rng.sample(ordered, min(len(ordered), negatives + 2)) if x not in (p.a, p.b)
        ]
        out.append([p.b, *others[:negatives]])
    return out


def partner_ranks(
    vectors: Mapping[str, np.ndarray], pairs: Sequence[Pair], candidates: Sequence[Sequence[str]]
) -> np.ndarray:
    """The rank (1 = nearest) of each pair's partner, the first of its candidate list, by
    cosine to its anchor; ``vectors`` are unit rows by paper id. Ties count against it."""
    ranks = []
    for p, cand in zip(pairs, candidates, strict=True):
        sims = np.stack([vectors[c] for c in cand]) @ vectors[p.a]
        ranks.append(1 + int(np.count_nonzero(sims[1:] >= sims[0])))
    return np.asarray(ranks, dtype=np.float64)


def pair_accuracy(
    vectors: Mapping[str, np.ndarray], pairs: Sequence[Pair], candidates: Sequence[Sequence[str]]
) -> PairAccuracy:
    """Recall@1 and MRR of the partners (see :func:`partner_ranks`)."""
    return accuracy_of(partner_ranks(vectors, pairs, candidates), candidates)


def accuracy_of(ranks: np.ndarray, candidates: Sequence[Sequence[str]]) -> PairAccuracy:
    width = max((len(c) for c in candidates), default=0)
    if not len(ranks):
        return PairAccuracy(0, width, 0.0, 0.0)
    return PairAccuracy(len(ranks), width, float(np.mean(ranks == 1)), float(np.mean(1.0 / ranks)))


def paired_interval(
    base: np.ndarray, other: np.ndarray, *, resamples: int = 1000, seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """``other`` minus ``base`` for recall@1 and MRR over the same pairs: the difference
    and its 95% percentile-bootstrap interval (pairs resampled, seeded)."""
    idx = resample_indices(len(base), resamples, seed)
    out = {}
    for name, f in (("recall_at_1", lambda r: (r == 1).astype(float)), ("mrr", lambda r: 1 / r)):
        d = paired_difference(f(other), f(base), idx)
        out[name] = (d.mean, d.lo, d.hi)
    return out
