"""Format detection and reading: every fixture and seed, gzip, encodings, bad files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from paperfeed.sources import (
    FORMATS,
    ParseError,
    detect_format,
    parse_path,
    parse_text,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
SEEDS = ROOT.parent / "shared" / "seeds"

EXPECTED = {
    "abstracts_cp1252.txt": "abstracts",
    "abstracts_plain.txt": "abstracts",
    "arxiv_api_error.xml": "arxiv-atom",
    "arxiv_api_query.xml": "arxiv-atom",
    "arxiv_api_truncated.xml": "arxiv-atom",
    "arxiv_atom_feed_cs_LG.xml": "arxiv-rss",
    "arxiv_oai_arxiv.xml": "arxiv-oai",
    "arxiv_oai_arxivraw.xml": "arxiv-oai",
    "arxiv_oai_error.xml": "arxiv-oai",
    "arxiv_oai_truncated.xml": "arxiv-oai",
    "arxiv_rss_cs_LG.xml": "arxiv-rss",
    "arxiv_snapshot.jsonl": "jsonl",
    "biorxiv_details.json": "biorxiv-json",
    "hf_daily_papers.json": "hf-daily-json",
    "ids.txt": "ids",
    "library.bib": "bibtex",
    "openalex_results.json": "openalex-json",
    "openalex_work.json": "openalex-json",
    "papers.jsonl": "jsonl",
    "papers_truncated.jsonl.gz": "jsonl",
    "zotero_api_items.json": "zotero-json",
    "zotero_bbt.json": "zotero-json",
    "zotero_csl.json": "csl-json",
}
SEED_FORMATS = {
    "000_4abb7bda9c42c775.txt": "abstracts",
    "001_d815dd8ff115ccd5.txt": "arxiv-author-listing",
    "002_0090e32e90b83b3a.txt": "hf-papers-page",
    "003_8f80a89e55e3a444.txt": "hf-papers-page",
    "004_bb86e3953c73899f.txt": "hf-papers-page",
}


def test_every_format_is_covered_by_a_fixture_or_seed() -> None:
    assert set(EXPECTED.values()) | set(SEED_FORMATS.values()) == set(FORMATS)


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED.items()))
def test_fixture_detection(name: str, fmt: str) -> None:
    path = FIXTURES / name
    assert parse_path(path).format == fmt
    if not name.endswith(".gz"):
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert detect_format(text, name) == fmt
        assert detect_format(text) == fmt  # content alone is enough


@pytest.mark.skipif(not SEEDS.exists(), reason="shared seeds not present")
@pytest.mark.parametrize(("name", "fmt"), sorted(SEED_FORMATS.items()))
def test_seed_detection(name: str, fmt: str) -> None:
    assert detect_format((SEEDS / name).read_text(), name) == fmt


def test_format_override() -> None:
    text = "2401.01234\n"
    assert parse_text(text).format == "ids"
    forced = parse_text(text, "abstracts")
    assert forced.format == "abstracts" and forced.papers == []
    with pytest.raises(ParseError, match="unknown format"):
        parse_text(text, "nope")


def test_empty_and_undetectable_inputs(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="empty"):
        detect_format("  \n")
    with pytest.raises(ParseError, match="cannot tell"):
        detect_format("a b\n\nc", "x.txt")
    result = parse_path(FIXTURES / "empty.txt")
    assert result.papers == [] and "empty" in result.issues[0].message
    assert parse_text("", "bibtex").issues[0].message.startswith("empty")


def test_binary_file_is_a_parse_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"binary\.png\.txt: a PNG image"):
        parse_path(FIXTURES / "binary.png.txt")
    junk = tmp_path / "junk.dat"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ParseError, match=r"junk\.dat: binary data"):
        parse_path(junk)
    with pytest.raises(ParseError, match="directory"):
        parse_path(tmp_path)


def test_gzipped_non_jsonl_and_utf16(tmp_path: Path) -> None:
    bib = tmp_path / "lib.bib.gz"
    bib.write_bytes(gzip.compress((FIXTURES / "library.bib").read_bytes()))
    assert parse_path(bib).format == "bibtex"
    u16 = tmp_path / "ids.txt"
    u16.write_bytes("2401.01234\nhep-th/9901001\n".encode("utf-16"))
    assert [p.id for p in parse_path(u16).papers] == ["2401.01234", "hep-th/9901001"]
    bad_gz = tmp_path / "bad.gz"
    bad_gz.write_bytes(b"\x1f\x8b" + b"\x00" * 30)
    with pytest.raises(ParseError):
        parse_path(bad_gz)


def test_issue_where_formats() -> None:
    result = parse_text("2401.01234\nnope nope\n", "ids", filename="list.txt")
    assert result.issues[0].where == "list.txt:2"
    assert str(result.issues[0]).startswith("list.txt:2: ")
