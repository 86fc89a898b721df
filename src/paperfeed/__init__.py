"""paperfeed: a self-hosted, personalized research-paper recommender."""

__version__ = "0.1.0"
