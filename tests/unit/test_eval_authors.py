"""The author-history benchmark's construction rules on a synthetic corpus."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from paperfeed.embed import HashingEmbedder
from paperfeed.evaluation.authors import (
    METHODS,
    METRICS,
    Row,
    build_benchmark,
    eligible_authors,
    evaluate_window,
    sample_users,
    user_metrics,
    window_end,
)
from paperfeed.evaluation.metrics import ndcg_at_k
from paperfeed.models import Paper

T = "2026-02-01"


def row(pid: str, day: str, *authors: str, title: str = "", abstract: str = "") -> Row:
    return Row(pid, title or f"title {pid}", abstract or f"abstract {pid}", tuple(authors), day)


def history(name: str, n: int, coauthor: str = "Co Author", start: int = 0) -> list[Row]:
    """``n`` papers of ``name`` (with ``coauthor``) listed in January 2026."""
    return [
        row(f"{name}-{start + i}", f"2026-01-{1 + i % 28:02d}", name, coauthor) for i in range(n)
    ]


def test_window_end() -> None:
    assert window_end("2026-02-01", 28) == "2026-03-01"
    assert window_end("2025-12-20", 14) == "2026-01-03"


def test_eligibility_rules() -> None:
    rows = [
        *history("Ada Lovelace", 3),  # eligible: 3 papers, window paper with the coauthor
        row("w1", "2026-02-03", "Ada Lovelace", "Co Author"),
        *history("Plato", 5),  # one-word name
        row("w2", "2026-02-03", "Plato", "Co Author"),
        *history("Two Papers", 2),  # too few
        row("w3", "2026-02-03", "Two Papers", "Co Author"),
        *history("Many Papers", 41),  # too many
        row("w4", "2026-02-03", "Many Papers", "Co Author"),
        *history("Forty Papers", 40),  # the upper bound is inclusive
        row("w5", "2026-02-28", "Forty Papers", "Co Author"),
        *history("New Team", 4, coauthor="Old Friend"),  # no coauthor shared
        row("w6", "2026-02-03", "New Team", "Someone Else"),
        *history("Too Late", 4),  # window paper after the window
        row("w7", "2026-03-01", "Too Late", "Co Author"),
        *history("No Window", 4),
        *history("Solo Writer", 4, coauthor="Solo Writer"),  # no coauthor at all
        row("w8", "2026-02-02", "Solo Writer"),
    ]
    assert eligible_authors(rows, T, 28) == ["Ada Lovelace", "Forty Papers"]
    # the coauthor: is "Co Author" itself eligible? It has 3+4+... papers but >40 in total.
    assert "Co Author" not in eligible_authors(rows, T, 28)


def test_a_paper_counts_once() -> None:
    twice = row("p", "2026-01-02", "Ada Lovelace", "Ada Lovelace", "Coauthor")
    window = row("w", "2026-02-02", "Ada Lovelace", "Coauthor")
    rows = [twice, twice, *history("Ada Lovelace", 1, coauthor="Coauthor"), window]
    assert eligible_authors(rows, T, 28) == []  # two papers, however often listed
    rows.append(row("q", "2026-01-03", "Ada Lovelace"))
    assert eligible_authors(rows, T, 28) == ["Ada Lovelace"]


def test_sample_is_sorted_then_seeded() -> None:
    names = [f"Name {c}" for c in "qwertyuiopasdfghjkl"]
    got = sample_users(names, 5, seed=7)
    assert got == random.Random(7).sample(sorted(names), 5)
    assert sample_users(list(reversed(names)), 5, seed=7) == got  # input order is irrelevant
    assert sample_users(names, 5, seed=8) != got
    assert sorted(sample_users(names, 100, seed=1)) == sorted(names)


def test_build_benchmark_profiles_candidates_and_no_authors() -> None:
    rows = [
        row("b", "2026-01-20", "Ada Lovelace", "Co Author"),
        row("a", "2026-01-05", "Ada Lovelace", "Co Author"),
        row("c", "2026-01-20", "Ada Lovelace"),
        row("old", "2025-12-01", "Someone Else"),
        row("w1", "2026-02-03", "Ada Lovelace", "Co Author"),
        row("w2", "2026-02-10", "Other Person"),
        row("after", "2026-03-02", "Ada Lovelace", "Co Author"),
    ]
    b = build_benchmark(rows, T, 28, users=300, seed=1)
    assert b.n_eligible == 1
    (user,) = b.users
    assert user.profile == ("a", "b", "c")  # oldest first, ties by id
    assert user.relevant == {"w1"}
    assert b.candidates == ("w1", "w2")
    assert all(isinstance(p, Paper) and p.authors == () for p in b.papers.values())
    assert b.papers["w1"].date == "2026-02-03"


def test_build_benchmark_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        build_benchmark([], "2026-02-30", 28)
    with pytest.raises(ValueError):
        build_benchmark([], T, 0)


def test_user_metrics() -> None:
    m = user_metrics([False, True, False], 1)
    assert m["nDCG@10"] == pytest.approx(1 / np.log2(3))
    assert m["MRR"] == pytest.approx(0.5)
    assert m["Recall@50"] == 1.0
    far = user_metrics([False] * 60 + [True], 2)
    assert far == {"nDCG@10": 0.0, "Recall@50": 0.0, "MRR": pytest.approx(1 / 61)}


TOPICS = [
    "graph neural network message passing node",
    "speech recognition acoustic phoneme audio",
    "image segmentation pixel convolution mask",
    "reinforcement learning policy reward agent",
    "compiler optimization register allocation loop",
    "database query index transaction storage",
    "robot grasping manipulation gripper tactile",
    "cryptography encryption key protocol zero",
]


def synthetic_corpus(seed: int = 0) -> list[Row]:
    """One author per topic writing on it, plus background papers on every topic."""
    rng = random.Random(seed)
    rows: list[Row] = []

    def text(topic: int) -> str:
        words = TOPICS[topic].split()
        return " ".join(rng.choice(words) for _ in range(25)) + f" filler{rng.randint(0, 99)}"

    for t in range(len(TOPICS)):
        name = f"Author Topic{t}"
        for i in range(4):
            rows.append(
                row(f"a{t}-{i}", f"2026-01-{2 + i:02d}", name, f"Coauthor{t}", abstract=text(t))
            )
        rows.append(row(f"w{t}", "2026-02-05", name, f"Coauthor{t}", abstract=text(t)))
    for i in range(160):
        t = i % len(TOPICS)
        day = f"2026-01-{1 + i % 28:02d}" if i < 100 else f"2026-02-{1 + i % 27:02d}"
        rows.append(row(f"bg{i}", day, f"Back Ground{i}", abstract=text(t)))
    return rows


def test_every_method_runs_and_the_author_topics_are_found() -> None:
    pytest.importorskip("sklearn")
    rows = synthetic_corpus()
    emb = HashingEmbedder(64)
    report = evaluate_window(rows, lambda ps: emb.embed([p.text for p in ps]), T, 28, users=300)
    assert len(report.bench.users) == len(TOPICS)
    assert set(report.results) == set(METHODS)
    for method, values in report.results.items():
        assert set(values) == set(METRICS)
        assert all(0.0 <= v <= 1.0 for v in values.values())
        # 60 candidates, 7-8 on the user's topic: every method should find the paper.
        assert values["Recall@50"] >= 0.75, method
    assert "T=2026-02-01" in report.describe()


def test_feedback_rounds_score_only_what_was_not_shown() -> None:
    """Every round's figure is reported for every method; a user whose one window paper
    was among the first ten shown has nothing left to find (no nDCG, recall 1), and the
    no-feedback figure ranks the same residual feed with the first ranking."""
    pytest.importorskip("sklearn")
    rows = synthetic_corpus(seed=3)
    emb = HashingEmbedder(64)
    report = evaluate_window(
        rows, lambda ps: emb.embed([p.text for p in ps]), T, 28, users=300, feedback_rounds=2
    )
    for method, values in report.results.items():
        for r in (1, 2):
            for key in ("nDCG@10_round", "nDCG@10_noFB", "Recall_round", "Recall_noFB"):
                assert 0.0 <= values[f"{key}{r}"] <= 1.0, method
        for user in report.per_user[method]:
            assert user["Recall_round1"] <= user["Recall_round2"], method
            assert user["Recall_noFB1"] <= user["Recall_noFB2"], method
            if user["MRR"] >= 0.1:  # the single relevant paper was in the first ten
                assert math.isnan(user["nDCG@10_round1"]), method
                assert math.isnan(user["nDCG@10_noFB1"]), method
                assert user["Recall_round1"] == user["Recall_noFB1"] == 1.0, method
            else:  # still to find: feedback re-ranks, reading on does not
                assert user["nDCG@10_noFB1"] == pytest.approx(
                    ndcg_at_k([0.0] * (int(1 / user["MRR"]) - 11) + [1.0], 10, ideal_gains=[1.0])
                ), method
                assert user["Recall_noFB1"] == (1.0 if user["MRR"] >= 1 / 20 else 0.0)
