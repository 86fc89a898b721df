"""Pasted abstracts (seed 000) and the arXiv author listing (seed 001)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed import ids
from paperfeed.sources import detect_format, parse_path, parse_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_000 = SEEDS / "000_4abb7bda9c42c775.txt"
SEED_001 = SEEDS / "001_d815dd8ff115ccd5.txt"
needs_seeds = pytest.mark.skipif(not SEED_000.exists(), reason="shared seeds not present")

LISTING_IDS = [
    "2409.01081",
    "2408.12857",
    "2408.12456",
    "2408.11104",
    "2408.10645",
    "2408.09885",
    "2408.09202",
    "2408.04400",
    "2408.00621",
    "2408.06360",
]


@needs_seeds
def test_seed_000_gives_ten_abstracts() -> None:
    result = parse_path(SEED_000)
    assert result.format == "abstracts"
    assert result.issues == []
    assert len(result.papers) == 10
    assert len({p.id for p in result.papers}) == 10
    for p in result.papers:
        assert p.title == ""
        assert p.id == ids.text_id(p.abstract)
        assert p.extra["list_name"] == "Linda"
        assert p.sources == ("abstracts",)
        assert "Abstract:" not in p.abstract
        assert len(p.abstract) > 500
    assert result.papers[0].abstract.startswith("Recently, a wide range of memory-efficient LLM")
    # paragraphs glued together without a blank line are still split
    assert result.papers[1].abstract.startswith("Large language models (LLMs) face challenges")
    assert result.papers[1].abstract.endswith("multi-hop reasoning capability of edited LLMs.")
    assert result.papers[2].abstract.startswith("The loss functions of many learning problems")
    assert result.papers[-1].abstract.endswith("https://github.com/ZhixunLEE/FairGB.")


@needs_seeds
def test_seed_001_gives_ten_arxiv_papers() -> None:
    result = parse_path(SEED_001)
    assert result.format == "arxiv-author-listing"
    assert result.issues == []
    assert [p.id for p in result.papers] == LISTING_IDS
    by_id = {p.id: p for p in result.papers}
    assert by_id["2409.01081"].comment == "20 pages, under review"
    assert by_id["2409.01081"].abstract.startswith("With the emergence of various molecular tasks")
    assert by_id["2408.12857"].comment == (
        "Code is available at https://github.com/kyleliang919/Online-Subspace-Descent"
    )
    assert by_id["2408.12857"].abstract.startswith("Recently, a wide range of memory-efficient")
    assert by_id["2408.11104"].comment == "Project homepage: https://tum-pbs.github.io/ConFIG/"
    assert by_id["2408.11104"].abstract.endswith(r"\url{https://tum-pbs.github.io/ConFIG}.")
    assert by_id["2408.00621"].comment == "This paper is accepted by IEEE GLOBECOM 2024"
    assert by_id["2408.06360"].comment == "ACM Multimedia 2024 (Oral)"
    assert by_id["2408.06360"].abstract.startswith("Many recommender models have been proposed")
    for pid in ("2408.12456", "2408.10645", "2408.09885", "2408.09202", "2408.04400"):
        assert by_id[pid].comment is None
    for p in result.papers:
        assert p.title == "" and len(p.abstract) > 500 and "arXiv:" not in p.abstract


@needs_seeds
def test_seeds_000_and_001_share_abstracts() -> None:
    profile = {p.abstract for p in parse_path(SEED_000).papers}
    listing = parse_path(SEED_001).papers
    shared = [p.id for p in listing if p.abstract in profile]
    assert "2408.12857" in shared and len(shared) >= 5


def test_plain_paragraphs_without_markers() -> None:
    result = parse_path(FIXTURES / "abstracts_plain.txt")
    assert result.format == "abstracts"
    assert len(result.papers) == 3
    assert all(p.extra["list_name"] == "My reading list" for p in result.papers)
    assert result.papers[1].abstract.startswith("Graph neural networks have become")
    (issue,) = result.issues
    assert issue.where.endswith("abstracts_plain.txt:9") and "too short" in issue.message


def test_glued_markers_and_mid_line_markers() -> None:
    text = "Abstract: first one has enough words to count.Abstract: second one also counts fine.\n"
    result = parse_text(text, filename="x.txt")
    assert [p.abstract for p in result.papers] == [
        "first one has enough words to count.",
        "second one also counts fine.",
    ]


def test_duplicate_abstracts_are_noted() -> None:
    text = "Abstract: the very same text repeated.\n\nAbstract: the very same text repeated.\n"
    result = parse_text(text, "abstracts", filename="d.txt")
    assert len(result.papers) == 1
    assert result.issues[0].where == "d.txt:3" and "duplicate" in result.issues[0].message


def test_cp1252_file_decodes_with_an_issue() -> None:
    result = parse_path(FIXTURES / "abstracts_cp1252.txt")
    assert len(result.papers) == 2
    assert "Café culture and naïve Bayes" in result.papers[0].abstract
    assert "“smart quotes”" in result.papers[0].abstract
    assert any("cp1252" in i.message for i in result.issues)


def test_author_listing_synthetic() -> None:
    text = (
        "First abstract text that is long enough.\nSome comment\n"
        "arXiv:2401.00001v2Second abstract glued to the id.\n"
        "arXiv:hep-th/9901001\ntrailing junk without id\n"
    )
    assert detect_format(text) == "arxiv-author-listing"
    result = parse_text(text, filename="l.txt")
    assert [(p.id, p.version, p.comment) for p in result.papers] == [
        ("2401.00001", 2, "Some comment"),
        ("hep-th/9901001", None, None),
    ]
    assert result.papers[1].abstract == "Second abstract glued to the id."
    assert result.issues and result.issues[0].where == "l.txt:4"
