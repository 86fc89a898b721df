"""Core figures: ingest time for the 64k-paper corpus (no embedding), `recommend` latency for
one user over ~2k candidates, and peak memory of each command.

Runs the real CLI in subprocesses on a fresh temporary home and reads each child's own
resource usage (wall time, peak RSS). Usage:

    .venv/bin/python benchmarks/bench_core.py [--corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAPERFEED = ROOT / ".venv" / "bin" / "paperfeed"


def run(args: list[str], home: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one CLI command in its own process."""
    env = {**os.environ, "PAPERFEED_HOME": str(home)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(PAPERFEED), "--quiet", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"command failed: paperfeed {' '.join(args)}\n{err.decode()}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def window_start(corpus: Path, n: int) -> tuple[str, int]:
    """The latest listing date such that the papers since then number at least ``n``."""
    days: Counter[str] = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            days[json.loads(line)["listing_date"]] += 1
    total = 0
    for day in sorted(days, reverse=True):
        total += days[day]
        if total >= n:
            return day, total
    return min(days), total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--corpus", type=Path, default=ROOT / "../shared/data/arxiv-cs-2025-2026.jsonl.gz"
    )
    ap.add_argument("--seed", type=Path, default=ROOT / "../shared/seeds/000_4abb7bda9c42c775.txt")
    ap.add_argument("--candidates", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="pf-bench-") as tmp:
        home = Path(tmp)
        wall, rss, out = run(["ingest", str(args.corpus), "--no-embed", "--json"], home)
        summary = json.loads(out.strip().splitlines()[-1])
        rows.append(
            ("ingest 64k corpus, no embedding (cold store)", f"{wall:.1f} s", f"{rss:.0f} MiB")
        )
        rows.append(("  papers stored", str(summary["inserted"]), ""))
        wall, rss, _ = run(["ingest", str(args.corpus), "--no-embed"], home)
        rows.append(("re-ingest same file (all unchanged)", f"{wall:.1f} s", f"{rss:.0f} MiB"))
        size = (home / "paperfeed.db").stat().st_size / 2**20
        rows.append(("  store size after ingest", f"{size:.0f} MiB", ""))

        run(["profile", "add", "--user", "bench", str(args.seed)], home)
        since, n = window_start(args.corpus, args.candidates)
        rec = ["recommend", "--user", "bench", "--since", since, "--top", "20", "--format", "json"]
        wall, rss, _ = run(rec, home)
        rows.append(
            (
                f"recommend, first run ({n} candidates, embeds them)",
                f"{wall:.1f} s",
                f"{rss:.0f} MiB",
            )
        )
        walls, rsss = [], []
        for _ in range(args.repeats):
            wall, rss, out = run(rec, home)
            walls.append(wall)
            rsss.append(rss)
        assert len(json.loads(out)) == 20
        rows.append(
            (
                f"recommend, warm cache ({n} candidates, median of {args.repeats}, whole process)",
                f"{statistics.median(walls):.2f} s",
                f"{max(rsss):.0f} MiB",
            )
        )
        rows.append(
            ("ranking alone (in process, same data)", f"{rank_only(home, since):.3f} s", "")
        )

    if args.json:
        print(json.dumps({r[0]: {"time": r[1], "peak_rss": r[2]} for r in rows}))
        return
    print("| measure | time | peak RSS |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")


def rank_only(home: Path, since: str) -> float:
    """Median time of the ranking function alone on vectors already loaded."""
    sys.path.insert(0, str(ROOT / "src"))
    from bench_rank import median_rank_time

    from paperfeed.services import Paperfeed
    from paperfeed.settings import Settings

    with Paperfeed.open(Settings.load(home)) as app:
        prof = app.profile("bench")
        cands = app.candidates(since)
        return median_rank_time(prof, app.vectors(prof), cands, app.vectors(cands))


if __name__ == "__main__":
    main()
