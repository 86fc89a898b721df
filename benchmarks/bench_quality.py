"""Ranking quality: CSFCube and the author-history benchmark on four arXiv windows and one
conference-papers window, paperfeed next to its baselines, as markdown tables (the same
code as `paperfeed eval`).

Embeddings are cached in the store of the paperfeed home, so only the first run embeds
(≈ 5–12 thousand papers per window, about 10 minutes each on 2 cores). Usage:

    .venv/bin/python benchmarks/bench_quality.py [--home DIR] [--data ../shared/data]
        [--json results.json] [--only csfcube|authors] [--windows T1,T2]
        [--users 300] [--feedback-rounds R]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from paperfeed.evaluation import authors, csfcube
from paperfeed.evaluation.harness import markdown_table
from paperfeed.models import Paper
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings, data_dir

WINDOWS: tuple[tuple[str, str, int], ...] = (
    ("arxiv-cs-2025-2026.jsonl.gz", "2026-02-01", 28),  # the reference window
    ("arxiv-cs-2025-2026.jsonl.gz", "2025-09-01", 28),
    ("arxiv-cs-2025-2026.jsonl.gz", "2025-12-01", 28),
    ("arxiv-cs-2025-2026.jsonl.gz", "2026-06-01", 28),
    # another domain and era: conference papers, publication years as the time axis
    ("conference-papers.jsonl.gz", "2019-01-01", 365),
)
"""Reported windows. Ranker settings were chosen on CSFCube's dev folds and on the
2025-06-01 window of the arXiv corpus, none of these."""
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
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    ap.add_argument("--only", choices=["csfcube", "authors"], default=None)
    ap.add_argument(
        "--windows",
        default=None,
        help="comma-separated T dates of WINDOWS to run (default: all)",
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
        wanted = set(args.windows.split(",")) if args.windows else None
        corpora: dict[str, list[authors.Row]] = {}
        first = True
        for corpus, t, days in WINDOWS:
            if wanted is not None and t not in wanted:
                continue
            if corpus not in corpora:
                corpora[corpus] = authors.read_corpus(args.data / corpus)
            rounds = args.feedback_rounds if first else 0
            first = False
            t0 = time.perf_counter()
            rep = authors.evaluate_window(
                corpora[corpus],
                embed,
                t,
                days,
                users=args.users,
                seed=SEED,
                feedback_rounds=rounds,
                progress=progress,
            )
            print(f"## Author history, {corpus}, T={t}, {days} days, seed {SEED}\n")
            print(rep.describe() + "\n")
            print(markdown_table(rep.results, authors.METRICS, digits=3))
            for metric, title in authors.FEEDBACK_TABLES.items() if rounds else ():
                print(f"\nFeedback simulation, {metric}: {title}\n")
                cols = authors.feedback_columns(rounds, metric)
                print(markdown_table(rep.results, cols, digits=3))
            print(f"\n({time.perf_counter() - t0:.0f} s)\n", flush=True)
            everything[f"authors {corpus} {t} {days}d"] = {
                "describe": rep.describe(),
                "results": rep.results,
            }
            if args.json:  # written as we go: a long run that is stopped keeps what it did
                args.json.write_text(json.dumps(everything, indent=1))
    app.close()
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1))


if __name__ == "__main__":
    main()
