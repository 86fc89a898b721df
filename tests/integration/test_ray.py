"""Batch work on Ray (:mod:`paperfeed.services.batch`) against a local Ray of 2 workers on a
small store with the hashing-64 model: ``embed --ray`` gives the same cache as ``embed``,
``rank --ray`` the same lines as ``rank``, ``daily --ray`` the same digests as ``daily``."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from paperfeed.cli import cli
from paperfeed.services import Paperfeed
from paperfeed.services.batch import ParallelRanking, RankRequest
from paperfeed.settings import Settings
from paperfeed.store import open_store

pytestmark = [pytest.mark.integration, pytest.mark.ray]

MODEL = "hashing-64"
WORDS = [
    "graph",
    "neural",
    "network",
    "molecule",
    "protein",
    "language",
    "model",
    "transformer",
    "attention",
    "sparse",
    "optimizer",
    "gradient",
    "convex",
    "robust",
    "causal",
    "inference",
    "bayesian",
    "diffusion",
    "image",
    "segmentation",
    "retrieval",
    "ranking",
    "recommender",
    "reinforcement",
    "policy",
    "reward",
    "planning",
    "theorem",
    "proof",
]
DAY = "2026-03-10"
USERS = ("ann", "bob", "cyd")


def papers(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "id": f"2603.{i:05d}",
            "title": " ".join(rng.choices(WORDS, k=6)),
            "abstract": " ".join(rng.choices(WORDS, k=40)),
            "authors": [f"Author {rng.randrange(30)}"],
            "listing_date": f"2026-03-{1 + i % 10:02d}",
        }
        for i in range(n)
    ]


def run(home: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 300 papers, none embedded, and three users with profiles and e-mail."""
    root = tmp_path_factory.mktemp("ray")
    home = root / "home"
    home.mkdir()
    users = "".join(f'[users.{u}]\nemail = "{u}@example.org"\n' for u in USERS)
    (home / "config.toml").write_text(f'model = "{MODEL}"\n{users}')
    listing = root / "listing.jsonl"
    listing.write_text("".join(json.dumps(p) + "\n" for p in papers(300)))
    run(home, "ingest", str(listing), "--no-embed")
    for n, user in enumerate(USERS):
        mine = root / f"{user}.jsonl"
        mine.write_text("".join(json.dumps(p) + "\n" for p in papers(4, seed=10 + n)))
        run(home, "profile", "add", "--user", user, str(mine))
    return home


def copy_home(home: Path, dest: Path) -> Path:
    shutil.copytree(home, dest)
    return dest


def cache(home: Path) -> dict[str, np.ndarray]:
    with open_store(home / "paperfeed.db") as store:
        hashes, matrix = store.all_embeddings(MODEL)
    return dict(zip(hashes, matrix, strict=True))


def test_embed_on_ray_fills_the_same_cache_as_in_process(
    local_ray: Any, home: Path, tmp_path: Path
) -> None:
    serial, on_ray = copy_home(home, tmp_path / "a"), copy_home(home, tmp_path / "b")
    first = json.loads(run(serial, "embed", "--json").stdout)
    assert first["embedded"] == first["texts"] - first["cached"] > 250
    report = json.loads(run(on_ray, "embed", "--ray", "--json").stdout)
    assert report["embedded"] == first["embedded"] and report["workers"] == "Ray, 2 actors"
    want, got = cache(serial), cache(on_ray)
    assert set(got) == set(want)
    assert all(np.array_equal(got[h], want[h]) for h in want)
    again = json.loads(run(on_ray, "embed", "--ray", "--json").stdout)  # resumable: nothing left
    assert again["embedded"] == 0 and again["cached"] == again["texts"]


def test_rank_on_ray_prints_the_same_lines(local_ray: Any, home: Path, tmp_path: Path) -> None:
    cands = tmp_path / "candidates.jsonl"
    cands.write_text("".join(json.dumps(p) + "\n" for p in papers(120, seed=3)))
    profiles = tmp_path / "profiles.jsonl"
    rows = papers(20, seed=4)
    users = [{"user": f"u{i}", "papers": rows[i : i + 3], "negatives": rows[i + 3 : i + 4]}
             for i in range(7)]  # fmt: skip
    profiles.write_text("".join(json.dumps(u) + "\n" for u in users))
    args = ("rank", "--profiles", str(profiles), "--candidates", str(cands), "--top", "15")
    serial = run(home, *args).stdout
    assert len(serial.splitlines()) == 7
    assert run(home, *args, "--ray").stdout == serial


def test_daily_on_ray_ranks_every_user_as_the_serial_run(local_ray: Any, home: Path) -> None:
    settings = Settings.load(home)
    planned = [RankRequest(u, "2026-03-04", "2026-03-11", 10, 3) for u in USERS]
    with Paperfeed.open(settings) as app:
        parallel = ParallelRanking.over(app, settings, planned, "local")
        for req in planned:
            want = app.recommend_and_ask(req.user, since=req.since, until=req.until, top=10, k=3)
            got = parallel.recommend_and_ask(req.user, since=req.since, until=req.until, top=10)
            assert got == want and len(got[0]) == 10
        assert parallel._ranked is not None and set(parallel._ranked) == set(planned)
    serial = run(home, "daily", "--date", DAY, "--dry-run", "--no-fetch").stdout
    assert serial.count("would send digest") == 3
    assert run(home, "daily", "--date", DAY, "--dry-run", "--no-fetch", "--ray").stdout == serial
