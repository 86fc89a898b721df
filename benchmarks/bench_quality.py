"""Ranking quality: CSFCube and the author-history sweep (the windows of
``paperfeed.evaluation.windows``: eleven arXiv windows and one conference-papers window),
paperfeed next to its baselines, as markdown tables with bootstrap intervals (the same
code as `paperfeed eval`).

Embeddings are cached in the store of the paperfeed home, so only the first run embeds
(≈ 3–8 thousand papers per window). Usage:

    .venv/bin/python benchmarks/bench_quality.py [--home DIR] [--data ../shared/data]
        [--json csfcube.json] [--results authors.json] [--only csfcube|authors]
        [--windows all|tuning|held-out|NAMES] [--users 300] [--feedback-rounds R]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from paperfeed.evaluation import csfcube, report
from paperfeed.evaluation.harness import markdown_table
from paperfeed.evaluation.windows import WindowResult, run_windows, select_windows
from paperfeed.models import Paper
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings, data_dir

USERS = 300
SEED = 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=None, help="paperfeed home (its store caches)")
    ap.add_argument(
        "--data",
        type=Path,
        default=data_dir(),
        help="the shared data directory",
    )
    ap.add_argument("--json", type=Path, default=None, help="also write CSFCube's figures here")
    ap.add_argument(
        "--results",
        type=Path,
        default=None,
        help="also write every user's author-history figures here ('paperfeed eval report')",
    )
    ap.add_argument("--only", choices=["csfcube", "authors"], default=None)
    ap.add_argument(
        "--windows",
        default=None,
        help="the author-history windows: all, tuning, held-out or names (default: all)",
    )
    ap.add_argument("--users", type=int, default=USERS)
    ap.add_argument(
        "--feedback-rounds",
        type=int,
        default=0,
        help="also simulate this many feedback rounds on the first window run",
    )
    args = ap.parse_args()

    cfg = Settings.load(args.home)
    progress = sys.stderr.isatty()
    app = Paperfeed.open(cfg, progress=progress)

    def embed(papers: Sequence[Paper]) -> np.ndarray:
        return app.vectors(papers)

    everything: dict[str, object] = {"embedder": app.embedder.name}
    if args.only in (None, "csfcube"):
        t0 = time.perf_counter()
        data = csfcube.load_csfcube(args.data / "csfcube")
        res = csfcube.run_csfcube(data, embed, progress=progress)
        print(f"## CSFCube ({len(data.queries)} query-facet pairs, %)\n")
        print(markdown_table(res, csfcube.METRICS, digits=2))
        print(f"\n({time.perf_counter() - t0:.0f} s)\n", flush=True)
        everything["csfcube"] = res
        if args.json:
            args.json.write_text(json.dumps(everything, indent=1))
    if args.only in (None, "authors"):
        boot = report.Bootstrap(seed=SEED)
        done: list[WindowResult] = []
        for i, w in enumerate(select_windows(args.windows or "all")):
            t0 = time.perf_counter()
            rounds = args.feedback_rounds if i == 0 else 0
            (res,) = run_windows(
                [w],
                args.data,
                embed,
                users=args.users,
                seed=SEED,
                feedback_rounds=rounds,
                progress=progress,
            )
            done.append(res)
            print(f"## Author history, {w.name} ({w.role}), seed {SEED}\n")
            print(report.window_report(res, boot))
            if rounds:
                print("\n" + report.feedback_report(res, rounds))
            print(f"\n({time.perf_counter() - t0:.0f} s)\n", flush=True)
            if args.results:  # written as we go: a long run that is stopped keeps what it did
                report.write_results(report.Sweep(done, args.users, SEED, {}), args.results)
        print("## Author history, summary\n")
        print(report.summary_report(done, boot))
    app.close()
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1))


if __name__ == "__main__":
    main()
