"""Property tests: no input makes a parser raise anything but ParseError."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.models import Paper
from paperfeed.sources import (
    FORMATS,
    Limits,
    ParseError,
    ParseResult,
    parse_path,
    parse_text,
    parser_for,
)

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


# --- a hostile corpus: each input through every format, and files through parse_path ----------

_LONG = "9" * 200_000
HOSTILE_URLS = [
    f"https://arxiv.org/abs/2401.{_LONG}",
    f"https://doi.org/10.1000/{'a' * 200_000}",
    "javascript:alert(1)//2401.01234",
    "http://[::1",
    "https://arxiv.org/abs/2401.01234\x00.pdf",
    "file:///etc/passwd",
    "https://arxiv.org/abs/" + "%00" * 20_000,
    "https://" + "<" * 50_000 + "arxiv.org/abs/2401.01234",
]
HOSTILE = [
    "\n".join(HOSTILE_URLS),
    *(
        '{"id": "x", "title": "t", "abstract": "a b c d e f g h", "url": ' + json.dumps(u) + "}"
        for u in HOSTILE_URLS[:3]
    ),
    "@article{k, title = {T}, url = {" + HOSTILE_URLS[0] + "}}",
    '{"id": "2401.00001", "title": "Bad \\ud800 \\udfff", "abstract": "x"}\n',
    '[{"type": "article", "title": "\\udc80", "author": [{"family": "\\ud800"}]}]',
    '{"paper": {"id": "2401.00001", "title": "\\ud800", "summary": "x"}}',
    "Abstract: lone \udc80 surrogates \ud800 typed into a str by a caller, not decoded",
    "@article{k,\n  title = {With a NUL \x00 inside},\n  year = {2024}\n}\n",
    '{"id": "2401.00002", "title": "NUL\\u0000", "abstract": "x\x00y"}\n',
    "<entry>" * 20_000,
    "<feed xmlns='http://www.w3.org/2005/Atom'>" + "<entry><id>" * 10_000,
    "<OAI-PMH><resumptionToken" * 10_000,
    "<rss><channel><item><description>" + "<a " * 20_000 + "</description></item>",
    "Abstract:" * 20_000,
    "arXiv:2401.01234\n" * 20_000,
]


def _safe(result: ParseResult) -> None:
    _check(result)
    for paper in result.papers:  # every paper can be printed and stored
        json.dumps(paper.to_json(), ensure_ascii=False).encode("utf-8")
        assert len(paper.abstract) <= 100_000 and len(paper.url or "") <= 100_000


@pytest.mark.parametrize("fmt", [None, *sorted(FORMATS)])
@pytest.mark.parametrize("k", range(len(HOSTILE)))
def test_hostile_corpus(k: int, fmt: str | None) -> None:
    start = time.process_time()  # CPU time: waiting for a core on a loaded machine is not slow
    with contextlib.suppress(ParseError):
        _safe(parse_text(HOSTILE[k], fmt, filename="hostile"))
    assert time.process_time() - start < 5.0


def _gz_of(chunk: bytes, times: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(z.compress(chunk) for _ in range(times)) + z.flush()


BOMBS = {
    "zeros.gz": _gz_of(b"\x00" * 65536, 512),  # 32 MB of zeros
    "text.bib.gz": _gz_of(b"@misc{k, note={" + b"a" * 65536 + b"}}\n", 128),
    "line.jsonl.gz": _gz_of(b'{"title": "' + b"a" * 65536, 128),  # one 8 MB line
    "lines.jsonl.gz": _gz_of(b" " * 65535 + b"\n", 512),  # 32 MB of blank lines
    "nul.bib": b"@article{k, title={T}}\n" + b"\x00" + b"@article{j, title={U}}\n",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_gzip_bombs_and_nul_bytes(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(BOMBS[name])
    limits = Limits(max_bytes=4 * 1024 * 1024, max_line_bytes=1024 * 1024)
    start = time.process_time()
    tracemalloc.start()
    try:
        with contextlib.suppress(ParseError):
            _safe(parse_path(path, limits=limits))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 * 1024 * 1024
    assert time.process_time() - start < 10.0
