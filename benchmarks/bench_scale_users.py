"""Ranking many users a day (issue 12): the old path beside the new one, in one run.

Four measures, each in its own process, under this checkout's code ("new") and, with
``--baseline-src``, under an older checkout's ``src/`` ("old"):

1. ``rank()`` for one user over the demo's 3,341 candidates: the pool prepared per call
   (what every path but the batch protocol did) and prepared once (median of ``--repeats``);
2. ``paperfeed recommend`` for that user, whole process, warm (median of ``--repeats``);
3. ``paperfeed rank`` for 300 author-history users over the reference window's 1,848
   candidates, whole process, warm (median of 2 after one untimed run);
4. the ``daily`` ranking (``recommend_and_ask``: top 20 + 3 questions, as a digest) for
   100 / 300 / 1,000 / 3,000 simulated users over one day's listing, in one process, its
   embeddings cached (time excludes building the store); peak RSS of each run. Simulated
   user k has the profile of author-history user k mod 300.

    .venv/bin/python benchmarks/bench_scale_users.py --home out/bench-home \\
        --demo-home out/demo-home --baseline-src /tmp/old/src --plot benchmarks/scale_users.png

``out/bench-home``: the home of ``bench_quality.py`` (the reference window's embeddings);
``out/demo-home``: ``make demo``'s. The old code gets copies of both homes at its schema
version (``--baseline-schema``); the plot needs matplotlib.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
T, DAYS = "2026-02-01", 28


# --- the parent: fixtures, runs, table, plot --------------------------------------------


def worker(src: Path, kind: str, **args: Any) -> dict[str, Any]:
    """Run one measure in a fresh process under the code of ``src``; its JSON answer."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, __file__, "--worker", kind, "--args", json.dumps(args)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"{kind} under {src} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed_cli(src: Path, home: Path, args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one ``paperfeed`` command under ``src``'s code."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", "from paperfeed.cli import main; main()", "--home", str(home)]
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, "--quiet", *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        sys.exit(f"paperfeed {' '.join(args)} failed under {src}")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024


def baseline_home(home: Path, schema: int, into: Path) -> Path:
    """A copy of ``home``'s store at schema ``schema`` (the tables added later dropped), for
    code that refuses a newer store."""
    into.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(home / "paperfeed.db")
    dst = sqlite3.connect(into / "paperfeed.db")
    src.backup(dst)
    src.close()
    dst.execute("DROP TABLE IF EXISTS candidate_pools")
    dst.execute(f"PRAGMA user_version = {int(schema)}")
    dst.commit()
    dst.close()
    return into


def fixtures(home: str, out: str) -> dict[str, Any]:
    """Protocol files for 300 reference users, and the daily run's papers and vectors
    (in a worker: the corpus would inflate the peak RSS of every process forked after it)."""
    import numpy as np

    from paperfeed.evaluation.authors import build_benchmark, read_corpus
    from paperfeed.services import Paperfeed
    from paperfeed.settings import Settings

    out_dir = Path(out)
    rows = read_corpus(CORPUS)
    bench = build_benchmark(rows, T, DAYS, users=300, seed=1)
    papers = bench.papers
    days = Counter(papers[c].date for c in bench.candidates)
    day = max(sorted(days), key=lambda d: days[d])  # the window's busiest day
    day_ids = [c for c in bench.candidates if papers[c].date == day]

    def as_json(pid: str) -> dict[str, Any]:
        p = papers[pid]
        return {"id": p.id, "title": p.title, "abstract": p.abstract, "date": p.date}

    (out_dir / "candidates.jsonl").write_text(
        "".join(json.dumps(as_json(c)) + "\n" for c in bench.candidates)
    )
    profiles = [{"user": u.name, "papers": [as_json(p) for p in u.profile]} for u in bench.users]
    (out_dir / "profiles.jsonl").write_text("".join(json.dumps(p) + "\n" for p in profiles))
    wanted = list(dict.fromkeys([*day_ids, *(p for u in bench.users for p in u.profile)]))
    cfg = Settings.load(Path(home))
    with Paperfeed.open(cfg) as pf:
        vecs = pf.vectors([papers[i] for i in wanted])
    np.save(out_dir / "daily_vectors.npy", vecs)
    daily = {
        "day": day,
        "candidates": day_ids,
        "papers": {i: as_json(i) for i in wanted},
        "profiles": [list(u.profile) for u in bench.users],
    }
    (out_dir / "daily.json").write_text(json.dumps(daily))
    return {"day": day, "day_candidates": len(day_ids), "window": len(bench.candidates)}


def plot(points: dict[str, list[tuple[int, float]]], path: Path) -> None:
    """Seconds against users, one line per code version, with a line through the origin."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, pts in points.items():
        xs, ys = zip(*pts, strict=True)
        ax.plot(xs, ys, "o-", label=label)
        slope = sum(x * y for x, y in pts) / sum(x * x for x in xs)
        ax.plot([0, max(xs)], [0, slope * max(xs)], ":", color="grey")
    ax.set_xlabel("users")
    ax.set_ylabel("seconds (daily ranking, excluding embedding)")
    ax.set_title("daily ranking cost against users (dotted: linear fit through 0)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


# --- the workers: one measure each, under whichever code is on the path -------------------


def rank_one(home: str, user: str, days: int, repeats: int) -> dict[str, Any]:
    """``rank()`` for one stored user: median seconds with the pool prepared per call and
    prepared once."""
    from paperfeed.rank import prepare_candidates, rank
    from paperfeed.services import Paperfeed
    from paperfeed.settings import Settings

    cfg = Settings.load(Path(home))
    with Paperfeed.open(cfg) as pf:
        pos, neg, exclude = pf.user_signals(user)
        since, _ = pf.candidate_window(None, None, days)
        cands = pf.candidates(since)
        pv, cv = pf.vectors(pos), pf.vectors(cands)
        nv = pf.vectors(neg) if neg else None
    kw: dict[str, Any] = {"negatives": neg, "negative_vecs": nv, "exclude": exclude, "top": 20}

    def median(run: Any) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    per_call = median(lambda: rank(pos, pv, cands, cv, **kw))
    pool = prepare_candidates(cands, cv)
    once = median(lambda: rank(pos, pv, pool, **kw))
    return {"candidates": len(cands), "per_call": per_call, "pooled": once}


def daily(data: str, users: int) -> dict[str, Any]:
    """``recommend_and_ask`` (top 20, 3 questions) for ``users`` simulated users in one
    process over a store holding one day's listing and every profile, all embedded."""
    import numpy as np

    from paperfeed.embed import HashingEmbedder
    from paperfeed.models import Paper
    from paperfeed.services import Paperfeed
    from paperfeed.store import open_store

    fix = json.loads((Path(data) / "daily.json").read_text())
    vecs = np.load(Path(data) / "daily_vectors.npy")
    papers = {i: Paper(**p) for i, p in fix["papers"].items()}
    model = "bench-scale-users"
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "paperfeed.db")
        store.upsert_papers(list(papers.values()), "bench")
        hashes = [papers[i].content_hash for i in fix["papers"]]
        store.put_embeddings(model, zip(hashes, vecs, strict=True))
        embedder = HashingEmbedder(vecs.shape[1])
        embedder.name = model  # every text is cached under this name: nothing is embedded
        app = Paperfeed(store=store, embedder_factory=lambda: embedder)
        names = [f"user{k:05d}" for k in range(users)]
        with store.transaction():
            for k, name in enumerate(names):
                store.ensure_user(name)
                store.add_profile_papers(name, fix["profiles"][k % len(fix["profiles"])])
        day = fix["day"]
        t0 = time.perf_counter()
        for name in names:
            app.recommend_and_ask(name, since=day, top=20, k=3)
        seconds = time.perf_counter() - t0
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"users": users, "seconds": seconds, "peak_mib": peak}


