"""Bytes to text: gzip by magic bytes, UTF-8 with fallbacks, binary files refused.

Hostile files are bounded: a file read whole may hold at most ``max_bytes`` (after
decompression), a streamed line at most ``max_line_bytes``, and a streamed gzip file that
expands more than :data:`MAX_GZIP_RATIO` times is stopped as a bomb.
"""

from __future__ import annotations

import codecs
import gzip
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from paperfeed.sources.base import MAX_LINE_BYTES, MAX_READ_BYTES, ParseError, ParseIssue

GZIP_MAGIC = b"\x1f\x8b"
MAX_GZIP_RATIO = 100
"""A streamed gzip file that expands more than this (once past 16 MB) is a bomb: text and
JSON compress 3–10 times."""
_BOMB_CHECK_FROM = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_BINARY_MAGIC = {
    b"%PDF-": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ\x00": "an xz archive",
    b"SQLite format 3": "an SQLite database",
}
_TEXT_CONTROLS = {9, 10, 12, 13, 27}


def size_text(n: int) -> str:
    """``'256 MB'`` / ``'12 KB'`` / ``'7 bytes'`` for messages about limits."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


def _too_big(name: str, max_bytes: int) -> ParseError:
    return ParseError(
        f"{name}: more than {size_text(max_bytes)} of text after decompression; refused "
        "(only JSON lines are streamed; split the file or raise the max_bytes limit)"
    )


def gunzip(
    data: bytes, name: str, max_bytes: int = MAX_READ_BYTES
) -> tuple[bytes, list[ParseIssue]]:
    """Decompress a gzip stream; a truncated one keeps what could be read (with an issue).

    Decompression stops with :class:`ParseError` as soon as the output would pass
    ``max_bytes``, or when its first chunk is binary (a bomb of zeros costs no memory).
    """
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    parts: list[bytes] = []
    size = 0
    pending = data
    try:
        while pending and not d.eof:
            part = d.decompress(pending, _CHUNK)
            pending = d.unconsumed_tail
            if not parts:
                what = binary_kind(part)
                if what:
                    raise ParseError(f"{name}: {what}, not text; nothing imported")
            size += len(part)
            if size > max_bytes:
                raise _too_big(name, max_bytes)
            parts.append(part)
    except zlib.error as exc:
        raise ParseError(f"{name}: corrupt gzip data ({exc})") from None
    out = b"".join(parts)
    issues: list[ParseIssue] = []
    if not d.eof:
        issues.append(ParseIssue(name, "truncated gzip file; read what was there"))
        # drop the partial last line: it is cut mid-record
        cut = out.rfind(b"\n")
        out = out[: cut + 1] if cut >= 0 else b""
    return out, issues


def binary_kind(data: bytes) -> str | None:
    """What a non-text file is ('binary data' if unknown), or None for text.

    A few stray control characters (a NUL byte in a BibTeX file) do not make a file binary;
    more than 1% of the first 8 KB do.
    """
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return what
    sample = data[:8192]
    if not sample:
        return None
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    if controls > max(2, len(sample) // 100):
        return "binary data"
    return None


def _without_nuls(text: str, name: str, issues: list[ParseIssue]) -> str:
    """``text`` with NUL characters removed (noted once): no format has them, and they
    would end strings early in the store and in C libraries."""
    if "\x00" not in text:
        return text
    line = text.count("\n", 0, text.index("\x00")) + 1
    issues.append(ParseIssue(f"{name}:{line}", "NUL characters removed", skipped=False))
    return text.replace("\x00", "")


def decode(data: bytes, name: str) -> tuple[str, list[ParseIssue]]:
    """Text of ``data``: UTF-8 (BOM ok), UTF-16 with BOM, else cp1252 / latin-1 (noted)."""
    what = binary_kind(data)
    if what:
        raise ParseError(f"{name}: {what}, not text; nothing imported")
    issues: list[ParseIssue] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _without_nuls(data.decode("utf-16"), name, issues), issues
        except UnicodeDecodeError:
            raise ParseError(f"{name}: broken UTF-16 text") from None
    try:
        return _without_nuls(data.decode("utf-8-sig"), name, issues), issues
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        for enc in ("cp1252", "latin-1"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            issues.append(
                ParseIssue(
                    f"{name}:{line}", f"not valid UTF-8; decoded the file as {enc}", skipped=False
                )
            )
            return _without_nuls(text, name, issues), issues
    raise ParseError(f"{name}: cannot decode the text")  # pragma: no cover - latin-1 never fails


def read_path(path: Path, max_bytes: int = MAX_READ_BYTES) -> tuple[str, list[ParseIssue]]:
    """The text of ``path`` (gunzipped and decoded) and any reading issues.

    Raises :class:`ParseError` for a file (or its decompressed content) over ``max_bytes``.
    """
    name = str(path)
    try:
        with path.open("rb") as fh:
            if os.fstat(fh.fileno()).st_size > max_bytes:
                raise _too_big(name, max_bytes)
            data = fh.read()
    except OSError as exc:
        raise ParseError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # not a regular file, or it grew
        raise _too_big(name, max_bytes)
    issues: list[ParseIssue] = []
    if data.startswith(GZIP_MAGIC):
        data, issues = gunzip(data, name, max_bytes)
    text, more = decode(data, name)
    return text, issues + more


def _skip_line(fh: BinaryIO) -> int:
    """Read past the end of the current line without keeping it; the bytes skipped."""
    skipped = 0
    while True:
        rest = fh.readline(_CHUNK)
        skipped += len(rest)
        if not rest or rest.endswith(b"\n"):
            return skipped


def _bomb(raw: BinaryIO, seen: int) -> bool:
    """Whether a gzip stream that gave ``seen`` bytes so far from the compressed ``raw``
    file expands like a bomb."""
    try:
        consumed = raw.tell()
    except (OSError, ValueError):
        return False
    return consumed > 0 and seen / consumed > MAX_GZIP_RATIO


def _sniff_binary(path: Path, name: str) -> bool:
    """Whether ``path`` is gzipped; raises :class:`ParseError` for an unreadable or binary
    file (judged on its first 8 KB, decompressed)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise ParseError(f"{name}: cannot read ({exc.strerror or exc})") from None
    gz = head.startswith(GZIP_MAGIC)
    if gz:
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(8192)
        except (OSError, EOFError, zlib.error):
            head = b""
    what = binary_kind(head)
    if what:
        raise ParseError(f"{name}: {what}, not text; nothing imported")
    return gz


