"""The ranker's knobs: signal weights, MMR and classifier settings, and their defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RankParams:
    """Weights of the fused score; each component is z-scored over the candidates first."""

    # The defaults keep only the parts whose ablation costs nDCG@10 with an interval that
    # excludes zero on the held-out windows of `paperfeed eval authors --windows`: max-sim,
    # the lexical classifier and bigrams (benchmarks/README.md, "Generalization"). The
    # others are options, off; the weight each had before is in evaluation/ablations.py.
    dense_weight: float = 1.0  # best cosine to any profile paper (multi-interest max-sim)
    interest_weight: float = 0.0  # cosine to the closest interest centroid (was 0.3)
    lexical_weight: float = 0.0  # best BM25 against any single profile paper (was 0.5)
    profile_lexical_weight: float = 0.0  # BM25, the whole profile as one query (was 0.7)
    negative_weight: float = 0.5  # share of the cosine to the closest downvoted paper subtracted
    recency_weight: float = 0.0  # bonus for the newest candidates (was 0.15)
    recency_half_life_days: float = 30.0
    # Profile papers weighted by age: a paper ``h`` days older than the profile's newest
    # counts half as much in the classifiers and the profile's BM25 query. 0: all alike.
    profile_half_life_days: float = 0.0
    # Popularity prior: log1p(Hugging Face upvotes), z-scored over the candidates like the other
    # signals (no upvote data counts as 0). Off: it could not be measured (benchmarks/README.md).
    popularity_weight: float = 0.0
    # MMR and the interest penalty spread a list over the user's interests (a product
    # promise nDCG does not measure); their ablation shows no cost (benchmarks/README.md).
    diversity: float = 0.15  # MMR trade-off; 0 = pure relevance order
    interest_penalty: float = 0.1  # discourages one interest filling the list
    interest_similarity: float = 0.35  # average cosine that keeps profile papers in one interest
    mmr_pool: int = 200
    shared_terms: int = 5
    use_bigrams: bool = True
    # Per-user classifier (paperfeed.rank.learn): profile and upvoted papers against the
    # downvoted ones and, weakly, the candidates themselves.
    classifier_weight: float = 0.0  # on the embeddings (was 0.5)
    lexical_classifier_weight: float = 0.5  # on L2-normalized BM25 term weights
    classifier_negative_weight: float = 1.0
    classifier_l2: float = 1.0
    classifier_full_at: int = 5  # profile papers (and upvotes) at which they get full weight
    # Query by example (paperfeed.rank.similar): a relevance order, chosen on CSFCube's dev
    # folds (benchmarks/README.md).
    similar_feedback: int = 3  # pseudo-relevance feedback: the closest candidates averaged in
    similar_feedback_weight: float = 0.25  # their mean's weight next to the query's vector
    similar_lexical_weight: float = 0.2  # BM25 of the query's text, next to the cosine
    similar_diversity: float = 0.0  # MMR trade-off for a similar list; 0 = relevance order


DEFAULT_PARAMS = RankParams()
