"""The CLI end to end on a temporary home, with the real model and real shared data."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from paperfeed.cli import cli

pytestmark = pytest.mark.integration

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
SEED = SHARED / "seeds" / "000_4abb7bda9c42c775.txt"

if not CORPUS.exists():
    pytest.skip("../shared/data is not beside the repository", allow_module_level=True)


@pytest.fixture(scope="module")
def corpus_rows() -> list[dict[str, Any]]:
    """The last 400 papers of the shared corpus (about two listing days)."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()[-400:]
    return [json.loads(line) for line in lines]


@pytest.fixture()
def corpus_file(tmp_path: Path, corpus_rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "listing.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for row in corpus_rows:
            fh.write(json.dumps(row) + "\n")
    return path


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, corpus_rows: list[dict[str, Any]]) -> Path:
    """A home with the corpus slice ingested and embedded once; tests work on copies."""
    tmp = tmp_path_factory.mktemp("template")
    path = tmp / "listing.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for row in corpus_rows:
            fh.write(json.dumps(row) + "\n")
    home = tmp / "home"
    first = json.loads(ok(home, "ingest", str(path), "--json"))
    assert first["inserted"] == 400 and first["skipped"] == 0 and first["embedded"] == 400
    return home


@pytest.fixture()
def home(tmp_path: Path, ingested: Path) -> Path:
    copy = tmp_path / "home"
    copy.mkdir()
    with (
        sqlite3.connect(ingested / "paperfeed.db") as src,
        sqlite3.connect(copy / "paperfeed.db") as dst,
    ):
        src.backup(dst)
    return copy


def invoke(home: Path, *args: str, input: str | None = None) -> Result:
    runner = CliRunner()
    result = runner.invoke(cli, ["--home", str(home), "--quiet", *args], input=input)
    assert "Traceback" not in result.output
    return result


def ok(home: Path, *args: str, input: str | None = None) -> str:
    result = invoke(home, *args, input=input)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def test_profile_ingest_recommend_rate(tmp_path: Path, home: Path, corpus_file: Path) -> None:
    assert "paperfeed home" in ok(home, "init")
    out = ok(home, "profile", "add", "--user", "linda", str(SEED), "--json")
    assert json.loads(out)["added_to_profile"] == 10

    again = json.loads(ok(home, "ingest", str(corpus_file), "--json"))
    assert again["inserted"] == 0 and again["unchanged"] == 400 and again["embedded"] == 0

    recs = json.loads(ok(home, "recommend", "--user", "linda", "--days", "30", "--format", "json"))
    assert len(recs) == 20
    profile_ids = {
        line.split()[0] for line in ok(home, "profile", "list", "--user", "linda").splitlines()
    }
    assert len(profile_ids) == 10
    for r in recs:
        assert r["explanation"]["closest_id"] in profile_ids
        assert r["explanation"]["shared_terms"], r
    scores = [r["score"] for r in recs]
    assert scores == sorted(scores, reverse=True)  # a ranking, though MMR reorders
    assert all(r["score"] <= r["components"]["relevance"] + 1e-4 for r in recs)  # 4 digits

    table = ok(home, "recommend", "--user", "linda", "--days", "30", "--top", "5")
    assert table.count("why: closest to your paper") == 5

    html = tmp_path / "digest.html"
    ok(home, "recommend", "--user", "linda", "--days", "30", "--format", "html", "-o", str(html))
    page = html.read_text()
    assert page.count('class="item"') == 20 and "Closest to your paper" in page

    # Feedback: a downvoted paper disappears and the next ranking changes.
    top_id = recs[0]["paper"]["id"]
    assert "down" in ok(home, "rate", top_id, "down", "--user", "linda")
    after = json.loads(ok(home, "recommend", "--user", "linda", "--days", "30", "--format", "json"))
    assert top_id not in [r["paper"]["id"] for r in after]


