"""Relatedness learned from a corpus: pairs of related papers listed before a cut-off
(:mod:`~paperfeed.training.pairs`, pure), the held-out pair accuracy that judges a model
(:mod:`~paperfeed.training.heldout`, pure numpy) and the contrastive fine-tuning of MiniLM's
top layers (:mod:`~paperfeed.training.finetune`, torch; imported only when training)."""

from __future__ import annotations

from paperfeed.training.pairs import (
    DEFAULT_CUTOFFS,
    SIGNALS,
    CutoffError,
    Pair,
    PairOptions,
    TrainingSet,
    build_training_set,
    corpus_kind,
    resolve_cutoff,
)

__all__ = [
    "DEFAULT_CUTOFFS",
    "SIGNALS",
    "CutoffError",
    "Pair",
    "PairOptions",
    "TrainingSet",
    "build_training_set",
    "corpus_kind",
    "resolve_cutoff",
]
