"""Plain id lists → stubs to fetch."""

from __future__ import annotations

from pathlib import Path

from paperfeed.sources import detect_format, parse_path, parse_text

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sources"


def test_id_list() -> None:
    result = parse_path(FIXTURES / "ids.txt")
    assert result.format == "ids"
    got = [(p.id, p.version, p.doi) for p in result.papers]
    assert got == [
        ("2401.01234", None, None),
        ("1706.03762", 5, None),
        ("2312.05555", 3, None),
        ("2311.04444", None, None),
        ("hep-th/9901001", None, None),
        ("math.GT/0309136", 2, None),
        ("doi:10.1038/nature14539", None, "10.1038/nature14539"),
        ("doi:10.1145/3626772.3657700", None, "10.1145/3626772.3657700"),
        ("1412.6980", None, "10.48550/arxiv.1412.6980"),
    ]
    assert all(p.extra == {"needs_fetch": True} and p.title == "" for p in result.papers)
    name = str(FIXTURES / "ids.txt")
    assert [(i.where, i.message.split(":")[0]) for i in result.issues] == [
        (f"{name}:12", "not an arXiv id, arXiv URL or DOI"),
        (f"{name}:13", "duplicate id 2401.01234 (first at " + name),
    ]


def test_detection_tolerates_a_stray_line() -> None:
    assert detect_format("2401.01234\nhep-th/9901001\n10.1000/xyz\n") == "ids"
    assert detect_format("# my list\n\n2401.01234\n") == "ids"
    assert detect_format("2401.01234\nhttps://arxiv.org/abs/2401.00002\nnot an id\n") == "ids"


def test_bulleted_list() -> None:
    result = parse_text("- 2401.01234\n* arXiv:2401.00002\n1. 10.1000/abc\n", "ids")
    assert [p.id for p in result.papers] == ["2401.01234", "2401.00002", "doi:10.1000/abc"]
