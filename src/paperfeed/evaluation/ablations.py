"""Ablations of paperfeed's ranker: each component of :func:`paperfeed.rank.rank` switched
off (or, when the default leaves it off, on), as named variants of the default settings
that the author-history sweep runs beside the product."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from paperfeed.evaluation.harness import PAPERFEED
from paperfeed.rank import DEFAULT_PARAMS, RankParams


@dataclass(frozen=True, slots=True)
class Component:
    """One part of the ranker: the settings that turn it off and those that turn it on."""

    name: str
    description: str
    off: dict[str, Any]
    on: dict[str, Any]

    def is_on(self, params: RankParams) -> bool:
        return any(getattr(params, k) != v for k, v in self.off.items())


COMPONENTS: tuple[Component, ...] = (
    Component(
        "dense",
        "best MiniLM cosine to any profile paper (multi-interest max-sim)",
        {"dense_weight": 0.0},
        {"dense_weight": 1.0},
    ),
    Component(
        "interests",
        "interest clusters: cosine to the closest centroid, and their share penalty in MMR",
        {"interest_weight": 0.0, "interest_penalty": 0.0},
        {"interest_weight": 0.3, "interest_penalty": 0.1},
    ),
    Component(
        "lexical-pairs",
        "best BM25 against any single profile paper",
        {"lexical_weight": 0.0},
        {"lexical_weight": 0.5},
    ),
    Component(
        "profile-lexical",
        "BM25 with the whole profile as one query",
        {"profile_lexical_weight": 0.0},
        {"profile_lexical_weight": 0.7},
    ),
    Component(
        "classifier",
        "per-user logistic regression on the embeddings",
        {"classifier_weight": 0.0},
        {"classifier_weight": 0.5},
    ),
    Component(
        "lexical-classifier",
        "per-user logistic regression on BM25 term weights",
        {"lexical_classifier_weight": 0.0},
        {"lexical_classifier_weight": 0.5},
    ),
    Component(
        "recency",
        "bonus for the newest candidates (half-life 30 days)",
        {"recency_weight": 0.0},
        {"recency_weight": 0.15},
    ),
    Component(
        "diversity",
        "MMR over the head of the list",
        {"diversity": 0.0},
        {"diversity": 0.15},
    ),
    Component(
        "bigrams",
        "adjacent-word bigrams as lexical features beside the unigrams",
        {"use_bigrams": False},
        {"use_bigrams": True},
    ),
)
"""Every component :func:`paperfeed.rank.rank` has for a user without ratings. (The
downvotes' Rocchio term needs ratings: the feedback simulation measures it. Pseudo-relevance
feedback exists only in the query-by-example ranking, :func:`paperfeed.rank.rank_similar`.)"""

PREVIOUS_PARAMS = RankParams(
    dense_weight=1.0,
    interest_weight=0.3,
    lexical_weight=0.5,
    profile_lexical_weight=0.7,
    negative_weight=0.5,
    recency_weight=0.15,
    recency_half_life_days=30.0,
    diversity=0.15,
    interest_penalty=0.1,
    interest_similarity=0.35,
    mmr_pool=200,
    shared_terms=5,
    use_bigrams=True,
    classifier_weight=0.5,
    lexical_classifier_weight=0.5,
    classifier_negative_weight=1.0,
    classifier_l2=1.0,
    classifier_full_at=5,
)
"""The ranker's defaults before the leave-windows-out ablations (issue 15), spelled out so
that "before" stays what it was whatever the defaults become."""


def changes(params: RankParams, base: RankParams = DEFAULT_PARAMS) -> dict[str, Any]:
    """The settings in which ``params`` differs from ``base``, by field name."""
    old = asdict(base)
    return {k: v for k, v in asdict(params).items() if old[k] != v}


def ablations(base: RankParams = DEFAULT_PARAMS) -> dict[str, RankParams]:
    """One variant of ``base`` per component: ``paperfeed -name`` with the component off
    when ``base`` has it on, ``paperfeed +name`` with it on otherwise."""
    out = {}
    for c in COMPONENTS:
        on = c.is_on(base)
        out[f"{PAPERFEED} {'-' if on else '+'}{c.name}"] = replace(base, **(c.off if on else c.on))
    return out


def variants(
    base: RankParams = DEFAULT_PARAMS, *, with_ablations: bool = False
) -> dict[str, RankParams]:
    """The paperfeed variants a sweep runs beside ``base``: the previous defaults when
    they differ from it, and with ``with_ablations`` one variant per component."""
    out = {}
    if changes(PREVIOUS_PARAMS, base):
        out[f"{PAPERFEED} (before)"] = PREVIOUS_PARAMS
    if with_ablations:
        out.update(ablations(base))
    return out
