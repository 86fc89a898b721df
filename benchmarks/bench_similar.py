"""Query by example on CSFCube: the product's ``similar`` ranking (``rank_similar``) against
plain MiniLM cosine, on all 50 query-facet pairs and on each dev and test fold, and the grid
its settings were chosen from (on the dev folds only).

    .venv/bin/python benchmarks/bench_similar.py --home out/bench-home --data ../shared/data/csfcube

Embeddings come from the home's cache (``paperfeed eval csfcube`` fills it).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from paperfeed.evaluation.csfcube import load_csfcube, query_metrics, query_paper, similar_order
from paperfeed.evaluation.metrics import mean
from paperfeed.rank import DEFAULT_PARAMS, RankParams, prepare_candidates
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings

GRID = {
    "similar_feedback": (0, 3, 5, 10, 20),
    "similar_feedback_weight": (0.25, 0.5, 1.0),
    "similar_lexical_weight": (0.0, 0.1, 0.2, 0.3),
}
PerQuery = dict[str, dict[str, float]]
"""Metrics of each query (by key)."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args()
    data = load_csfcube(args.data)
    splits = json.loads((args.data / "evaluation_splits.json").read_text())["all"]
    queries = list(data.queries)
    pool_ids = list(dict.fromkeys(c for q in queries for c in q.cands))
    cand = {pid: data.papers[pid].paper() for pid in pool_ids}
    qpapers = [query_paper(data.papers[q.pid], q.facet) for q in queries]
    cfg = Settings.load(args.home)
    with Paperfeed.open(cfg) as pf:
        vecs = pf.vectors([*cand.values(), *qpapers])
    cvec = dict(zip(pool_ids, vecs[: len(pool_ids)], strict=True))
    qvecs = vecs[len(pool_ids) :]
    pools = []
    for q in queries:
        papers = [cand[c] for c in q.cands]
        pools.append(prepare_candidates(papers, np.stack([cvec[c] for c in q.cands])))

    def run(params: RankParams | None) -> PerQuery:
        """Per-query metrics of the product's order (``None``: plain cosine)."""
        out = {}
        for j, (q, pool) in enumerate(zip(queries, pools, strict=True)):
            if params is None:
                order = list(np.argsort(-(pool.vectors @ qvecs[j]), kind="stable"))
            else:
                positions = {p.id: i for i, p in enumerate(pool.papers)}
                order = similar_order(qpapers[j], qvecs[j], pool, positions, params)
            out[q.key] = query_metrics(q, order)
        return out

    def table(per_query: PerQuery, keys: list[str]) -> str:
        return " / ".join(f"{mean(per_query[k][m] for k in keys):.2f}" for m in ("MAP", "NDCG%20"))

    folds = {"all 50": [q.key for q in queries], **{k: list(v) for k, v in splits.items()}}
    rows = {"minilm-cosine": run(None), "paperfeed similar (default)": run(DEFAULT_PARAMS)}
    print("| method | " + " | ".join(f"{f} ({len(k)})" for f, k in folds.items()) + " |")
    print("|---|" + "---:|" * len(folds))
    for name, pq in rows.items():
        print(f"| {name} | " + " | ".join(table(pq, k) for k in folds.values()) + " |")
    print("\nGrid (MAP / NDCG%20 on each dev fold, then on its test fold):\n")
    tune(run, folds, table)


def tune(
    run: Callable[[RankParams | None], PerQuery],
    folds: dict[str, list[str]],
    table: Callable[[PerQuery, list[str]], str],
) -> None:
    """Every grid point on both dev folds; for each dev fold its best point (by MAP +
    NDCG%20) and that point's figures on the matching test fold."""
    results = {}
    for values in itertools.product(*GRID.values()):
        point = dict(zip(GRID, values, strict=True))
        if point["similar_feedback"] == 0 and point["similar_feedback_weight"] != 0.25:
            continue
        results[values] = run(replace(DEFAULT_PARAMS, **point))

    def score(pq: PerQuery, keys: list[str]) -> float:
        return sum(mean(pq[k][m] for k in keys) for m in ("MAP", "NDCG%20"))

    for dev, test in (("fold1_dev", "fold1_test"), ("fold2_dev", "fold2_test")):
        best = max(results, key=lambda v: score(results[v], folds[dev]))
        print(
            f"- best on {dev}: {dict(zip(GRID, best, strict=True))}: "
            f"{table(results[best], folds[dev])} there, "
            f"{table(results[best], folds[test])} on {test}"
        )
    both = max(results, key=lambda v: score(results[v], folds["fold1_dev"] + folds["fold2_dev"]))
    print(f"- best on both dev folds (the default): {dict(zip(GRID, both, strict=True))}")


if __name__ == "__main__":
    main()
