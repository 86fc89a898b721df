"""Ranking-quality benchmarks: CSFCube and the author-history benchmark, with baselines.

``paperfeed eval csfcube`` and ``paperfeed eval authors`` (:mod:`paperfeed.cli.evaluate`)
run paperfeed's own ranker (:func:`paperfeed.rank.rank`) next to reference methods in the
same process. Metrics and baselines are pure functions; embeddings come through the services.
"""