WORKERS = {"fixtures": fixtures, "rank_one": rank_one, "daily": daily}


# --- main ----------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", choices=sorted(WORKERS))
    ap.add_argument("--args", default="{}")
    ap.add_argument("--home", type=Path, default=ROOT / "out" / "bench-home")
    ap.add_argument("--demo-home", type=Path, default=ROOT / "out" / "demo-home")
    ap.add_argument("--user", default="linda")
    ap.add_argument("--baseline-src", type=Path, help="src/ of the code to compare with")
    ap.add_argument("--baseline-schema", type=int, default=4)
    ap.add_argument("--users", default="100,300,1000,3000")
    ap.add_argument("--old-users", default="100,300,1000", help="daily sizes for the old code")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "scale_users.png")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](**json.loads(args.args))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        report(args, Path(tmp))


def report(args: argparse.Namespace, tmp: Path) -> None:
    """Every measure under each code version, printed as markdown tables; the plot."""
    versions = {"new": (ROOT / "src", args.home, args.demo_home)}
    if args.baseline_src:
        versions["old"] = (
            args.baseline_src,
            baseline_home(args.home, args.baseline_schema, tmp / "old-bench-home"),
            baseline_home(args.demo_home, args.baseline_schema, tmp / "old-demo-home"),
        )
    fix = worker(ROOT / "src", "fixtures", home=str(args.home), out=str(tmp))
    print(
        f"reference window T={T}, {DAYS} days: {fix['window']} candidates; daily: "
        f"{fix['day']}, {fix['day_candidates']} candidates\n"
    )
    rows: dict[str, dict[str, str]] = {v: {} for v in versions}
    points: dict[str, list[tuple[int, float]]] = {}
    for v, (src, home, demo) in versions.items():
        one = worker(src, "rank_one", home=str(demo), user=args.user, days=30, repeats=args.repeats)
        rows[v]["rank() per call, pool prepared each time"] = f"{one['per_call'] * 1000:.0f} ms"
        rows[v]["rank() with the pool prepared once"] = f"{one['pooled'] * 1000:.0f} ms"
        rec = ["recommend", "--user", args.user, "--days", "30", "--format", "json"]
        timed_cli(src, demo, rec)  # warm: caches filled
        runs = [timed_cli(src, demo, rec) for _ in range(args.repeats)]
        rows[v]["recommend, whole process, warm"] = (
            f"{statistics.median(r[0] for r in runs):.2f} s, {max(r[1] for r in runs):.0f} MiB"
        )
        protocol = [
            "rank",
            "--profiles",
            str(tmp / "profiles.jsonl"),
            "--candidates",
            str(tmp / "candidates.jsonl"),
            "--top",
            "20",
        ]
        timed_cli(src, home, protocol)
        runs = [timed_cli(src, home, protocol) for _ in range(2)]
        rows[v]["paperfeed rank, 300 users, whole process, warm"] = (
            f"{statistics.median(r[0] for r in runs):.1f} s, {max(r[1] for r in runs):.0f} MiB"
        )
        sizes = args.users if v == "new" else args.old_users
        for n in (int(x) for x in sizes.split(",") if x):
            d = worker(src, "daily", data=str(tmp), users=n)
            rows[v][f"daily ranking, {n:,} users"] = (
                f"{d['seconds']:.1f} s ({d['seconds'] / n * 1000:.0f} ms/user), "
                f"peak {d['peak_mib']:.0f} MiB"
            )
            points.setdefault(v, []).append((n, d["seconds"]))
    names = list(dict.fromkeys(k for r in rows.values() for k in r))
    print("| measure | " + " | ".join(versions) + " |")
    print("|---|" + "---:|" * len(versions))
    for name in names:
        print(f"| {name} | " + " | ".join(rows[v].get(name, "") for v in versions) + " |")
    plot(points, args.plot)
    print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
