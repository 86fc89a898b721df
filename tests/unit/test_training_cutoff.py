"""The training-set builder uses only papers listed before the cut-off: a later (or undated)
paper given to it is refused, no pair holds a paper on/after the cut-off, and train and
held-out pairs share no paper. Plus what each signal finds."""

from __future__ import annotations

import pytest

from paperfeed.models import Paper
from paperfeed.training import (
    DEFAULT_CUTOFFS,
    CutoffError,
    PairOptions,
    build_training_set,
    corpus_kind,
    resolve_cutoff,
)

CUTOFF = DEFAULT_CUTOFFS["arxiv"]
TOPICS = [
    "spiking neuromorphic photonic reservoir",
    "hyperbolic knowledge graph embeddings",
    "lattice boltzmann turbulence surrogate",
    "quantum error mitigation zero-noise extrapolation",
    "federated unlearning certified removal",
    "wildfire smoke satellite segmentation",
    "protein inverse folding diffusion",
    "tactile gelsight slip detection",
]


def corpus(n_per_topic: int = 4, first_day: str = "2025-03-") -> list[Paper]:
    """Papers in topics of rare shared words; authors per topic (same lab), dated early."""
    papers = []
    for t, topic in enumerate(TOPICS):
        for k in range(n_per_topic):
            papers.append(
                Paper(
                    id=f"2503.{t:02d}{k:03d}",
                    title=f"Study {k} of {topic} number {t}",
                    abstract=f"We revisit {topic} with method {k}. Our {topic} results improve "
                    f"over prior {topic} baselines on benchmark {t}.",
                    authors=(f"Alice Lab{t}", f"Bob Group{t}", f"Writer {t}-{k}"),
                    date=f"{first_day}{1 + k:02d}",
                )
            )
    return papers


def test_the_builder_refuses_a_paper_dated_on_or_after_the_cutoff() -> None:
    late = Paper(id="2509.00001", title="Late", abstract="after the cut-off", date=CUTOFF)
    with pytest.raises(CutoffError, match=r"2509\.00001.*on or after the training cut-off"):
        build_training_set([*corpus(), late], CUTOFF)
    later = Paper(id="2601.00001", title="Later", abstract="x", date="2026-01-15")
    with pytest.raises(CutoffError, match=r"2601\.00001"):
        build_training_set([later, *corpus()], CUTOFF)


def test_an_undated_paper_is_refused_too() -> None:
    with pytest.raises(CutoffError, match="no date"):
        build_training_set([*corpus(), Paper(id="x1", title="t", abstract="a")], CUTOFF)


def test_no_pair_holds_a_paper_on_or_after_the_cutoff_and_the_split_is_by_paper() -> None:
    papers = corpus()
    # the same corpus checked against an earlier cut-off: only the papers before it may pass
    early_cut = "2025-03-04"
    before = [p for p in papers if p.date < early_cut]
    ts = build_training_set(before, early_cut, PairOptions(heldout_fraction=0.3, seed=3))
    assert ts.train and ts.heldout
    dates = {p.id: p.date for p in papers}
    for pair in (*ts.train, *ts.heldout):
        assert dates[pair.a] < early_cut and dates[pair.b] < early_cut
    assert not ts.train_ids & ts.heldout_ids
    assert all(p.date < early_cut for p in ts.papers.values())
    with pytest.raises(CutoffError):
        build_training_set(papers, early_cut)


def test_the_default_cutoffs_may_only_move_earlier() -> None:
    assert resolve_cutoff("arxiv") == "2025-09-01"
    assert resolve_cutoff("conference") == "2019-01-01"
    assert resolve_cutoff("arxiv", "2025-06-01") == "2025-06-01"
    with pytest.raises(ValueError, match="may only move earlier"):
        resolve_cutoff("arxiv", "2025-10-01")
    with pytest.raises(ValueError, match="may only move earlier"):
        resolve_cutoff("conference", "2019-01-02")
    conf = [Paper(id=f"conf:x{i}", title="t", venue="nips", date="2018-01-01") for i in range(3)]
    assert corpus_kind(conf) == "conference"
    assert corpus_kind(corpus()) == "arxiv"


def test_each_signal_finds_its_pairs() -> None:
    cited = Paper(
        id="2503.99001",
        title="A Thing",
        abstract="We extend the approach of arXiv:2503.00000 to a new setting.",
        date="2025-03-20",
    )
    by_title = Paper(
        id="2503.99002",
        title="Another thing",
        abstract="Unlike Study 1 of hyperbolic knowledge graph embeddings number 1, we do more.",
        date="2025-03-21",
    )
    ts = build_training_set(
        [*corpus(), cited, by_title], CUTOFF, PairOptions(heldout_fraction=0.0, seed=1)
    )
    signals = {(p.a, p.b): p.signal for p in ts.train}
    assert signals[("2503.00000", "2503.99001")] == "citation"
    assert signals[("2503.01001", "2503.99002")] == "citation"
    assert {"author", "terms"} <= set(ts.found)
    # pairs never cross topics: every topic has its own rare words and its own lab
    assert all(p.a[5:7] == p.b[5:7] for p in ts.train if p.signal != "citation")
    only_terms = build_training_set(corpus(), CUTOFF, PairOptions(signals=("terms",)))
    assert {p.signal for p in only_terms.train} == {"terms"}
    everything = build_training_set(corpus(), CUTOFF, PairOptions())
    assert only_terms.heldout == everything.heldout  # every run is judged on the same pairs
    with pytest.raises(ValueError, match="unknown signal"):
        build_training_set(corpus(), CUTOFF, PairOptions(signals=("cocitation",)))


def test_a_name_shared_by_two_people_on_unrelated_papers_is_no_pair() -> None:
    a = Paper(id="a1", title="Graph spectra", abstract="eigenvalues of sparse random graphs",
              authors=("Wei Zhang",), date="2025-01-02")  # fmt: skip
    b = Paper(id="b1", title="Soil moisture", abstract="irrigation sensors for vineyards",
              authors=("Wei Zhang",), date="2025-01-03")  # fmt: skip
    ts = build_training_set([a, b], CUTOFF, PairOptions(signals=("author",)))
    assert not ts.found
