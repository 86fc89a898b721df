"""Pure ranking: lexical and dense scoring, interests, diversity, explanations."""

from paperfeed.rank.ranker import (
    DEFAULT_PARAMS,
    CandidatePool,
    RankParams,
    prepare_candidates,
    rank,
)

__all__ = ["DEFAULT_PARAMS", "CandidatePool", "RankParams", "prepare_candidates", "rank"]
