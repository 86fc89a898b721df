"""Shared pieces of the input parsers: result types, the collector, ids, dates, names,
line numbers, and the guard on every parsed paper (field lengths, invalid Unicode)."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass, fields
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from paperfeed import ids
from paperfeed.models import Paper


class ParseError(ValueError):
    """A file or text that cannot be parsed at all (one-line message naming the file)."""


@dataclass(frozen=True)
class ParseIssue:
    """One problem in the input. ``where`` is ``FILE:LINE`` or ``FILE: entry KEY``.

    ``skipped`` is True when input was left out (a record, an entry, the rest of a file);
    False for a warning about a paper that was kept (unreadable date, decoding note …).
    """

    where: str
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class ParseResult:
    """What a parser got out of one input: the papers, the problems, the format used."""

    papers: list[Paper]
    issues: list[ParseIssue]
    format: str


class Collector:
    """Accumulates papers (first one wins on a duplicate id) and issues for one input."""

    def __init__(self, fmt: str, filename: str) -> None:
        self.fmt = fmt
        self.filename = filename
        self.papers: list[Paper] = []
        self.issues: list[ParseIssue] = []
        self._seen: dict[str, str] = {}

    def at_line(self, line: int | None) -> str:
        """``FILE:LINE`` (or just ``FILE`` when the line is unknown)."""
        return f"{self.filename}:{line}" if line else self.filename

    def at_entry(self, key: str) -> str:
        """``FILE: entry KEY``."""
        return f"{self.filename}: entry {key}"

    def issue(self, where: str, message: str, *, skipped: bool = True) -> None:
        self.issues.append(ParseIssue(where, one_line(message), skipped))

    def warn(self, where: str, message: str) -> None:
        """A note about kept input (``skipped=False``)."""
        self.issue(where, message, skipped=False)

    def add(self, paper: Paper, where: str) -> bool:
        """Keep ``paper`` unless its id was already seen (then note the duplicate)."""
        first = self._seen.get(paper.id)
        if first is not None:
            self.issue(where, f"duplicate id {paper.id} (first at {first}); kept the first")
            return False
        self._seen[paper.id] = where
        self.papers.append(paper)
        return True

    def result(self) -> ParseResult:
        return ParseResult(self.papers, self.issues, self.fmt)


class FieldError(ValueError):
    """A record whose field ``field`` is unusable."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field '{field}': {message}")
        self.field = field


def one_line(message: str, limit: int = 300) -> str:
    """Collapse ``message`` to one line of at most ``limit`` characters."""
    s = " ".join(str(message).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def clean(text: Any) -> str:
    """Whitespace-normalized string ('' for None)."""
    if text is None:
        return ""
    return " ".join(str(text).split())


def paper_id(
    *,
    arxiv: str | None = None,
    doi: str | None = None,
    other: str | None = None,
    title: str = "",
    abstract: str = "",
) -> tuple[str, int | None]:
    """Canonical id and arXiv version: arXiv id, else ``doi:…``, else ``other``, else text id."""
    if arxiv:
        found = ids.split_arxiv_id(arxiv)
        if found:
            return found
    if doi:
        norm = ids.normalize_doi(doi)
        if norm:
            from_doi = ids.arxiv_id_from_doi(norm)
            if from_doi:
                return ids.split_arxiv_id(from_doi) or (from_doi, None)
            return "doi:" + norm, None
    if other:
        return other, None
    if has_surrogates(title) or has_surrogates(abstract):  # decoded from JSON escapes
        title, abstract = replace_surrogates(title), replace_surrogates(abstract)
    return ids.text_id_for(title, abstract), None


def build_paper(
    fmt: str,
    *,
    arxiv: str | None = None,
    doi: str | None = None,
    other_id: str | None = None,
    title: str = "",
    abstract: str = "",
    version: int | None = None,
    **fields: Any,
) -> Paper:
    """A :class:`Paper` with canonical id, ``sources=(fmt,)`` and cleaned title/abstract."""
    title = clean(title)
    abstract = clean(abstract)
    pid, found_version = paper_id(
        arxiv=arxiv, doi=doi, other=other_id, title=title, abstract=abstract
    )
    norm_doi = ids.normalize_doi(doi) if doi else None
    extra = {k: v for k, v in (fields.pop("extra", None) or {}).items() if v is not None}
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        version=version if version is not None else found_version,
        doi=norm_doi,
        sources=(fmt,),
        extra=extra,
        **fields,
    )


