"""The interest map at ~5,000 points: the server time of ``GET /api/v1/map`` and the time a
real Chromium takes from navigating to ``/map`` until every point is drawn, against a real
Uvicorn server on 127.0.0.1.

    .venv/bin/python benchmarks/bench_map.py --shared ../shared

It builds its own home (``--home``, default out/bench-map-home) from the arXiv listing: one
user whose profile holds ``--profile`` papers and who upvoted ``--upvoted`` others (older
papers), with the newest ``--candidates`` papers as this week's candidates, of which the feed
puts its top 200 on the map. Embeddings come from the model-free ``hashing-384`` embedder
(``--model``): fast to build, and the 384 dimensions of MiniLM, so the projection does the same
work. The render time is the ``map-drawn`` performance mark that app.js sets once the points
are on the canvas, measured from the navigation's start (so it includes the page, the
``/api/v1/map`` request and the drawing).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from paperfeed.services import Paperfeed
from paperfeed.services.accounts import Accounts
from paperfeed.settings import Settings
from paperfeed.web.app import create_app
from paperfeed.web.serve import make_server

PASSWORD = "benchmark password"
USER = "mapper"
CHROMIUM = "/usr/bin/chromium"


def build_home(home: Path, shared: Path, args: argparse.Namespace) -> tuple[Paperfeed, str]:
    """The home, its library and an API token of :data:`USER` (built once, then reused)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'model = "{args.model}"\n', encoding="utf-8")
    lib = Paperfeed.open(Settings.load(home))
    accounts = Accounts(lib.store)
    if lib.store.account(USER) is None or not lib.store.account(USER).password_hash:
        path = shared / "data" / "arxiv-cs-2025-2026.jsonl.gz"
        with gzip.open(path, "rt", encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        records.sort(key=lambda r: r.get("listing_date") or r.get("date") or "")
        newest = records[-args.candidates :]
        older = records[: -args.candidates][:: max(1, len(records) // 6000)]
        profile = older[: args.profile]
        upvoted = older[args.profile : args.profile + args.upvoted]
        listing = home / "listing.jsonl"
        chosen = profile + upvoted + newest
        listing.write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
        lib.ingest(listing)
        accounts.add(USER, "mapper@example.org", PASSWORD)
        lib.store.add_profile_papers(USER, [r["id"] for r in profile])
        with lib.store.transaction():
            for r in upvoted:
                lib.store.rate(USER, r["id"], "up")
    return lib, accounts.new_token(USER, "bench")


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def server_times(url: str, token: str, repeats: int) -> tuple[float, list[float], int]:
    """The first (cold) ``/api/v1/map`` request, then ``repeats`` more, in ms; the points."""
    out = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
        for _ in range(repeats + 1):
            t = time.perf_counter()
            res = client.get(f"{url}/api/v1/map")
            out.append((time.perf_counter() - t) * 1000)
            assert res.status_code == 200, res.text[:200]
            points = len(res.json()["points"])
    return out[0], out[1:], points


def browser_times(url: str, repeats: int) -> list[dict[str, Any]]:
    """Per navigation to ``/map``: ms from its start to the ``map-drawn`` mark, and the
    points drawn."""
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(f"{url}/login")
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/")
        for _ in range(repeats):
            page.goto(f"{url}/map")
            page.locator("#map[data-ready]").wait_for(state="attached", timeout=120_000)
            runs.append(
                page.evaluate(
                    "() => ({drawn: performance.getEntriesByName('map-drawn')[0].startTime,"
                    " fetched: performance.getEntriesByName('map-fetched')[0].startTime,"
                    " points: Number(document.getElementById('map').dataset.points)})"
                )
            )
        Path("out/screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path="out/screenshots/map-5k.png", full_page=True)
        browser.close()
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--home", type=Path, default=Path("out/bench-map-home"))
    ap.add_argument("--model", default="hashing-384")
    ap.add_argument("--profile", type=int, default=2400)
    ap.add_argument("--upvoted", type=int, default=2400)
    ap.add_argument("--candidates", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true", help="Only the server time.")
    args = ap.parse_args()

    lib, token = build_home(args.home, args.shared, args)
    server = make_server(create_app(Settings.load(args.home), library=lib), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        cold, warm, points = server_times(server.url, token, args.repeats)
        runs = [] if args.no_browser else browser_times(server.url, args.repeats)
    finally:
        server.shutdown()
        server.server_close()
        lib.close()
    print(f"{points} points ({args.profile} profile, {args.upvoted} upvoted, feed of "
          f"{args.candidates} candidates); {args.model}")  # fmt: skip
    print(
        f"GET /api/v1/map  first {cold:7.0f} ms, then p50 {percentile(warm, 50):7.0f} ms, "
        f"max {max(warm):7.0f} ms"
    )
    if runs:
        drawn = [r["drawn"] for r in runs]
        fetched = [r["fetched"] for r in runs]
        print(
            f"Chromium /map → all {runs[0]['points']} points drawn: p50 "
            f"{percentile(drawn, 50):7.0f} ms, max {max(drawn):7.0f} ms "
            f"(data in hand at p50 {percentile(fetched, 50):.0f} ms)"
        )


if __name__ == "__main__":
    main()
