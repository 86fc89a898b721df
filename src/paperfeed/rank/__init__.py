"""Pure ranking: lexical and dense scoring, interests, diversity, explanations."""

from paperfeed.rank.params import DEFAULT_PARAMS, RankParams
from paperfeed.rank.pool import CandidatePool, prepare_candidates
from paperfeed.rank.ranker import rank, rank_orders
from paperfeed.rank.similar import rank_similar

__all__ = [
    "DEFAULT_PARAMS",
    "CandidatePool",
    "RankParams",
    "prepare_candidates",
    "rank",
    "rank_orders",
    "rank_similar",
]
