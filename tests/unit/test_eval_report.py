"""Windows, sweeps and their reports: the fixed split, intervals over users, paired
differences, pooled figures, the results file round trip."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from paperfeed.embed import HashingEmbedder
from paperfeed.evaluation import report as rp
from paperfeed.evaluation.ablations import COMPONENTS, ablations, changes, variants
from paperfeed.evaluation.harness import PAPERFEED
from paperfeed.evaluation.methods import TWO_TERM
from paperfeed.evaluation.windows import (
    HELD_OUT,
    TUNING,
    WINDOWS,
    Window,
    WindowResult,
    run_windows,
    select_windows,
)
from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, RankParams


def test_the_split_is_fixed_and_covers_the_corpus() -> None:
    arxiv = [w for w in WINDOWS if w.corpus.startswith("arxiv")]
    assert len(arxiv) >= 8
    assert min(w.t for w in arxiv) <= "2025-07-01" and max(w.t for w in arxiv) >= "2026-07-01"
    assert {w.name for w in WINDOWS if w.role == TUNING} == {
        "arxiv-2025-11",
        "arxiv-2025-12",
        "arxiv-2026-02",
    }
    assert all(w.role in (TUNING, HELD_OUT) for w in WINDOWS)
    assert any(w.corpus.startswith("conference") and w.role == HELD_OUT for w in WINDOWS)
    assert len({w.name for w in WINDOWS}) == len(WINDOWS)


def test_select_windows() -> None:
    assert select_windows("all") == list(WINDOWS)
    assert [w.role for w in select_windows("tuning")] == [TUNING] * 3
    assert all(w.role == HELD_OUT for w in select_windows("held-out"))
    got = select_windows("arxiv-2026-02, 2025-07-01,arxiv-2026-02")
    assert [w.name for w in got] == ["arxiv-2026-02", "arxiv-2025-07"]
    with pytest.raises(ValueError, match="unknown window 'arxiv-1999-01'"):
        select_windows("arxiv-1999-01")


def result(name: str, role: str, per_user: dict[str, dict[str, list[float]]]) -> WindowResult:
    n = len(next(iter(next(iter(per_user.values())).values())))
    return WindowResult(Window(name, "c.jsonl.gz", "2026-01-01", 28, role), n, 9, 50, n, per_user)


def figures(values: list[float]) -> dict[str, list[float]]:
    return {k: list(values) for k in rp.METRICS}


def test_intervals_and_paired_differences_of_a_window() -> None:
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, 200).tolist()
    r = result(
        "w",
        HELD_OUT,
        {
            PAPERFEED: figures([v + 0.05 for v in base]),
            TWO_TERM: figures(base),
            "bm25": figures([v * 0.5 for v in base]),
        },
    )
    boot = rp.Bootstrap(resamples=500, seed=3)
    cis = rp.window_intervals(r, boot)
    assert cis[TWO_TERM]["nDCG@10"].mean == pytest.approx(np.mean(base))
    assert cis[TWO_TERM]["nDCG@10"].hi - cis[TWO_TERM]["nDCG@10"].lo > 0.05
    d = rp.window_differences(r, boot)
    assert set(d) == {TWO_TERM, "bm25"}
    assert d[TWO_TERM]["MRR"].mean == pytest.approx(0.05)
    assert d[TWO_TERM]["MRR"].hi - d[TWO_TERM]["MRR"].lo < 1e-9  # paired: no user noise
    assert rp.best_anchor(r) == "bm25"  # the only anchor that ran
    text = rp.window_report(r, boot)
    assert (
        "w (held-out)" in text and "| two-term-fusion" in text and "+0.050 [+0.050, +0.050]" in text
    )


def test_summary_pools_windows_by_role() -> None:
    users = [0.1, 0.2, 0.3, 0.4]
    rs = [
        result(
            f"h{i}",
            HELD_OUT,
            {
                PAPERFEED: figures([u + 0.1 for u in users]),
                TWO_TERM: figures(users),
                "bm25": figures([u + 0.02 * i for u in users]),
                "minilm-maxsim": figures([0.0] * 4),
            },
        )
        for i in range(3)
    ]
    rs.append(result("t", TUNING, {PAPERFEED: figures(users), TWO_TERM: figures(users)}))
    boot = rp.Bootstrap(resamples=200)
    held = rp.pooled(rs[:3], PAPERFEED, None, boot, "nDCG@10")
    assert held is not None
    # the best anchor is bm25 in every window: 0.1 - 0.02 * i on average
    assert held.mean == pytest.approx(np.mean([0.1 - 0.02 * i for i in range(3)]))
    assert rp.pooled(rs, PAPERFEED, None, boot, "nDCG@10") is None  # "t" ran no anchor
    text = rp.summary_report(rs, boot)
    assert "nDCG@10 held-out (3)" in text and "nDCG@10 tuning (1)" in text
    assert "| held-out, pooled" in text and "+0.100 [+0.100, +0.100]" in text


def test_results_file_round_trip_gives_the_same_report(tmp_path: Path) -> None:
    nan = math.nan

    def with_round(values: list[float], round1: list[float]) -> dict[str, list[float]]:
        keys = ("nDCG@10_round1", "nDCG@10_noFB1", "Recall_round1", "Recall_noFB1")
        return {**figures(values), **{k: round1 for k in keys}}

    r = result(
        "w",
        TUNING,
        {
            PAPERFEED: with_round([0.5, 0.25, 0.0], [nan, 0.2, 0.1]),
            TWO_TERM: with_round([0.4, 0.25, 0.1], [nan, 0.1, 0.1]),
            "paperfeed -recency": with_round([0.5, 0.2, 0.0], [nan, 0.0, 0.0]),
        },
    )
    sweep = rp.Sweep([r], 3, 1, {"paperfeed -recency": {"recency_weight": 0.0}})
    path = tmp_path / "results.json"
    rp.write_results(sweep, path)
    back = rp.read_results(path)
    assert back.variants == sweep.variants and back.users == 3
    assert math.isnan(back.results[0].per_user[PAPERFEED]["nDCG@10_round1"][0])
    boot = rp.Bootstrap(resamples=200, seed=1)
    assert rp.full_report(back, boot) == rp.full_report(sweep, boot)
    assert rp.report_json(back, boot) == rp.report_json(sweep, boot)
    text = rp.full_report(sweep, boot)
    assert "Ablations, nDCG@10" in text and "Feedback simulation, nDCG@10" in text
    assert "| paperfeed          |         0.150 |" in text  # round 1: the two known users
    (tmp_path / "bad.json").write_text('{"format": 1, "windows": [{"name": 3}]}')
    with pytest.raises(ValueError, match="damaged results file"):
        rp.read_results(tmp_path / "bad.json")
    (tmp_path / "worse.json").write_text("{")
    with pytest.raises(ValueError, match="not a results file"):
        rp.read_results(tmp_path / "worse.json")


def test_merged_sweeps_keep_each_window_once() -> None:
    a = result("a", HELD_OUT, {PAPERFEED: figures([0.1, 0.2]), "paperfeed -x": figures([0, 0])})
    b = result("b", TUNING, {PAPERFEED: figures([0.3, 0.2]), TWO_TERM: figures([0.1, 0.1])})
    one = rp.Sweep([a], 2, 1, {"paperfeed -x": {"x": 0}})
    two = rp.Sweep([b, a], 2, 1, {})
    merged = rp.merge_sweeps([one, two])
    assert [r.window.name for r in merged.results] == ["a", "b"]
    assert merged.variants == {"paperfeed -x": {"x": 0}}
    text = rp.ablation_report(merged, rp.Bootstrap(resamples=100))
    assert "| paperfeed -x | -0.150* |   |" in text  # window b did not run it
    with pytest.raises(ValueError, match="drew their users differently"):
        rp.merge_sweeps([one, rp.Sweep([b], 2, 2, {})])


def test_ablations_switch_each_component() -> None:
    got = ablations(DEFAULT_PARAMS)
    assert len(got) == len(COMPONENTS)
    for c in COMPONENTS:
        on = c.is_on(DEFAULT_PARAMS)
        name = f"{PAPERFEED} {'-' if on else '+'}{c.name}"
        assert changes(got[name]) == {
            k: v for k, v in (c.off if on else c.on).items() if getattr(DEFAULT_PARAMS, k) != v
        }
        assert changes(got[name])  # every variant changes something
    off = replace(DEFAULT_PARAMS, recency_weight=0.0)
    assert f"{PAPERFEED} +recency" in ablations(off)
    assert f"{PAPERFEED} -recency" not in ablations(off)
    assert set(variants(with_ablations=True)) >= set(got)
    assert changes(RankParams(diversity=0.5)) == {"diversity": 0.5}


WORDS = [
    "graph neural network message passing node",
    "speech recognition acoustic phoneme audio",
    "image segmentation pixel convolution mask",
    "reinforcement learning policy reward agent",
]


def write_corpus(path: Path) -> None:
    """Four pairs of coauthors, one pair per topic, with three papers before February and
    one in it; background papers on every topic."""
    rows = []
    for t, words in enumerate(WORDS):
        for i, day in enumerate(["2026-01-03", "2026-01-09", "2026-01-20", "2026-02-04"]):
            rows.append(
                {
                    "id": f"{t}.{i}",
                    "title": f"{words} {i}",
                    "abstract": f"{words} {words.split()[i % 3]} study {i}",
                    "authors": [f"Author Number{t}", f"Coauthor Person{t}"],
                    "listing_date": day,
                }
            )
        for i in range(6):
            rows.append(
                {
                    "id": f"bg{t}.{i}",
                    "title": f"background {i}",
                    "abstract": f"{words} other {i}",
                    "authors": [f"Someone Else{t}x{i}"],
                    "listing_date": f"2026-0{1 + i % 2}-1{i}",
                }
            )
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)


def test_run_windows_runs_every_window_and_variant(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    write_corpus(tmp_path / "c.jsonl.gz")
    emb = HashingEmbedder(64)
    seen: list[int] = []

    def embed(papers: Sequence[Paper]) -> np.ndarray:
        seen.append(len(papers))
        return emb.embed([p.text for p in papers])

    wins = [
        Window("feb", "c.jsonl.gz", "2026-02-01", 28, HELD_OUT),
        Window("feb-again", "c.jsonl.gz", "2026-02-01", 28, TUNING),
    ]
    var = {"paperfeed -recency": replace(DEFAULT_PARAMS, recency_weight=0.0)}
    got = run_windows(
        wins, tmp_path, embed, users=10, variants=var, methods=[PAPERFEED, TWO_TERM, "bm25"]
    )
    assert [r.window.name for r in got] == ["feb", "feb-again"]
    assert len(seen) == 2  # one embedding call per window
    assert got[0].users == 8 and got[0].relevant == 8  # each author and their coauthor
    assert got[0].methods == [PAPERFEED, TWO_TERM, "bm25", "paperfeed -recency"]
    assert got[0].per_user == got[1].per_user  # the same window twice: the same figures
    for m in got[0].methods:
        assert all(0.0 <= v <= 1.0 for v in got[0].per_user[m]["nDCG@10"])
    assert got[0].mean(TWO_TERM, "Recall@50") == 1.0  # one topic per author: all found
