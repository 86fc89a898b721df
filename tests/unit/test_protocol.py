"""The batch ranking protocol's readers: strict, one clear line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperfeed.models import Explanation, Paper, Recommendation
from paperfeed.protocol import ProtocolError, ranking_line, read_candidates, read_profiles


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_reads_papers_and_keeps_ids_verbatim(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "c.jsonl",
        [
            {"id": "2401.01234v2", "title": "T", "abstract": "A", "date": "2024-01-02"},
            {"id": 17, "title": "Only a title", "authors": ["X Y"], "categories": ["cs.LG"]},
        ],
    )
    papers = read_candidates(f)
    assert [p.id for p in papers] == ["2401.01234v2", "17"]
    assert papers[0].date == "2024-01-02" and papers[1].authors == ("X Y",)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('{"id": "a", "title": ', "c.jsonl:2: not valid JSON"),
        ({"title": "no id"}, "c.jsonl:2: field 'id'"),
        ({"id": "a", "title": 3}, "c.jsonl:2: field 'title' must be a string"),
        ({"id": "a"}, "c.jsonl:2: paper a has neither 'title' nor 'abstract'"),
        ({"id": "a", "title": "t", "authors": "X"}, "field 'authors' must be a list"),
        ({"id": "a", "title": "t", "date": 2024}, "field 'date'"),
        ([1, 2], "c.jsonl:2: a paper must be a JSON object"),
    ],
)
def test_bad_candidate_lines_name_file_line_and_field(
    tmp_path: Path, row: object, message: str
) -> None:
    f = _write(tmp_path / "c.jsonl", [{"id": "ok", "title": "fine"}, row])
    with pytest.raises(ProtocolError, match=message.replace("(", r"\(")):
        read_candidates(f)


def test_profiles_with_negatives(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "p.jsonl",
        [
            {"user": "u1", "papers": [{"id": "a", "title": "x"}]},
            {
                "user": "u2",
                "papers": [{"id": "b", "abstract": "y"}],
                "negatives": [{"id": "c", "title": "z"}],
            },
        ],
    )
    profiles = read_profiles(f)
    assert [p.user for p in profiles] == ["u1", "u2"]
    assert [n.id for n in profiles[1].negatives] == ["c"]


def test_profile_errors(tmp_path: Path) -> None:
    f = _write(tmp_path / "p.jsonl", [{"user": "u1", "papers": []}])
    with pytest.raises(ProtocolError, match=r"p\.jsonl:1: user 'u1' has no 'papers'"):
        read_profiles(f)
    f = _write(tmp_path / "p.jsonl", [{"user": "u1", "papers": [{"id": "a", "title": 1}]}])
    with pytest.raises(ProtocolError, match=r"p.jsonl:1: papers\[0\]: field 'title'"):
        read_profiles(f)
    with pytest.raises(ProtocolError, match="no such file"):
        read_profiles(tmp_path / "missing.jsonl")
    empty = tmp_path / "e.jsonl"
    empty.write_text("\n")
    with pytest.raises(ProtocolError, match="no profiles"):
        read_profiles(empty)


def test_ranking_line_shape() -> None:
    e = Explanation("p", "P", 0.5)
    recs = [Recommendation(Paper("x"), 1.23456789, 1, e), Recommendation(Paper("y"), -2.0, 2, e)]
    assert ranking_line("u", recs) == {"user": "u", "ranking": [["x", 1.234568], ["y", -2.0]]}
