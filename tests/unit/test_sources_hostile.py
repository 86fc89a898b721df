"""Hostile input (issue 14): linear parsing, bad characters, size limits, and the message for
an undetectable input."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from paperfeed.sources import Limits, ParseError, detect_format, parse_path, parse_text
from paperfeed.sources.base import LineIndex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
ATOM_HEAD = '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'


def _atom(n: int) -> str:
    entries = "".join(
        f"<entry>\n<id>http://arxiv.org/abs/2401.{i:05d}v1</id>\n<title>Paper {i}</title>\n"
        f"<summary>{'word ' * 150}</summary>\n</entry>\n"
        for i in range(n)
    )
    return f"{ATOM_HEAD}{entries}</feed>\n"


def _encodable(papers: list) -> None:  # type: ignore[type-arg]
    for p in papers:
        json.dumps(p.to_json(), ensure_ascii=False).encode("utf-8")


# --- linear time --------------------------------------------------------------------------
# Bounds on this process's CPU time, not the wall clock: a loaded machine makes a parse wait
# for a core, never spend more CPU. Each bound is far above the linear parse and far below
# the quadratic one it guards against.


def test_line_index_matches_counting() -> None:
    text = "a\nbb\n\nccc\n"
    index = LineIndex(text)
    assert [index.line(i) for i in range(len(text) + 1)] == [
        text.count("\n", 0, i) + 1 for i in range(len(text) + 1)
    ]


def test_a_large_atom_feed_parses_in_linear_time() -> None:
    text = _atom(8000)  # 6.8 MB: 17 s when every entry counted lines from the start
    start = time.process_time()
    result = parse_text(text, "arxiv-atom")
    assert time.process_time() - start < 8.0
    assert len(result.papers) == 8000
    assert result.papers[-1].id == "2401.07999"


def test_unclosed_entries_do_not_make_the_salvage_quadratic() -> None:
    junk = ATOM_HEAD + "<entry>\n" * 30000  # 240 KB: 32 s with the salvage regex
    start = time.process_time()
    result = parse_text(junk, "arxiv-atom")
    assert time.process_time() - start < 5.0
    assert result.papers == []
    assert result.issues[0].where == "<text>:30003"


def test_salvage_keeps_line_numbers_of_the_complete_entries() -> None:
    text = _atom(3)
    cut = text[: text.rfind("</entry>") - 5]
    result = parse_text(cut, "arxiv-atom", filename="f.xml")
    assert [p.id for p in result.papers] == ["2401.00000", "2401.00001"]
    assert [i.where for i in result.issues] == ["f.xml:16"]


# --- bad characters -----------------------------------------------------------------------

LONE = '{"id": "2401.00001", "title": "Bad \\ud800", "abstract": "one two three"}\n'
GOOD = '{"id": "2401.00002", "title": "Good", "abstract": "one two three"}\n'
PAIR = '{"id": "2401.00003", "title": "Smile \\ud83d\\ude00", "abstract": "one two"}\n'


def test_a_lone_surrogate_is_replaced_and_the_rest_imported(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text(LONE + GOOD + PAIR)
    for result in (parse_path(path), parse_text(LONE + GOOD + PAIR)):
        assert [p.id for p in result.papers] == ["2401.00001", "2401.00002", "2401.00003"]
        assert result.papers[0].title == "Bad \ufffd"
        assert result.papers[2].title == "Smile \U0001f600"  # a valid pair stays
        _encodable(result.papers)
        (note,) = result.issues
        assert not note.skipped and "lone surrogate" in note.message
    assert parse_path(path).issues[0].where == f"{path}:1"


def test_lone_surrogates_in_json_arrays_and_raw_text() -> None:
    csl = '[{"type": "article", "title": "T \\udc00", "author": [{"family": "X\\ud800"}]}]'
    result = parse_text(csl, "csl-json")
    assert result.papers[0].title == "T \ufffd" and result.papers[0].authors == ("X\ufffd",)
    _encodable(result.papers)
    raw = parse_text("Abstract: a paper about \udcff bytes that were not decoded at all")
    assert "\ufffd" in raw.papers[0].abstract
    _encodable(raw.papers)


def test_a_nul_byte_does_not_make_a_bibtex_file_binary(tmp_path: Path) -> None:
    data = (FIXTURES / "library.bib").read_bytes()
    good = parse_path(FIXTURES / "library.bib")
    path = tmp_path / "lib.bib"
    path.write_bytes(data[:200] + b"\x00" + data[200:])
    result = parse_path(path)
    assert [p.id for p in result.papers] == [p.id for p in good.papers]
    assert any("NUL" in i.message and not i.skipped for i in result.issues)


def test_mostly_nul_bytes_are_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(b"@article{k, title={x}}\n" + b"\x00" * 500)
    with pytest.raises(ParseError, match="binary data"):
        parse_path(path)


# --- size limits --------------------------------------------------------------------------


def _gz_of(chunk: bytes, times: int) -> bytes:
    """gzip of ``chunk * times`` without holding the whole output."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(z.compress(chunk) for _ in range(times)) + z.flush()


