"""Ranking quality: CSFCube and the author-history benchmark on four windows, paperfeed
next to its baselines, as markdown tables (the same code as `paperfeed eval`).

Embeddings are cached in the store of the paperfeed home, so only the first run embeds
(a few thousand papers per window). Usage:

    .venv/bin/python benchmarks/bench_quality.py [--home DIR] [--data ../shared/data]
        [--json results.json] [--only csfcube|authors]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from paperfeed.config import Config
from paperfeed.embed import get_embedder
from paperfeed.evaluation import authors, csfcube
from paperfeed.evaluation.harness import markdown_table
from paperfeed.models import Paper
from paperfeed.services import embed_papers
from paperfeed.store import open_store

WINDOWS: tuple[tuple[str, int], ...] = (
    ("2026-02-01", 28),  # the reference window
    ("2025-09-01", 28),
    ("2025-12-01", 28),
    ("2026-06-01", 28),
)
USERS = 300
SEED = 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=None, help="paperfeed home (its store caches)")
    ap.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("PAPERFEED_DATA") or "../shared/data"),
        help="the shared data directory",
    )
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    ap.add_argument("--only", choices=["csfcube", "authors"], default=None)
    args = ap.parse_args()

    cfg = Config.load(args.home)
    store = open_store(cfg.db_path)
    embedder = get_embedder(cache_dir=cfg.model_cache)
    progress = sys.stderr.isatty()

    def embed(papers: Sequence[Paper]) -> np.ndarray:
        return embed_papers(store, embedder, papers, progress=progress)[0]

    everything: dict[str, object] = {"embedder": embedder.name}
    if args.only in (None, "csfcube"):
        t0 = time.perf_counter()
        data = csfcube.load_csfcube(args.data / "csfcube")
        res = csfcube.run_csfcube(data, embed, progress=progress)
        print(f"## CSFCube ({len(data.queries)} query-facet pairs, %)\n")
        print(markdown_table(res, csfcube.METRICS, digits=2))
        print(f"\n({time.perf_counter() - t0:.0f} s)\n", flush=True)
        everything["csfcube"] = res
    if args.only in (None, "authors"):
        rows = authors.read_corpus(args.data / "arxiv-cs-2025-2026.jsonl.gz")
        for t, days in WINDOWS:
            t0 = time.perf_counter()
            rep = authors.evaluate_window(
                rows, embed, t, days, users=USERS, seed=SEED, progress=progress
            )
            print(f"## Author history, T={t}, {days} days, seed {SEED}\n")
            print(rep.describe() + "\n")
            print(markdown_table(rep.results, authors.METRICS, digits=3))
            print(f"\n({time.perf_counter() - t0:.0f} s)\n", flush=True)
            everything[f"authors {t} {days}d"] = rep.results
    store.close()
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1))


if __name__ == "__main__":
    main()
