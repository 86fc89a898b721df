"""config.toml's ``model`` reaches every ranking command: `recommend` embeds and ranks with the
embedder it names, as daily, serve and feed do (they used to disagree)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperfeed.cli import cli
from paperfeed.embed import HashingEmbedder
from paperfeed.services import Paperfeed
from paperfeed.store import open_store

pytestmark = pytest.mark.integration

TOPICS = [
    "graph neural networks message passing over molecules",
    "speech recognition with acoustic transformers",
    "low rank optimizer states for memory efficient training",
    "robot grasping with tactile sensing",
]


def _jsonl(path: Path, first: int, n: int, day: str) -> Path:
    rows = [
        {
            "id": f"2601.{i:05d}",
            "title": f"{TOPICS[i % 4].split()[0].title()} study {i}",
            "abstract": f"We study {TOPICS[i % 4]}. Variant {i}, near {TOPICS[(i * 3) % 4]}.",
            "listing_date": day,
        }
        for i in range(first, first + n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _ok(home: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def test_recommend_ranks_with_the_configured_model(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    _ok(home, "ingest", str(_jsonl(tmp_path / "day.jsonl", 0, 40, "2026-01-20")))
    _ok(home, "profile", "add", "--user", "ada", str(_jsonl(tmp_path / "p.jsonl", 100, 3, "")))
    recs = json.loads(_ok(home, "recommend", "--user", "ada", "--format", "json", "--top", "10"))

    with sqlite3.connect(home / "paperfeed.db") as conn:
        models = {m for (m,) in conn.execute("SELECT DISTINCT model FROM embeddings")}
    assert models == {"hashing-64"}  # nothing was embedded with the default model
    with open_store(home / "paperfeed.db") as store:
        app = Paperfeed(store=store, embedder_factory=lambda: HashingEmbedder(64))
        expected = app.recommend("ada", top=10)
    assert [r["paper"]["id"] for r in recs] == [r.paper.id for r in expected]
    assert [r["score"] for r in recs] == [round(r.score, 6) for r in expected]


def test_the_library_resolves_the_model_lazily_and_names_the_file(tmp_path: Path) -> None:
    from paperfeed.services import Paperfeed
    from paperfeed.settings import ConfigError, Settings

    (tmp_path / "config.toml").write_text('model = "hashing-64"\n')
    with Paperfeed.open(Settings.load(tmp_path)) as app:
        assert app.embedder.name == "hashing-64"
    (tmp_path / "config.toml").write_text('model = "nope"\n')
    with Paperfeed.open(Settings.load(tmp_path)) as app:  # opening reads no model yet
        assert app.count_papers() == 0
        with pytest.raises(ConfigError, match=r"config\.toml: model: unknown embedder 'nope'"):
            _ = app.embedder
