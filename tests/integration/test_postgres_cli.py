"""The PostgreSQL backend end to end, through the CLI on real papers: ``--db postgresql://…``
ingests, profiles and recommends exactly as the SQLite default does, and ``paperfeed db copy``
moves a store into PostgreSQL and back losslessly (a second run copies nothing)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperfeed.cli import cli

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
SEED = SHARED / "seeds" / "000_4abb7bda9c42c775.txt"

if not CORPUS.exists():
    pytest.skip("../shared/data is not beside the repository", allow_module_level=True)


@pytest.fixture(scope="module")
def listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last 500 papers of the shared corpus (a few listing days), as a JSONL file."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()[-500:]
    path = tmp_path_factory.mktemp("listing") / "listing.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _run(home: Path, *args: str, db: str | None = None, code: int = 0) -> Result:
    where = ["--db", db] if db else []
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *where, *args])
    assert result.exit_code == code, result.output + repr(result.exception)
    return result


def _home(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    return home


def _top20(home: Path, db: str | None = None) -> list[tuple[str, float]]:
    out = _run(home, "recommend", "--user", "ada", "--format", "json", "--top", "20", db=db)
    return [(r["paper"]["id"], round(r["score"], 5)) for r in json.loads(out.stdout)]


def _fill(home: Path, listing: Path, db: str | None = None, liked: str | None = None) -> str:
    """Ingest, a profile, and an upvote of ``liked`` (else of the first search result for
    "learning"); the paper upvoted."""
    _run(home, "ingest", str(listing), db=db)
    _run(home, "profile", "add", "--user", "ada", str(SEED), db=db)
    found = json.loads(_run(home, "search", "learning", "--format", "json", db=db).stdout)
    assert len(found) == 20
    liked = liked or found[0]["paper"]["id"]
    _run(home, "rate", "--user", "ada", liked, "up", db=db)
    return liked


def _counts(copy_output: str) -> dict[str, tuple[int, int, int]]:
    rows = [line.split() for line in copy_output.splitlines()[1:] if len(line.split()) == 4]
    return {t: (int(s), int(c), int(d)) for t, s, c, d in rows}


@pytest.mark.postgres
def test_postgres_recommends_the_same_top_20_as_sqlite(
    tmp_path: Path, listing: Path, new_database: Callable[[], str]
) -> None:
    sqlite_home, pg_home, url = _home(tmp_path, "a"), _home(tmp_path, "b"), new_database()
    # the same upvote on both: their full-text rankings differ (bm25, ts_rank), so the
    # first search result may too
    _fill(pg_home, listing, db=url, liked=_fill(sqlite_home, listing))
    expected = _top20(sqlite_home)
    assert len(expected) == 20
    assert _top20(pg_home, db=url) == expected
    assert not (pg_home / "paperfeed.db").exists()  # the URL, not the home's file
    found = json.loads(_run(pg_home, "similar", expected[0][0], "--format", "json", db=url).stdout)
    assert found and expected[0][0] not in {r["paper"]["id"] for r in found}
    assert "ok" in _run(pg_home, "db", "check", db=url).stdout


@pytest.mark.postgres
def test_db_copy_into_postgres_and_back_is_lossless_and_idempotent(
    tmp_path: Path, listing: Path, new_database: Callable[[], str]
) -> None:
    home = _home(tmp_path, "a")
    _fill(home, listing)
    someone = json.loads(_run(home, "search", "graph", "--format", "json").stdout)[0]["paper"]
    _run(home, "follow", someone["authors"][0], "--paper", someone["id"], "--user", "ada")
    expected = _top20(home)
    url = new_database()
    there = _counts(_run(home, "db", "copy", "--to", url).stdout)
    assert there["papers"][0] > 500 and all(s == c == d for s, c, d in there.values())
    assert there["embeddings"][0] > 0 and there["ratings"] == (1, 1, 1)
    assert there["follows"] == (1, 1, 1)
    again = _counts(_run(home, "db", "copy", "--to", url).stdout)
    assert all(c == 0 for _, c, _ in again.values())  # a second run copies nothing
    assert _top20(home, db=url) == expected
    assert "ok" in _run(home, "db", "check", db=url).stdout

    back = str(tmp_path / "back.db")
    counts = _counts(_run(home, "db", "copy", "--from", url, "--to", back).stdout)
    assert {t: s for t, (s, _, _) in counts.items()} == {t: s for t, (s, _, _) in there.items()}
    assert all(s == c == d for s, c, d in counts.values()), counts
    assert _top20(home, db=back) == expected
    assert "ok" in _run(home, "db", "check", db=back).stdout


def test_db_check_reports_papers_without_vectors(tmp_path: Path, listing: Path) -> None:
    home = _home(tmp_path, "a")
    _run(home, "ingest", "--no-embed", str(listing))
    result = _run(home, "db", "check", code=1)
    assert "papers without a hashing-64 vector: 500" in result.stdout
    assert "500 papers have no hashing-64 vector" in result.stderr
