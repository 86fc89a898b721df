"""Property tests: no input makes a parser raise anything but ParseError."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.models import Paper
from paperfeed.sources import FORMATS, ParseError, ParseResult, parse_path, parse_text, parser_for

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
SEEDS = ROOT.parent / "shared" / "seeds"


def _samples() -> list[bytes]:
    out = [p.read_bytes() for p in sorted(FIXTURES.iterdir()) if p.is_file()]
    if SEEDS.exists():
        out += [p.read_bytes()[:6000] for p in sorted(SEEDS.iterdir())]
    return out


SAMPLES = _samples()
FUZZ = settings(
    max_examples=int(os.environ.get("PAPERFEED_FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Text that looks a little like our inputs, so parsers get past their first checks.
TOKENS = st.sampled_from(
    [
        "Abstract:",
        "arXiv:2401.01234",
        "hep-th/9901001v2",
        "10.1000/xyz",
        "\n",
        "\n\n",
        "  • 3 authors\n·\nOct 3, 2024 2\n",
        "{",
        "}",
        "[",
        "]",
        '"',
        ",",
        ":",
        '{"id": "2401.00001", "title": "t", "abstract": "a"}',
        '{"paper": {"id": 1}}',
        "<entry>",
        "</entry>",
        "<feed xmlns='http://www.w3.org/2005/Atom'>",
        "<record>",
        "<OAI-PMH>",
        "@article{k,",
        "title = {x},",
        "\\'e",
        "$\\alpha$",
        "word " * 12,
    ]
)
TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(TOKENS, st.text(max_size=20)), max_size=40).map("".join),
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["cut", "delete", "insert", "flip", "dup"]))
        if op == "cut":
            del data[i:]
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 200))]
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=20))
        elif op == "flip":
            data[i] ^= draw(st.integers(1, 255))
        else:
            data[i:i] = data[i : i + draw(st.integers(1, 300))]
    return bytes(data)


def _check(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    for paper in result.papers:
        assert isinstance(paper, Paper) and paper.id
        assert paper.date is None or len(paper.date) == 10
    for issue in result.issues:
        assert "\n" not in issue.message


def _run(text: str, fmt: str | None) -> None:
    try:
        if fmt is None:
            _check(parse_text(text))
        else:
            _check(parser_for(fmt)(text, "fuzz.txt"))  # the raw parser, no safety net
    except ParseError:
        pass


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@FUZZ
@given(text=TEXT)
def test_random_text(fmt: str, text: str) -> None:
    _run(text, fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@FUZZ
@given(data=mutated())
def test_mutated_inputs(fmt: str, data: bytes) -> None:
    _run(data.decode("utf-8", errors="replace"), fmt)


@FUZZ
@given(text=TEXT)
def test_random_text_detected(text: str) -> None:
    _run(text, None)


@FUZZ
@given(data=mutated())
def test_mutated_files(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("in.txt", "in.jsonl.gz"):
            path = Path(tmp) / name
            path.write_bytes(data)
            with contextlib.suppress(ParseError):
                _check(parse_path(path))
