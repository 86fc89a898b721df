"""`paperfeed interests` lists named interests and renames them; recommend/search/similar
explain in their own terms (issue 13.1, 13.6), through the CLI with the hashing embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperfeed.cli import cli

pytestmark = pytest.mark.integration

TOPICS = {
    "graph": "message passing graph neural networks molecules node classification",
    "speech": "speech recognition acoustic phoneme transcripts audio encoders",
}


def paper(pid: str, topic: str, i: int, day: str) -> dict[str, object]:
    words = TOPICS[topic].split()
    return {
        "id": pid,
        "title": " ".join(words[i % 3 : i % 3 + 4]),
        "abstract": " ".join(words[i % 4 :] + words[: i % 4]),
        "listing_date": day,
    }


def run(home: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n')
    mine = [
        paper(f"2601.0{i:04d}", t, i, "2026-01-05")
        for i, t in enumerate(["graph"] * 3 + ["speech"] * 2)
    ]
    new = [
        paper(f"2608.0{i:04d}", t, i, "2026-08-20") for i, t in enumerate(["graph", "speech"] * 4)
    ]
    (tmp_path / "mine.jsonl").write_text("".join(json.dumps(p) + "\n" for p in mine))
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(p) + "\n" for p in new))
    assert run(home, "profile", "add", str(tmp_path / "mine.jsonl")).exit_code == 0
    assert run(home, "ingest", str(tmp_path / "new.jsonl")).exit_code == 0
    return home


def test_interests_are_listed_renamed_and_shown_in_digests(home: Path) -> None:
    listed = json.loads(run(home, "interests", "--json").stdout)
    assert len(listed) == 2 and all(row["name"] for row in listed)
    assert run(home, "interests", "rename", "2", "Speech models").exit_code == 0
    assert json.loads(run(home, "interests", "--json").stdout)[1]["name"] == "Speech models"
    recs = json.loads(run(home, "recommend", "--days", "3", "--format", "json").stdout)
    names = {r["explanation"]["interest_name"] for r in recs}
    assert "Speech models" in names and "" not in names
    html = run(home, "recommend", "--days", "3", "--format", "html").stdout
    assert "Speech models (" in html and "Interest 1" not in html
    assert run(home, "interests", "rename", "2", "--reset").exit_code == 0
    assert json.loads(run(home, "interests", "--json").stdout)[1]["name"] != "Speech models"
    bad = run(home, "interests", "rename", "9", "x")
    assert bad.exit_code == 1 and "no number 9" in bad.output


def test_search_and_similar_do_not_call_things_your_paper(home: Path) -> None:
    found = json.loads(run(home, "search", "speech", "recognition", "--format", "json").stdout)
    assert found and all(r["explanation"]["kind"] == "query" for r in found)
    assert all("your paper" not in r["explanation"]["text"] for r in found)
    assert found[0]["explanation"]["text"].startswith("matches your query")
    alike = json.loads(run(home, "similar", "2608.00001", "--format", "json").stdout)
    assert alike and alike[0]["explanation"]["text"].startswith(("shares with", "close to"))
    assert all("your paper" not in r["explanation"]["text"] for r in alike)
