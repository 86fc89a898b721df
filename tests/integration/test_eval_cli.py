"""`paperfeed eval` end to end on small synthetic data with a model-free embedder."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from paperfeed.cli.evaluate import eval_group
from paperfeed.settings import Settings

pytestmark = pytest.mark.integration
pytest.importorskip("sklearn")

WORDS = [
    "graph neural network message passing node edge",
    "speech recognition acoustic phoneme audio transcript",
    "image segmentation pixel convolution mask boundary",
    "policy reward agent reinforcement exploration bandit",
]


@pytest.fixture()
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Invoke the eval group under a root group that sets ctx.obj like the main CLI."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n')

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = {"config": Settings(home=home), "progress": False}

    root.add_command(eval_group)

    def invoke(*args: str) -> click.testing.Result:
        return CliRunner().invoke(root, ["eval", *args], catch_exceptions=False)

    return invoke


def write_corpus(path: Path) -> Path:
    """4 topics × 27 papers; each topic's words are rare enough for arxiv-sanity's
    tf-idf (df between min_df=5 and max_df=10%)."""
    rng = random.Random(0)
    rows = []
    for t, words in enumerate(WORDS):
        vocab = [f"{w}{j}" for w in words.split()[:2] for j in range(10)]
        for i in range(27):
            day = f"2026-01-{1 + i % 28:02d}" if i < 8 or i >= 12 else f"2026-02-{i:02d}"
            author = f"Author Number{t}" if i < 12 and i % 2 == 0 else f"Other Person{t}x{i}"
            rows.append(
                {
                    "id": f"{t}.{i}",
                    "title": f"paper {t} {i}",
                    "abstract": " ".join(rng.choice(vocab) for _ in range(6)),
                    "authors": [author, f"Coauthor{t}"],
                    "listing_date": day,
                }
            )
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    return path


def test_authors_json_and_table(tmp_path: Path, run) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl.gz")
    args = ["authors", "--corpus", str(corpus), "--t", "2026-02-01", "--days", "28"]
    res = run(*args, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    (window,) = out["windows"]
    assert window["name"] == "T=2026-02-01" and window["users"] == 4
    methods = window["methods"]
    assert {"paperfeed", "arxiv-sanity-lite", "bm25", "two-term-fusion"} <= set(methods)
    assert set(methods["paperfeed"]) == {"nDCG@10", "Recall@50", "MRR"}
    for ci in methods["paperfeed"].values():
        assert ci["lo"] <= ci["mean"] <= ci["hi"]
    assert set(window["paired"]) == set(methods) - {"paperfeed"}
    assert out["bootstrap"]["resamples"] == 1000
    assert (tmp_path / "home" / "paperfeed.db").exists()  # embeddings went through the store
    res = run(*args)
    assert res.exit_code == 0
    assert "| method" in res.stdout and "| paperfeed" in res.stdout
    assert "4 users (of 4 eligible)" in res.stdout
    assert "paperfeed − method, paired over users" in res.stdout


def test_authors_results_file_and_report(tmp_path: Path, run) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl.gz")
    results = tmp_path / "results.json"
    res = run(
        "authors", "--corpus", str(corpus), "--t", "2026-02-01", "--methods",
        "paperfeed,two-term-fusion", "--ablations", "--results", str(results),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    stored = json.loads(results.read_text())
    assert set(stored["windows"][0]["per_user"]) >= {"paperfeed", "two-term-fusion"}
    # each part off (or, off by default, on at its previous weight) and the previous defaults
    assert stored["variants"]["paperfeed +recency"] == {"recency_weight": 0.15}
    assert stored["variants"]["paperfeed -lexical-classifier"] == {"lexical_classifier_weight": 0.0}
    assert "paperfeed (before)" in stored["variants"]
    assert "Ablations, nDCG@10" in res.stdout
    again = run("report", str(results))
    assert again.exit_code == 0 and again.stdout == res.stdout
    twice = run("report", str(results), str(results), "--format", "json")
    assert twice.exit_code == 0 and len(json.loads(twice.stdout)["windows"]) == 1
    res = run("report", str(corpus))
    assert res.exit_code == 1 and "not a results file" in res.output


def test_authors_errors(tmp_path: Path, run) -> None:
    res = run("authors", "--corpus", str(tmp_path / "nope.jsonl.gz"), "--t", "2026-02-01")
    assert res.exit_code == 1 and "no such corpus file" in res.output
    res = run("authors", "--corpus", str(tmp_path / "x"), "--t", "Feb 1")
    assert res.exit_code == 2 and "not a date" in res.output
    corpus = write_corpus(tmp_path / "corpus.jsonl.gz")
    res = run("authors", "--corpus", str(corpus), "--t", "2020-01-01")
    assert res.exit_code == 1 and "no eligible authors" in res.output
    res = run("authors", "--t", "2026-02-01", "--windows", "all")
    assert res.exit_code == 2 and "either --t" in res.output
    res = run("authors")
    assert res.exit_code == 2 and "either --t" in res.output
    res = run("authors", "--windows", "arxiv-1999-01")
    assert res.exit_code == 1 and "unknown window 'arxiv-1999-01'" in res.output
    res = run("authors", "--corpus", str(corpus), "--t", "2026-02-01", "--methods", "svm")
    assert res.exit_code == 1 and "unknown method 'svm'" in res.output
    res = run("authors", "--windows", "tuning", "--data", str(tmp_path))
    assert res.exit_code == 1 and "no such corpus file" in res.output


def test_csfcube_json_and_table(tmp_path: Path, run) -> None:
    root = tmp_path / "csf"
    root.mkdir()
    papers = {f"p{i}": WORDS[i % 4].split() for i in range(12)}
    with open(root / "abstracts.jsonl", "w") as fh:
        for pid, words in papers.items():
            sents = [" ".join(words[:3]), " ".join(words[3:])]
            row = {"paper_id": pid, "year": "2019", "title": pid, "abstract": sents}
            fh.write(
                json.dumps({**row, "pred_labels": ["background_label", "method_label"]}) + "\n"
            )
    cands = [p for p in papers if p != "p0"]
    rel = [3 if int(p[1:]) % 4 == 0 else 0 for p in cands]
    for facet in ("background", "method", "result"):
        ann = {"p0": {"cands": cands, "relevance_adju": rel}}
        (root / f"test-pid2anns-csfcube-{facet}.json").write_text(json.dumps(ann))
    (root / "queries-release.csv").write_text(
        "pid,facet,year,title,paper type\np0,background,2019,t,x\np0,method,2019,t,x\n"
        "p0,result,2019,t,x\n"
    )
    res = run("csfcube", "--data", str(root), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"paperfeed", "bm25", "tfidf-cosine", "minilm-cosine"}
    assert set(out["paperfeed"]) == {"MAP", "NDCG%20"}
    assert all(0 <= v <= 100 for m in out.values() for v in m.values())
    res = run("csfcube", "--data", str(root), "--facet", "method")
    assert res.exit_code == 0
    assert "1 query-facet pairs (method)" in res.stdout and "| paperfeed" in res.stdout
    res = run("csfcube", "--data", str(tmp_path))
    assert res.exit_code == 1 and "not a CSFCube directory" in res.output
