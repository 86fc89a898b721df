"""Zotero CSL-JSON exports and Zotero web API items."""

from __future__ import annotations

import json
from pathlib import Path

from paperfeed.sources import detect_format, parse_path, parse_text

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sources"


def test_csl_json() -> None:
    result = parse_path(FIXTURES / "zotero_csl.json")
    assert result.format == "csl-json"
    assert result.issues == []
    attention, lecun, blog = result.papers
    assert attention.id == "1706.03762"
    assert attention.date == "2017-12-05"
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer")
    assert attention.extra["citation_key"] == "vaswaniAttentionAllYou2017"
    assert lecun.id == "doi:10.1038/nature14539"
    assert (lecun.venue, lecun.date) == ("Nature", "2015-05-01")
    assert blog.authors == ("The Ranking Team",) and blog.date == "2023-11-02"
    assert blog.id.startswith("text:")


def test_zotero_api_items() -> None:
    result = parse_path(FIXTURES / "zotero_api_items.json")
    assert result.format == "zotero-json"
    assert result.issues == []
    sparse, rff, adam = result.papers  # the PDF attachment is skipped
    assert sparse.id == "2401.01234"  # from extra: "arXiv: 2401.01234"
    assert sparse.authors == ("Jane Doe", "José Example")  # the editor is not an author
    assert sparse.date == "2024-01-02"
    assert sparse.extra["tags"] == ["Computer Science - Machine Learning", "to-read"]
    assert sparse.extra["zotero_key"] == "ABCD2345"
    assert rff.venue == "Advances in Neural Information Processing Systems"
    assert rff.date == "2007-01-01" and rff.id.startswith("text:")
    assert adam.id == "1412.6980" and adam.authors == ("Diederik P. Kingma", "Jimmy Ba")
    assert adam.venue is None  # "arXiv:1412.6980 [cs]" is not a venue


def test_bad_items_named_by_key() -> None:
    items = json.loads((FIXTURES / "zotero_api_items.json").read_text())
    items[1]["data"]["creators"] = "Rahimi"
    items[3]["data"]["title"] = ""
    items[3]["data"]["abstractNote"] = ""
    result = parse_text(json.dumps(items), filename="z.json")
    assert [p.extra["zotero_key"] for p in result.papers] == ["ABCD2345"]
    wheres = [i.where for i in result.issues]
    assert wheres == ["z.json: entry EFGH6789", "z.json: entry MNOP4567"]
    assert "'data.creators'" in result.issues[0].message


def test_truncated_export_keeps_complete_items() -> None:
    text = (FIXTURES / "zotero_csl.json").read_text()
    cut = text[: text.index('"Deep learning"')]
    assert detect_format(cut) == "csl-json"
    result = parse_text(cut, filename="c.json")
    assert [p.id for p in result.papers] == ["1706.03762"]
    assert result.issues and result.issues[0].where.startswith("c.json:")
