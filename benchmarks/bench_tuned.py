"""Embedding throughput of a model ``paperfeed train`` wrote, against the packaged model.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_tuned.py --model-dir DIR [--n 256]

Both run the same pipeline (int8 ONNX, chunked and pooled) in this process with the same
thread count; rounds alternate base / learned so a change in the machine's load hits both.
Prints texts/s of each (median of the rounds), their ratio, and the mean cosine between the
two models' vectors of the same texts (how far training moved them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_embed import DEFAULT_DATA, load_texts  # noqa: E402

from paperfeed.embed import MiniLMEmbedder, TunedMiniLMEmbedder  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", required=True, type=Path)
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default=DEFAULT_DATA, help="gzip JSONL, relative to the repo root")
    args = ap.parse_args()
    texts = load_texts(REPO / args.data, args.n)
    models = {
        "base": MiniLMEmbedder(quantized=True, threads=args.threads),
        "learned": TunedMiniLMEmbedder(args.model_dir, threads=args.threads),
    }
    for m in models.values():
        m.embed(texts[:8])  # load and warm up
    rates: dict[str, list[float]] = {k: [] for k in models}
    vecs: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, m in models.items():
            t0 = time.perf_counter()
            vecs[name] = m.embed(texts)
            rates[name].append(len(texts) / (time.perf_counter() - t0))
    base, learned = (statistics.median(rates[k]) for k in ("base", "learned"))
    cos = np.sum(vecs["base"] * vecs["learned"], axis=1)
    print(f"texts {len(texts)}, threads {args.threads}, rounds {args.rounds}")
    print(f"base     {base:7.1f} texts/s   {models['base'].name}")
    print(f"learned  {learned:7.1f} texts/s   {models['learned'].name}")
    print(f"learned / base {learned / base:.3f}; cosine base vs learned mean {cos.mean():.4f}")


if __name__ == "__main__":
    main()
