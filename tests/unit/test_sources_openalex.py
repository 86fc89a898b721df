"""OpenAlex works: single work, results page, inverted-index abstracts, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperfeed.sources import parse_path, parse_text
from paperfeed.sources.base import FieldError
from paperfeed.sources.openalex import abstract_from_inverted_index, paper_from_work

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sources"


def test_inverted_index_rebuilds_the_abstract() -> None:
    index = {"Deep": [0], "nets": [1, 3], "train": [2], "well.": [4]}
    assert abstract_from_inverted_index(index) == "Deep nets train nets well."
    assert abstract_from_inverted_index(None) == ""
    with pytest.raises(FieldError):
        abstract_from_inverted_index(["not", "a", "dict"])


def test_single_work_prefers_the_arxiv_location() -> None:
    result = parse_path(FIXTURES / "openalex_work.json")
    assert result.format == "openalex-json"
    assert result.issues == []
    (paper,) = result.papers
    assert paper.id == "1512.03385"  # an arXiv location makes the arXiv id the identity
    assert paper.doi == "10.1109/cvpr.2016.90"
    assert paper.title == "Deep Residual Learning for Image Recognition"
    assert paper.abstract.startswith("Deeper neural networks are more difficult to train.")
    assert paper.abstract.endswith("still having lower complexity.")
    assert paper.authors == ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")
    assert paper.date == "2016-06-01"
    assert paper.venue and "CVPR" in paper.venue
    assert paper.extra["openalex_id"] == "W2194775991"
    assert paper.sources == ("openalex-json",)


def test_results_page() -> None:
    result = parse_path(FIXTURES / "openalex_results.json")
    first, second = result.papers
    assert first.id == "2401.01234"  # arXiv DOI → arXiv id
    assert first.title == "Sparse Low-Rank Adapters for Efficient Fine-Tuning"  # HTML removed
    assert first.abstract == ""
    assert first.venue is None  # the arXiv repository is no venue
    assert second.id == "doi:10.1109/cvpr.2016.90"  # no arXiv location: the DOI


def test_bad_works_are_skipped_with_a_reason() -> None:
    text = json.dumps({"results": [{"id": "https://openalex.org/W9", "title": None}, 3]})
    result = parse_text(text, "openalex-json", filename="w.json")
    assert result.papers == []
    assert len(result.issues) == 2 and all(i.skipped for i in result.issues)
    assert "neither a title nor an abstract" in result.issues[0].message


def test_error_document_and_unreadable_date() -> None:
    err = parse_text('{"error": "Not Found", "message": "no such work"}', "openalex-json")
    assert err.papers == [] and "no such work" in err.issues[0].message
    work = {"id": "https://openalex.org/W7", "title": "Long Enough", "publication_date": "x"}
    paper, warnings = paper_from_work(work)
    assert paper.id == "openalex:W7" and paper.date is None
    assert warnings and "unreadable date" in warnings[0]