def test_search_and_similar(home: Path, corpus_rows: list[dict]) -> None:
    target = corpus_rows[10]
    res = json.loads(ok(home, "search", target["title"], "--format", "json", "--top", "5"))
    assert res[0]["paper"]["id"] == target["id"]
    sim = json.loads(ok(home, "similar", target["id"], "--format", "json", "--top", "5"))
    assert len(sim) == 5 and target["id"] not in [r["paper"]["id"] for r in sim]


def _protocol_files(tmp_path: Path, rows: list[dict[str, Any]]) -> tuple[Path, Path]:
    papers = [
        {
            "id": r["id"] + "v1",
            "title": r["title"],
            "abstract": r["abstract"],
            "date": r["listing_date"],
        }
        for r in rows
    ]
    cands, prof = papers[:150], papers[150:]
    cpath = tmp_path / "candidates.jsonl"
    cpath.write_text("".join(json.dumps(p) + "\n" for p in cands))
    ppath = tmp_path / "profiles.jsonl"
    users = [
        {"user": "a", "papers": prof[:3]},
        {"user": "b", "papers": prof[3:6], "negatives": prof[6:8]},
        {"user": "c", "papers": [cands[0]]},  # a profile paper among the candidates
    ]
    ppath.write_text("".join(json.dumps(u) + "\n" for u in users))
    return ppath, cpath


def test_rank_protocol_round_trip(tmp_path: Path, corpus_rows: list[dict[str, Any]]) -> None:
    home = tmp_path / "never-initialized"
    ppath, cpath = _protocol_files(tmp_path, corpus_rows[:160])
    args = ("rank", "--profiles", str(ppath), "--candidates", str(cpath))
    lines = [json.loads(line) for line in ok(home, *args, "--top", "0").splitlines()]
    assert [line["user"] for line in lines] == ["a", "b", "c"]
    cand_ids = [json.loads(line)["id"] for line in cpath.read_text().splitlines()]
    for line in lines[:2]:
        assert sorted(pid for pid, _ in line["ranking"]) == sorted(cand_ids)  # ids verbatim
        scores = [s for _, s in line["ranking"]]
        assert scores == sorted(scores, reverse=True)
    assert cand_ids[0] not in [pid for pid, _ in lines[2]["ranking"]]
    assert len(lines[2]["ranking"]) == len(cand_ids) - 1

    top5 = [json.loads(line) for line in ok(home, *args, "--top", "5").splitlines()]
    assert all(len(line["ranking"]) == 5 for line in top5)
    assert [p for p, _ in top5[0]["ranking"]] == [p for p, _ in lines[0]["ranking"][:5]]

    # A second run over the same texts embeds nothing.
    db = sqlite3.connect(home / "paperfeed.db")
    before = db.execute("select count(*) from embeddings").fetchone()[0]
    assert before == 158  # 150 candidates + 8 profile papers and negatives
    ok(home, *args)
    assert db.execute("select count(*) from embeddings").fetchone()[0] == before


def test_rank_protocol_bad_input_is_one_line(tmp_path: Path, corpus_rows: list[dict]) -> None:
    ppath, cpath = _protocol_files(tmp_path, corpus_rows[:160])
    lines = cpath.read_text().splitlines()
    lines[2] = '{"id": "x", "title": '
    cpath.write_text("\n".join(lines) + "\n")
    result = invoke(tmp_path / "h", "rank", "--profiles", str(ppath), "--candidates", str(cpath))
    assert result.exit_code == 1
    assert f"{cpath}:3: not valid JSON" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_inputs_give_one_clear_line(tmp_path: Path, home: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "2501.00001", "title": "ok", "abstract": "fine"}\n{"id": \n')
    res = invoke(home, "ingest", str(bad))
    assert res.exit_code == 0 and "bad.jsonl:2" in res.output
    for args in (
        ("ingest", str(tmp_path / "missing.jsonl")),
        ("recommend", "--user", "nobody"),
        ("rate", "9999.99999", "up"),
        ("profile", "add", "not-a-file-or-id"),
        ("recommend", "--since", "yesterday"),
    ):
        res = invoke(home, *args)
        assert res.exit_code != 0, args
        errors = [line for line in res.output.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, res.output