# ---------------------------------------------------------------- dates

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})
_MONTHS["sept"] = 9
_ISO = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:[T\s].*)?$")
_MDY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_MY = re.compile(r"^([A-Za-z]{3,9})\.?,?\s+(\d{4})$")


def _ymd(y: int, m: int, d: int) -> str | None:
    try:
        return datetime(y, m, d).strftime("%Y-%m-%d")
    except ValueError:
        return None


def iso_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` from many date spellings (ISO, RFC 2822, 'Oct 3, 2024', a year), or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"{value:04d}-01-01" if 1000 <= value <= 9999 else None
    if isinstance(value, list | tuple):  # CSL-JSON date-parts [[2024, 1, 5]]
        parts = [p for p in value if isinstance(p, int | str)]
        try:
            nums = [int(p) for p in parts[:3]]
        except ValueError:
            return None
        if not nums:
            return None
        nums += [1] * (3 - len(nums))
        return _ymd(*nums)
    s = str(value).strip()
    if not s:
        return None
    if len(s) == 10 and s[4] == "-" and s[7] == "-":  # fast path: already ISO
        try:
            return date.fromisoformat(s).isoformat()
        except ValueError:
            pass
    m = _ISO.match(s)
    if m:
        y, mo, d = m.group(1), m.group(2) or 1, m.group(3) or 1
        return _ymd(int(y), int(mo), int(d))
    m = _MDY.match(s)
    if m and m.group(1).lower() in _MONTHS:
        return _ymd(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    m = _DMY.match(s)
    if m and m.group(2).lower() in _MONTHS:
        return _ymd(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    m = _MY.match(s)
    if m and m.group(1).lower() in _MONTHS:
        return _ymd(int(m.group(2)), _MONTHS[m.group(1).lower()], 1)
    try:
        return parsedate_to_datetime(s).strftime("%Y-%m-%d")
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def month_number(name: str) -> int | None:
    """1–12 for an English month name or abbreviation."""
    return _MONTHS.get(name.lower().rstrip("."))


# ---------------------------------------------------------------- names

_AND = re.compile(r"\s*(?:,|;|\band\b|&)\s*", re.I)


def split_authors(value: Any, field: str = "authors") -> tuple[str, ...]:
    """Author names from a list of strings/dicts or one ``'A, B and C'`` string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(clean(a) for a in _AND.split(value) if clean(a))
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            name = author_name(item)
            if name is None:
                raise FieldError(field, f"cannot read an author name from {item!r:.60}")
            if name:
                out.append(name)
        return tuple(out)
    raise FieldError(field, f"expected a list or a string, got {type(value).__name__}")


def author_name(item: Any) -> str | None:
    """One author's display name from a string or a dict (name / given+family / first+last)."""
    if isinstance(item, str):
        return clean(item)
    if isinstance(item, list | tuple):  # arXiv authors_parsed: [last, first, suffix]
        parts = [clean(p) for p in item if isinstance(p, str)]
        if not parts:
            return None
        last, rest = parts[0], parts[1:]
        return clean(" ".join([*rest[:1], last, *rest[1:]]))
    if isinstance(item, dict):
        for key in ("name", "fullname", "literal"):
            if isinstance(item.get(key), str):
                return clean(item[key])
        first = item.get("given") or item.get("firstName") or item.get("first") or ""
        last = item.get("family") or item.get("lastName") or item.get("last") or ""
        if isinstance(first, str) and isinstance(last, str) and (first or last):
            return clean(f"{first} {last}")
    return None


def split_categories(value: Any, field: str = "categories") -> tuple[str, ...]:
    """Categories from a list or a space/comma separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(c for c in re.split(r"[\s,;]+", value) if c)
    if isinstance(value, list | tuple) and all(isinstance(c, str) for c in value):
        return tuple(c.strip() for c in value if c.strip())
    raise FieldError(field, "expected a list of strings or a space-separated string")


# ---------------------------------------------------------------- hostile input

MAX_READ_BYTES = 256 * 1024 * 1024
"""Default cap on a file read whole (every format but streamed JSON lines), decompressed."""
MAX_LINE_BYTES = 32 * 1024 * 1024
"""Default cap on one line of a streamed JSON-lines file (a record is a few KB)."""
MAX_FIELD_CHARS = 100_000
"""Default cap on one text field of a paper (title, abstract, comment, venue, url, one author
name): the longest real abstracts are a few thousand characters."""


@dataclass(frozen=True)
class Limits:
    """Caps that keep hostile input from taking unbounded memory or time (see the
    ``MAX_*`` defaults): bytes of a file read whole, bytes of one streamed line,
    characters of one paper field."""

    max_bytes: int = MAX_READ_BYTES
    max_line_bytes: int = MAX_LINE_BYTES
    max_field_chars: int = MAX_FIELD_CHARS


_TEXT_FIELDS = ("title", "abstract", "comment", "venue", "url")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # JSON text that may decode to one


class LineIndex:
    """1-based line numbers of offsets into one text, by binary search over its newlines
    (counting from the start for every entry made parsers quadratic)."""

    def __init__(self, text: str) -> None:
        newlines: list[int] = []
        find = text.find
        pos = find("\n")
        while pos >= 0:
            newlines.append(pos)
            pos = find("\n", pos + 1)
        self._newlines = newlines

    def line(self, pos: int) -> int:
        """The line of offset ``pos``."""
        return bisect_left(self._newlines, pos) + 1


def has_surrogate_escapes(text: str) -> bool:
    """Whether JSON ``text`` holds an escape that may decode to a lone surrogate: the cheap
    test deciding whether its papers need :func:`guard_paper`'s Unicode repair."""
    return "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a surrogate character (which no encoder accepts)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")  # faster than a regular-expression scan
    except UnicodeEncodeError:
        return True
    return False


def replace_surrogates(text: str) -> str:
    """``text`` with each surrogate character replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_has_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    return False


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, list | tuple):
        return type(value)(_replace_surrogates(v) for v in value)
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


def guard_paper(
    paper: Paper, *, max_chars: int = MAX_FIELD_CHARS, unicode: bool = True
) -> tuple[Paper, list[str]]:
    """``paper`` made safe to store and print, and a note for each repair: text fields over
    ``max_chars`` cut to it; with ``unicode``, lone surrogates (``"\\ud800"`` in JSON, which
    no encoder accepts) replaced by U+FFFD; a link that is not http(s) (``javascript:…``)
    dropped."""
    notes: list[str] = []
    changes: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(paper, name)
        if value is not None and len(value) > max_chars:
            changes[name] = value[:max_chars]
            notes.append(
                f"field '{name}' has {len(value):,} characters; cut to {max_chars:,} "
                "(limit max_field_chars)"
            )
    if any(len(a) > max_chars for a in paper.authors):
        changes["authors"] = tuple(a[:max_chars] for a in paper.authors)
        notes.append(f"an author name over {max_chars:,} characters was cut")
    if paper.url and ids.safe_url(paper.url) is None:
        changes["url"] = None
        notes.append(f"field 'url' is not an http(s) link ({paper.url[:40]!r}); dropped")
    if changes:
        paper = paper.with_(**changes)
    if unicode:
        values = {f.name: getattr(paper, f.name) for f in fields(Paper)}
        bad = [name for name, v in values.items() if _has_surrogate(v)]
        if bad:
            paper = paper.with_(**{name: _replace_surrogates(values[name]) for name in bad})
            notes.append(
                f"invalid Unicode (lone surrogate) in {', '.join(bad)} replaced with U+FFFD"
            )
    return paper, notes
