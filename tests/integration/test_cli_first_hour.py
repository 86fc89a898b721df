"""What a new user trips over in the first hour (issue 13), through the CLI with the model-free
hashing embedder: exit codes and counts, the rating echo, author listings without coauthors
and the terminal layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperfeed.cli import cli

pytestmark = pytest.mark.integration

SEED_001 = (
    Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "001_d815dd8ff115ccd5.txt"
)

PAPERS = [
    {
        "id": f"2608.0{i:04d}",
        "title": f"Graph neural networks for molecule property prediction, part {i}",
        "abstract": "We study message passing graph neural networks on molecules and report "
        f"state of the art results on benchmark {i} with low-rank optimizer states.",
        "authors": ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
        "listing_date": f"2026-08-{10 + i % 5:02d}",
    }
    for i in range(12)
]


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *args], env=env)
    assert "Traceback" not in result.output
    return result


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n')
    listing = tmp_path / "listing.jsonl"
    listing.write_text("".join(json.dumps(p) + "\n" for p in PAPERS))
    assert run(home, "ingest", str(listing)).exit_code == 0
    profile = tmp_path / "mine.txt"
    profile.write_text(
        "Abstract: We propose message passing networks for molecular graphs and optimizer "
        "states of low rank, with results on property prediction.\n"
    )
    assert run(home, "profile", "add", str(profile)).exit_code == 0
    return home


def test_a_file_of_only_bad_entries_fails(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"bad": 1}\nnot json\n')
    result = run(home, "ingest", str(bad))
    assert result.exit_code == 1
    assert "nothing could be imported" in result.output and "2 skipped" in result.output


def test_a_partly_bad_file_succeeds_and_says_what_it_skipped(home: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps(PAPERS[0]) + "\nnot json\n")
    result = run(home, "ingest", str(mixed), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["read"] == 2 and summary["skipped"] == 1 and summary["unchanged"] == 1


def test_counts_do_not_add_up_to_more_than_was_read(home: Path, tmp_path: Path) -> None:
    merged = tmp_path / "again.jsonl"  # a known paper from another source: merged
    merged.write_text(json.dumps({**PAPERS[1], "comment": "10 pages"}) + "\nnot json\n")
    line = run(home, "ingest", str(merged), "--format", "jsonl").stdout.strip()
    numbers = {w: int(n) for n, w in (part.split()[:2] for part in line.split(", ")[1:])}
    read = int(line.split("read ")[1].split(",")[0])
    assert numbers["new"] + numbers["updated"] + numbers["unchanged"] + numbers["skipped"] == read


def test_rate_echoes_the_title(home: Path) -> None:
    result = run(home, "rate", PAPERS[3]["id"], "up")
    assert result.exit_code == 0
    assert PAPERS[3]["id"] in result.stdout and "part 3" in result.stdout


def test_recommend_uses_the_terminal_width_and_cuts_nothing(home: Path) -> None:
    narrow = run(home, "recommend", "--days", "30", "--top", "3", env={"COLUMNS": "60"})
    wide = run(home, "recommend", "--days", "30", "--top", "3", env={"COLUMNS": "220"})
    assert narrow.exit_code == 0 and wide.exit_code == 0
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
    assert max(len(line) for line in wide.stdout.splitlines()) > 100
    for out in (narrow.stdout, wide.stdout):
        whys = [b.split("interest:")[0] for b in " ".join(out.split()).split("why: ")[1:]]
        assert whys and all("…" not in why and "(similarity" in why for why in whys)
        assert "Ada Lovelace, Alan Turing, Grace Hopper et al." in " ".join(out.split())
        assert "https://arxiv.org/abs/2608." in out and "why: " in out


@pytest.mark.skipif(not SEED_001.exists(), reason="../shared/seeds is not beside the repository")
def test_author_listing_without_coauthors_says_so(tmp_path: Path) -> None:
    result = run(
        tmp_path / "h", "author", "Qiang Liu", "--from", str(SEED_001), "--vectors", "tfidf"
    )
    assert result.exit_code == 0
    assert "told apart by topic alone" in result.stdout
    as_json = run(
        tmp_path / "h",
        "author",
        "Qiang Liu",
        "--from",
        str(SEED_001),
        "--json",
        "--vectors",
        "tfidf",
    )
    assert json.loads(as_json.stdout)["split_by"] == "topic"


def test_zotero_library_user_is_not_called_user(tmp_path: Path) -> None:
    helptext = run(tmp_path / "h", "fetch", "zotero", "--help").stdout
    assert "--zotero-user" in helptext and "--user " not in helptext
    old = run(tmp_path / "h", "fetch", "zotero", "--user", "me")  # the old spelling still works
    assert old.exit_code == 1 and "is a number" in old.output
