"""Hybrid search, new against old: the reciprocal-rank fusion of the full-text and nearest-
neighbour top 100 (``Paperfeed.search`` now) against the ranking it replaced (the query ranked
as a one-paper profile by ``rank()`` over the dense and full-text top 200), on real papers with
real MiniLM vectors: overlap of the top 10 on topical queries, known-item search (a paper's
title as the query: is that paper first?) and latency, both in one process.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_search_quality.py \\
        --vectors-from out/bench-home/paperfeed.db

``--vectors-from`` is a store whose embedding cache holds MiniLM vectors of papers of
../shared/data (``bench_quality.py`` fills ``out/bench-home``'s); the papers that have one are
copied with their vectors into a temporary store, so nothing is embedded but the queries.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from bench_scale import QUERIES, real_papers

from paperfeed.models import Paper, Recommendation
from paperfeed.rank import rank
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings
from paperfeed.store import open_url


def old_search(app: Paperfeed, query: str, top: int = 20) -> list[Recommendation]:
    """``Paperfeed.search`` before the fusion: the query as a one-paper profile, ranked by
    ``rank()`` (BM25 over the shortlist, the classifiers, MMR) over the dense and full-text
    top 200 merged."""
    qpaper = Paper(id="query:" + query, title=query)
    qvec = app.embedder.embed([qpaper.text])[0]
    near = app.store.nearest(app.embedder.name, qvec, 200)
    found = app.store.paper_ids_for_hashes([h for h, _ in near])
    found.extend(pid for pid, _ in app.store.search_text(query, limit=200))
    cands = app.store.get_papers(list(dict.fromkeys(found)))
    params = replace(app.params, recency_weight=0.0)
    return rank([qpaper], qvec[None, :], cands, app.vectors(cands), top=top, params=params)


def build(vectors_from: Path, home: Path) -> int:
    """A store at ``home`` of the real papers with a vector in ``vectors_from``; how many."""
    src = sqlite3.connect(f"file:{vectors_from}?mode=ro", uri=True)
    rows = src.execute("SELECT model, content_hash, vector FROM embeddings").fetchall()
    model = rows[0][0]
    vecs = {h: np.frombuffer(v, dtype="<f4") for m, h, v in rows if m == model}
    papers = [p for p in real_papers(200_000) if p.content_hash in vecs]
    (home / "config.toml").write_text('model = "minilm"\n')
    store = open_url(str(home / "paperfeed.db"))
    try:
        store.upsert_papers(papers, "bench")
        store.put_embeddings(model, [(p.content_hash, vecs[p.content_hash]) for p in papers])
        store.build_vector_index(model)
        return store.count_papers()
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors-from", type=Path, required=True)
    ap.add_argument("--known-items", type=int, default=50)
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="paperfeed-searchq-"))
    n = build(args.vectors_from, home)
    with Paperfeed.open(Settings.load(home)) as app:
        app.search("warm up")
        old_search(app, "warm up")
        papers = app.store.papers_between()
        items = random.Random(0).sample(
            [p for p in papers if len(p.title.split()) >= 4], k=args.known_items
        )
        rows = {"new": {"t": [], "hit": [], "rr": []}, "old": {"t": [], "hit": [], "rr": []}}
        overlap = []
        for q in QUERIES:
            t0 = time.perf_counter()
            new = [r.paper.id for r in app.search(q, top=10)]
            t1 = time.perf_counter()
            old = [r.paper.id for r in old_search(app, q, top=10)]
            t2 = time.perf_counter()
            rows["new"]["t"].append((t1 - t0) * 1000)
            rows["old"]["t"].append((t2 - t1) * 1000)
            overlap.append(len(set(new) & set(old)) / 10)
        for p in items:
            for name, fn in (("new", app.search), ("old", lambda q, top: old_search(app, q, top))):
                t0 = time.perf_counter()
                ids = [r.paper.id for r in fn(p.title, top=20)]
                rows[name]["t"].append((time.perf_counter() - t0) * 1000)
                rows[name]["hit"].append(ids[:1] == [p.id])
                rows[name]["rr"].append(1 / (ids.index(p.id) + 1) if p.id in ids else 0.0)
    _report(n, len(items), overlap, rows)


def _report(n: int, n_items: int, overlap: list[float], rows: dict[str, dict]) -> None:
    print(f"{n} papers with real MiniLM vectors; {len(QUERIES)} topical queries, ", end="")
    print(f"{n_items} titles\n")
    print("| | new (RRF) | old (rank()) |\n|---|---:|---:|")
    print(f"| overlap@10 with the other, topical queries (mean) | {np.mean(overlap):.2f} | |")
    for key, label in (("hit", "known item first (success@1)"), ("rr", "known item MRR@20")):
        print(f"| {label} | {np.mean(rows['new'][key]):.2f} | {np.mean(rows['old'][key]):.2f} |")
    cells = []
    for name in ("new", "old"):
        t = rows[name]["t"]
        cells.append(f"{np.percentile(t, 50):.1f} / {np.percentile(t, 95):.1f} ms")
    n_all = len(QUERIES) + n_items
    print(f"| latency p50 / p95, all {n_all} queries | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