def iter_lines(
    path: Path, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, str] | ParseIssue]:
    """Stream ``(line_number, text)`` from a (possibly gzipped) text file.

    Undecodable lines are decoded as cp1252 with an issue; a line over ``max_line_bytes``
    is skipped with an issue; a truncated gzip, or one that expands like a bomb, ends the
    stream with an issue. Raises :class:`ParseError` for unreadable or binary files.
    """
    name = str(path)
    gz = _sniff_binary(path, name)
    n = 0
    seen = 0
    noted = False
    try:
        with path.open("rb") as raw, gzip.open(raw, "rb") if gz else raw as fh:
            while line_bytes := fh.readline(max_line_bytes + 1):
                n += 1
                seen += len(line_bytes)
                if len(line_bytes) > max_line_bytes and not line_bytes.endswith(b"\n"):
                    seen += _skip_line(fh)
                if gz and seen > _BOMB_CHECK_FROM and _bomb(raw, seen):
                    yield ParseIssue(
                        f"{name}:{n}",
                        f"gzip data expands more than {MAX_GZIP_RATIO} times "
                        "(a gzip bomb?); stopped reading here",
                    )
                    return
                if len(line_bytes) > max_line_bytes:
                    yield ParseIssue(
                        f"{name}:{n}",
                        f"line longer than {size_text(max_line_bytes)}; skipped "
                        "(no paper record is this long; limit max_line_bytes)",
                    )
                    continue
                try:
                    line = line_bytes.decode("utf-8-sig" if n == 1 else "utf-8")
                except UnicodeDecodeError:
                    line = line_bytes.decode("cp1252", errors="replace")
                    if not noted:
                        yield ParseIssue(
                            f"{name}:{n}", "not valid UTF-8; decoded as cp1252", skipped=False
                        )
                        noted = True
                yield n, line
    except EOFError:
        yield ParseIssue(f"{name}:{n + 1}", "truncated gzip file; stopped reading here")
    except (OSError, zlib.error) as exc:
        yield ParseIssue(f"{name}:{n + 1}", f"unreadable data ({exc}); stopped reading here")
