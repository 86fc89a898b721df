"""`paperfeed train` end to end on a slice of the real arXiv corpus: pairs, one step of
fine-tuning, the int8 export, held-out accuracy, the model usable through get_embedder under
its own cache key; and `--resume` after a run killed mid-training."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from paperfeed.cli import cli
from paperfeed.embed import get_embedder

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
TINY = ["--layers", "1", "--batch-size", "4", "--max-pairs", "300", "--seed", "0"]


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not found (the shared data beside the repository)")
    out = tmp_path_factory.mktemp("corpus") / "slice.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        out.write_text("".join(islice(fh, 1500)))
    return out


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_train_writes_a_model_that_get_embedder_runs(corpus_slice: Path, tmp_path: Path) -> None:
    out = tmp_path / "tuned"
    code, text = run(
        tmp_path / "home", "train", str(corpus_slice), "--out", str(out), "--steps", "1", *TINY
    )
    assert code == 0, text
    assert "papers before 2025-09-01" in text and "trained 1 steps" in text
    assert "base" in text and "learned" in text and f'model = "minilm-tuned:{out}"' in text
    report = json.loads((out / "paperfeed-training-report.json").read_text())
    assert report["cutoff"] == "2025-09-01" and report["steps"] == 1
    assert 0 <= report["heldout_learned"]["mrr"] <= 1 and report["heldout_base"]["pairs"] > 0
    pairs = json.loads((out / "training-pairs.json").read_text())
    assert len(pairs["train"]) == 300
    assert not {x for p in pairs["train"] for x in p[:2]} & {
        x for p in pairs["heldout"] for x in p[:2]
    }

    tuned = get_embedder(f"minilm-tuned:{out}")
    base = get_embedder("minilm")
    assert tuned.name.startswith("minilm-tuned-") and tuned.name != base.name
    texts = ["Contrastive fine-tuning of sentence encoders.", "Soil moisture sensing in vineyards."]
    v, b = tuned.embed(texts), base.embed(texts)
    assert v.shape == (2, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    cos = np.sum(v * b, axis=1)
    assert np.all(cos > 0.8), cos  # one step moves the model a little, not away
    assert get_embedder(f"minilm-tuned:{out}") is tuned
    assert get_embedder(tuned.spec) is tuned  # what a Ray actor is given

    home = tmp_path / "home-tuned"  # config.toml names it: its vectors, under its own key
    home.mkdir()
    (home / "config.toml").write_text(f'model = "minilm-tuned:{out}"\n')
    small = tmp_path / "small.jsonl"
    small.write_text("".join(corpus_slice.read_text().splitlines(True)[:8]))
    code, text = run(home, "ingest", str(small))
    assert code == 0, text
    with sqlite3.connect(home / "paperfeed.db") as db:
        models = {m for (m,) in db.execute("SELECT DISTINCT model FROM embeddings")}
    assert models == {tuned.name}


def test_a_bad_cutoff_or_model_directory_is_one_line(corpus_slice: Path, tmp_path: Path) -> None:
    code, text = run(
        tmp_path, "train", str(corpus_slice), "--out", str(tmp_path / "m"), "--cutoff", "2025-10-01"
    )
    assert code == 1 and "may only move earlier" in text and "Traceback" not in text
    with pytest.raises(ValueError, match="not a model directory written by `paperfeed train`"):
        get_embedder(f"minilm-tuned:{tmp_path}")


def test_resume_continues_a_killed_run(corpus_slice: Path, tmp_path: Path) -> None:
    out, home = tmp_path / "tuned", tmp_path / "home"
    args = ["train", str(corpus_slice), "--out", str(out), *TINY]
    code, text = run(home, *args, "--resume")
    assert code == 1 and "no checkpoint to resume" in text
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "--home", str(home), *args, "--checkpoint-every", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    checkpoint = out / "work" / "checkpoint.pt"
    try:
        deadline = time.monotonic() + 90
        while not checkpoint.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert checkpoint.exists(), "no checkpoint written"
        time.sleep(1.0)  # a step or so more, then the run dies without warning
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-training (75 steps to go)
    assert not (out / "paperfeed-model.json").exists()

    code, text = run(home, *args, "--resume", "--lr", "0.001")
    assert code == 1 and "other settings" in text
    done = json.loads(
        subprocess.check_output(
            [
                sys.executable,
                "-c",
                f"import torch; print(torch.load({str(checkpoint)!r}, weights_only=False)['step'])",
            ],
            env=env,
        )
    )
    code, text = run(home, *args, "--resume", "--steps", str(done + 1), "--json")
    assert code == 0, text
    report = json.loads(text.strip().splitlines()[-1])
    assert report["resumed_from"] == done >= 1 and report["steps"] == done + 1
    assert (out / "paperfeed-model.json").exists()
