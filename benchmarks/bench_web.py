"""Latency of the web app's feed page and ``/api/v1/feed`` (p50/p95) for one user over ~3k
candidates with cached embeddings, and requests/s with 20 concurrent clients, against a real
Uvicorn server on 127.0.0.1 (bounded loops).

    .venv/bin/python benchmarks/bench_web.py --shared ../shared --candidates 3000

It builds its own home (``--home``, default out/bench-web-home): the newest ``--candidates``
papers of the arXiv listing, one seed file as the profile, embedded once with ``--model``
(default the model-free ``hashing-64``; ``minilm`` measures the real model's cached path).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from paperfeed.services import Paperfeed
from paperfeed.services.accounts import Accounts
from paperfeed.settings import Settings
from paperfeed.web.app import create_app
from paperfeed.web.serve import make_server

PASSWORD = "benchmark password"


def build_home(home: Path, shared: Path, n: int, model: str) -> tuple[Paperfeed, str, str]:
    """The home with ``n`` candidates and user ``bench``; the library, API token, window start."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'model = "{model}"\n', encoding="utf-8")
    with gzip.open(shared / "data" / "arxiv-cs-2025-2026.jsonl.gz", "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    records = sorted(records, key=lambda r: r.get("listing_date") or r.get("date") or "")[-n:]
    listing = home / "listing.jsonl"
    listing.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    lib = Paperfeed.open(Settings.load(home))
    lib.ingest(listing)
    seed = sorted((shared / "seeds").glob("*.txt"))[0]
    accounts = Accounts(lib.store)
    if lib.store.account("bench") is None or not lib.store.account("bench").password_hash:
        accounts.add("bench", "bench@example.org", PASSWORD)
        lib.profile_add("bench", [str(seed)])
    return (
        lib,
        accounts.new_token("bench", "bench"),
        lib.store.papers_between(limit=n)[-1].date or "",
    )


def timed(client: httpx.Client, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        res = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert res.status_code == 200, res.text[:200]
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--home", type=Path, default=Path("out/bench-web-home"))
    ap.add_argument("--candidates", type=int, default=3000)
    ap.add_argument("--model", default="hashing-64")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200, help="in the concurrent run, in all")
    args = ap.parse_args()

    lib, token, since = build_home(args.home, args.shared, args.candidates, args.model)
    server = make_server(create_app(Settings.load(args.home), library=lib), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api = f"{server.url}/api/v1/feed?since={since}&top=20"
    page = f"{server.url}/?since={since}"
    try:
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(headers=auth, timeout=60) as client:
            n = len(client.get(api).json()["items"])  # warm: embeddings cached, model loaded
        browser = httpx.Client(timeout=60, follow_redirects=True)
        form = browser.get(f"{server.url}/login").text
        csrf = form.split('name="csrf" value="')[1].split('"')[0]
        browser.post(
            f"{server.url}/login", data={"username": "bench", "password": PASSWORD, "csrf": csrf}
        )
        pages = timed(browser, page, args.repeats)
        with httpx.Client(headers=auth, timeout=60) as client:
            apis = timed(client, api, args.repeats)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            clients = [httpx.Client(headers=auth, timeout=120) for _ in range(args.clients)]
            list(pool.map(lambda i: timed(clients[i % args.clients], api, 1), range(args.requests)))
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
        lib.close()
    print(f"candidates since {since}: {args.candidates} papers; {n} items per feed; {args.model}")
    print(f"feed page      p50 {p(pages, 50):7.1f} ms  p95 {p(pages, 95):7.1f} ms")
    print(f"/api/v1/feed   p50 {p(apis, 50):7.1f} ms  p95 {p(apis, 95):7.1f} ms")
    print(
        f"{args.clients} concurrent clients: {args.requests} requests in {elapsed:.1f} s = "
        f"{args.requests / elapsed:.1f} requests/s"
    )


if __name__ == "__main__":
    main()