def test_a_gzip_bomb_of_zeros_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(_gz_of(b"\x00" * 1024 * 1024, 64))  # 64 KB → 64 MB
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match="binary data"):
            parse_path(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_a_file_over_max_bytes_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    bomb = tmp_path / "big.bib.gz"
    bomb.write_bytes(_gz_of(b"@misc{k, note = {" + b"a" * 1000 + b"}}\n", 5000))  # 5 MB
    with pytest.raises(ParseError, match=r"more than 1 MB of text after decompression"):
        parse_path(bomb, limits=Limits(max_bytes=1024 * 1024))
    plain = tmp_path / "big.txt"
    plain.write_bytes(b"word " * 300_000)
    with pytest.raises(ParseError, match="more than 1 MB"):
        parse_path(plain, limits=Limits(max_bytes=1024 * 1024))


def test_an_overlong_jsonl_line_is_skipped_and_the_rest_streamed(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl.gz"
    huge = '{"id": "2401.00009", "title": "' + "a" * 3_000_000 + '"}\n'
    path.write_bytes(gzip.compress((GOOD + huge + PAIR).encode()))
    result = parse_path(path, limits=Limits(max_line_bytes=1024 * 1024))
    assert [p.id for p in result.papers] == ["2401.00002", "2401.00003"]
    (issue,) = result.issues
    assert issue.where == f"{path}:2" and issue.skipped and "longer than 1 MB" in issue.message


def test_a_streamed_gzip_bomb_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(GOOD.encode()) + _gz_of(b" " * 4095 + b"\n", 8192))
    result = parse_path(path)
    assert [p.id for p in result.papers] == ["2401.00002"]
    assert "gzip bomb" in result.issues[-1].message


def test_overlong_fields_are_cut_with_a_note(tmp_path: Path) -> None:
    rec = {"id": "2401.00005", "title": "T", "abstract": "word " * 10_000}
    line = json.dumps(rec) + "\n"
    path = tmp_path / "long.jsonl"
    path.write_text(line)
    limits = Limits(max_field_chars=1000)
    for result in (parse_path(path, limits=limits), parse_text(line, limits=limits)):
        (paper,) = result.papers
        assert len(paper.abstract) == 1000 and paper.abstract.startswith("word word")
        (note,) = result.issues
        assert not note.skipped
        assert "field 'abstract' has 49,999 characters; cut to 1,000" in note.message
    assert len(parse_text(line).papers[0].abstract) == 49_999  # under the default


# --- messages -----------------------------------------------------------------------------


def test_an_undetectable_input_names_the_parse_command() -> None:
    with pytest.raises(ParseError, match=r"paperfeed parse --help"):
        detect_format("a b\n\nc", "x.txt")
