"""Bytes to text: gzip by magic bytes, UTF-8 with fallbacks, binary files refused."""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from paperfeed.sources.base import ParseError, ParseIssue

GZIP_MAGIC = b"\x1f\x8b"
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


def gunzip(data: bytes, name: str) -> tuple[bytes, list[ParseIssue]]:
    """Decompress a gzip stream; a truncated one keeps what could be read (with an issue)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data)
    except zlib.error as exc:
        raise ParseError(f"{name}: corrupt gzip data ({exc})") from None
    issues: list[ParseIssue] = []
    if not d.eof:
        issues.append(ParseIssue(name, "truncated gzip file; read what was there"))
        # drop the partial last line: it is cut mid-record
        cut = out.rfind(b"\n")
        out = out[: cut + 1] if cut >= 0 else b""
    return out, issues


def binary_kind(data: bytes) -> str | None:
    """What a non-text file is ('binary data' if unknown), or None for text."""
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return what
    sample = data[:8192]
    if not sample:
        return None
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in sample:
        return "binary data"
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    if controls > max(2, len(sample) // 100):
        return "binary data"
    return None


def decode(data: bytes, name: str) -> tuple[str, list[ParseIssue]]:
    """Text of ``data``: UTF-8 (BOM ok), UTF-16 with BOM, else cp1252 / latin-1 (noted)."""
    what = binary_kind(data)
    if what:
        raise ParseError(f"{name}: {what}, not text; nothing imported")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise ParseError(f"{name}: broken UTF-16 text") from None
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        for enc in ("cp1252", "latin-1"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            return text, [
                ParseIssue(
                    f"{name}:{line}", f"not valid UTF-8; decoded the file as {enc}", skipped=False
                )
            ]
    raise ParseError(f"{name}: cannot decode the text")  # pragma: no cover - latin-1 never fails


def read_path(path: Path) -> tuple[str, list[ParseIssue]]:
    """The text of ``path`` (gunzipped and decoded) and any reading issues."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{name}: cannot read ({exc.strerror or exc})") from None
    issues: list[ParseIssue] = []
    if data.startswith(GZIP_MAGIC):
        data, issues = gunzip(data, name)
    text, more = decode(data, name)
    return text, issues + more


def iter_lines(path: Path) -> Iterator[tuple[int, str] | ParseIssue]:
    """Stream ``(line_number, text)`` from a (possibly gzipped) text file.

    Undecodable lines are decoded as cp1252 with an issue; a truncated gzip ends the
    stream with an issue. Raises :class:`ParseError` for unreadable or binary files.
    """
    name = str(path)
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
    opener = gzip.open if gz else open
    n = 0
    noted = False
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            for n, raw in enumerate(fh, 1):
                try:
                    line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
                except UnicodeDecodeError:
                    line = raw.decode("cp1252", errors="replace")
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
