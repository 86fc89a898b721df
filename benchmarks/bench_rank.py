"""Time of the ranking function alone for one stored user, with and without the per-user
classifiers (median of ``--repeats``), on vectors already in the store.

    .venv/bin/python benchmarks/bench_rank.py --home out/demo-home --user linda --days 30

Run `make demo` first for that home (it embeds the demo's papers); any home whose user and
candidates are embedded works.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, rank
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--days", type=int, default=30, help="candidates: the last DAYS listed")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    cfg = Settings.load(args.home)
    with Paperfeed.open(cfg) as pf:
        positives, negatives, exclude = pf.user_signals(args.user)
        since, _ = pf.candidate_window(None, None, args.days)
        cands = pf.candidates(since)
        pv, cv = pf.vectors(positives), pf.vectors(cands)
        nv = pf.vectors(negatives) if negatives else None
        print(
            f"{len(positives)} profile papers, {len(negatives)} downvoted, {len(cands)} candidates"
        )
        without = dataclasses.replace(
            DEFAULT_PARAMS, classifier_weight=0.0, lexical_classifier_weight=0.0
        )
        print("| `rank()` | median s |\n|---|---:|")
        for name, params in (("with the classifiers", DEFAULT_PARAMS), ("without", without)):
            seconds = median_rank_time(
                positives,
                pv,
                cands,
                cv,
                negatives=negatives,
                negative_vecs=nv,
                exclude=exclude,
                params=params,
                repeats=args.repeats,
            )
            print(f"| {name} | {seconds:.2f} |")


def median_rank_time(
    profile: Sequence[Paper],
    profile_vecs: np.ndarray,
    candidates: Sequence[Paper],
    candidate_vecs: np.ndarray,
    *,
    repeats: int = 5,
    **kwargs: Any,
) -> float:
    """Median wall time of ``rank(profile, …, top=20, **kwargs)`` over ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        rank(profile, profile_vecs, candidates, candidate_vecs, top=20, **kwargs)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


if __name__ == "__main__":
    main()
