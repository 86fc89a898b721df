"""JSON-lines corpora, paper JSON, the arXiv snapshot; streaming and damaged input."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from paperfeed.models import Paper
from paperfeed.sources import (
    ParseError,
    ParseIssue,
    detect_format,
    iter_jsonl_papers,
    parse_path,
    parse_text,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
DATA = ROOT.parent / "shared" / "data"
ARXIV_CS = DATA / "arxiv-cs-2025-2026.jsonl.gz"
CONFERENCES = DATA / "conference-papers.jsonl.gz"
needs_data = pytest.mark.skipif(not ARXIV_CS.exists(), reason="shared data not present")


def test_plain_paper_objects() -> None:
    result = parse_path(FIXTURES / "papers.jsonl")
    assert result.format == "jsonl"
    by_id = {p.id: p for p in result.papers}
    assert list(by_id) == [
        "2401.01234",
        "doi:10.1038/nature14539",
        next(i for i in by_id if i.startswith("text:")),
        "p-42",
        "2402.00002",
    ]
    first = by_id["2401.01234"]
    assert first.version == 2
    assert first.date == "2024-01-02"
    assert first.authors == ("Jane Doe", "José Example")
    assert first.categories == ("cs.LG", "cs.CL")
    assert first.sources == ("jsonl",)
    assert by_id["doi:10.1038/nature14539"].doi == "10.1038/nature14539"
    assert by_id["p-42"].authors == ("Ann One", "Bob Two", "Cy Three")
    assert by_id["p-42"].categories == ("cs.IR", "cs.LG")
    assert by_id["2402.00002"].date is None


def test_bad_lines_are_issues_naming_line_and_field() -> None:
    result = parse_path(FIXTURES / "papers.jsonl")
    issues = {i.where.rsplit(":", 1)[1]: i.message for i in result.issues}
    name = str(FIXTURES / "papers.jsonl")
    assert all(i.where.startswith(name + ":") for i in result.issues)
    assert "duplicate id 2401.01234" in issues["5"]
    assert "'authors'" in issues["6"]
    assert "'date'" in issues["7"] and "skipped" not in issues["7"]  # kept, date dropped
    assert "invalid JSON" in issues["8"]
    assert "JSON object" in issues["9"]
    assert "'title'" in issues["10"]  # a number is not a title
    assert "'title'" in issues["11"]
    assert "neither a title nor an abstract" in issues["12"]


def test_round_trip_of_paper_to_json() -> None:
    paper = Paper(
        id="2401.01234",
        title="T",
        abstract="A b c.",
        authors=("X Y",),
        categories=("cs.LG",),
        date="2024-01-02",
        version=3,
        doi="10.1000/x",
        comment="9 pages",
        url="https://arxiv.org/abs/2401.01234",
        venue="ICML",
        sources=("whatever",),
        extra={"upvotes": 3},
    )
    line = json.dumps(paper.to_json())
    (back,) = parse_text(line, "jsonl").papers
    assert back == paper.with_(sources=("jsonl",))
    assert back.extra == {"upvotes": 3}


def test_json_array_and_wrapped_document() -> None:
    records = [{"id": "2401.00001", "title": "A", "abstract": "a"}, {"title": "B", "abstract": "b"}]
    assert len(parse_text(json.dumps(records, indent=2)).papers) == 2
    wrapped = json.dumps({"papers": records}, indent=2)
    assert detect_format(wrapped) == "jsonl"
    assert len(parse_text(wrapped).papers) == 2


def test_truncated_json_array_keeps_complete_records() -> None:
    records = [{"id": f"2401.0000{i}", "title": f"T{i}", "abstract": "x"} for i in range(1, 4)]
    text = json.dumps(records, indent=2)
    cut = text[: text.index('"T3"')]
    result = parse_text(cut, "jsonl", filename="cut.json")
    assert [p.id for p in result.papers] == ["2401.00001", "2401.00002"]
    assert len(result.issues) == 1 and result.issues[0].where.startswith("cut.json:")


def test_snapshot_format() -> None:
    result = parse_path(FIXTURES / "arxiv_snapshot.jsonl")
    assert result.issues == []
    p1, p2, old = result.papers
    assert (p1.id, p1.version, p1.date) == ("0704.0001", 2, "2007-04-02")
    assert p1.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert p1.authors[0] == "C. Balázs"
    assert p1.doi == "10.1103/physrevd.76.013009"
    assert p1.venue == "Phys.Rev.D76:013009,2007"
    assert p1.comment == "37 pages, 15 figures; published version"
    assert p1.extra["update_date"] == "2008-11-13"
    assert p1.extra["submitter"] == "Pavel Nadolsky"
    assert p2.categories == ("math.CO", "cs.CG")
    assert p2.abstract.startswith("We describe a new algorithm, the $(k,\\ell)$-pebble game")
    assert old.id == "hep-th/9901001" and old.authors == ("A. Müller", "B. Theorist")


def test_hf_daily_items_inside_jsonl() -> None:
    items = json.loads((FIXTURES / "hf_daily_papers.json").read_text())
    text = "\n".join(json.dumps(it) for it in items)
    result = parse_text(text)
    assert result.format == "jsonl"
    assert [p.id for p in result.papers] == ["2401.02954", "2401.04088"]


def test_gzip_and_streaming(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "papers.jsonl").read_bytes()))
    items = list(iter_jsonl_papers(path))
    papers = [i for i in items if isinstance(i, Paper)]
    issues = [i for i in items if isinstance(i, ParseIssue)]
    assert len(papers) == 5 and len(issues) == 8
    assert parse_path(path).papers == papers


def test_truncated_gzip_keeps_what_was_read() -> None:
    result = parse_path(FIXTURES / "papers_truncated.jsonl.gz")
    assert len(result.papers) == 5
    assert any("truncated gzip" in i.message for i in result.issues)


def test_latin1_line_is_decoded_with_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_bytes(
        b'{"id": "2401.00001", "title": "ok", "abstract": "a"}\n'
        + '{"id": "2401.00002", "title": "Café", "abstract": "b"}\n'.encode("cp1252")
    )
    result = parse_path(path)
    assert [p.title for p in result.papers] == ["ok", "Café"]
    assert any("cp1252" in i.message for i in result.issues)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not text"):
        parse_path(FIXTURES / "binary.png.txt", "jsonl")
    with pytest.raises(ParseError, match="cannot read"):
        parse_path(tmp_path / "missing.jsonl")


@needs_data
def test_arxiv_cs_corpus_streams() -> None:
    first = list(islice(iter_jsonl_papers(ARXIV_CS), 3))
    assert all(isinstance(p, Paper) for p in first)
    p = first[0]
    assert isinstance(p, Paper)
    assert p.id == "2503.11677" and p.version is None
    assert p.date == "2025-03-18"
    assert p.categories == ("cs.HC", "cs.CV")
    assert p.authors[0] == "Jungyeon Park"


@needs_data
@pytest.mark.slow
def test_arxiv_cs_corpus_full_count() -> None:
    n = sum(1 for item in iter_jsonl_papers(ARXIV_CS) if isinstance(item, Paper))
    assert n == 64177


@needs_data
def test_conference_corpus_ids() -> None:
    items = list(islice(iter_jsonl_papers(CONFERENCES), 2000))
    papers = [p for p in items if isinstance(p, Paper)]
    assert len(papers) == 2000
    flash = papers[0]
    assert flash.id == "conf:3dv2025:05T81ScPFb"
    assert flash.date == "2025-01-01" and flash.venue == "3dv"
    assert flash.url == "https://openreview.net/forum?id=05T81ScPFb"
    assert flash.extra["status"] == "Poster"


def test_conference_record_with_arxiv_id() -> None:
    base = {"title": "T", "abstract": "A", "authors": ["X"], "venue": "cvpr", "year": 2017}
    lines = [
        json.dumps({**base, "id": "cvpr2017:0", "arxiv": "1612.00496v2", "gs_citation": 1362}),
        json.dumps({**base, "id": "nips2018:7", "arxiv": "arXiv:1802.09232"}),
        json.dumps({**base, "id": "nips2018:8", "arxiv": None, "gs_citation": -1}),
    ]
    a, b, c = parse_text("\n".join(lines)).papers
    assert (a.id, a.version, a.extra["source_id"], a.extra["gs_citation"]) == (
        "1612.00496",
        2,
        "cvpr2017:0",
        1362,
    )
    assert b.id == "1802.09232"
    assert c.id == "conf:nips2018:8" and "gs_citation" not in c.extra
    assert a.date == "2017-01-01" and a.venue == "cvpr"
