"""JSON-lines corpora and paper JSON: the shared corpora, batch papers, the arXiv snapshot.

One record per line (or a JSON array of records, or ``{"papers": [...]}``). Records may be

* the arXiv CS corpus: ``id, title, abstract, authors[], categories[], listing_date, comment``;
* the conference corpus: ``id, title, abstract, authors[], venue, year, arxiv, status, …``
  (canonical id: the arXiv id when known, else ``conf:<id>``);
* plain paper objects ``{"id", "title", "abstract", "date"?, …}`` (also ``Paper.to_json()``);
* the public arXiv metadata snapshot (``submitter, authors_parsed, versions, update_date, …``);
* Hugging Face daily-papers items (``{"paper": {...}}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from paperfeed import ids
from paperfeed.models import Paper
from paperfeed.sources.base import (
    MAX_FIELD_CHARS,
    Collector,
    FieldError,
    ParseIssue,
    ParseResult,
    build_paper,
    clean,
    guard_paper,
    has_surrogate_escapes,
    iso_date,
    one_line,
    split_authors,
    split_categories,
)
from paperfeed.sources.jsonutil import array_items, first_char

FORMAT = "jsonl"

_DATE_KEYS = (
    "date",
    "listing_date",
    "published",
    "publishedAt",
    "publication_date",
    "pub_date",
    "created",
)
_LIST_KEYS = ("papers", "items", "results", "data", "records")
# Keys consumed by the generic mapping (everything else is kept in ``extra``).
_CONSUMED = {
    "id",
    "paper_id",
    "arxiv_id",
    "arxiv",
    "doi",
    "title",
    "abstract",
    "summary",
    "authors",
    "categories",
    "version",
    "comment",
    "comments",
    "url",
    "site",
    "venue",
    "year",
    "sources",
    "extra",
    *_DATE_KEYS,
}


def _str_field(rec: dict[str, Any], key: str, numbers: bool = False) -> str:
    """A string field ('' when absent); ``numbers`` also accepts numeric ids."""
    value = rec.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise FieldError(key, f"expected a string, got {type(value).__name__}")


def _text_field(rec: dict[str, Any], key: str) -> str:
    """A string, or a list of sentence strings joined (CSFCube abstracts)."""
    value = rec.get(key)
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return " ".join(value)
    return _str_field(rec, key)


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def paper_from_record(rec: Any, fmt: str = FORMAT) -> tuple[Paper, list[str]]:
    """Map one JSON record to a Paper; returns the paper and field warnings.

    Raises :class:`FieldError` when the record cannot make a paper.
    """
    if not isinstance(rec, dict):
        raise FieldError("record", f"expected a JSON object, got {type(rec).__name__}")
    if isinstance(rec.get("paper"), dict):
        from paperfeed.sources.hf import paper_from_daily_item

        return paper_from_daily_item(rec, fmt)
    if any(k in rec for k in ("versions", "authors_parsed", "submitter", "journal-ref")):
        return _from_snapshot(rec, fmt)
    return _from_generic(rec, fmt)


def _from_generic(rec: dict[str, Any], fmt: str) -> tuple[Paper, list[str]]:
    warnings: list[str] = []
    title = _str_field(rec, "title")
    abstract = _text_field(rec, "abstract") if "abstract" in rec else _text_field(rec, "summary")
    if not clean(title) and not clean(abstract):
        raise FieldError("title", "record has neither a title nor an abstract")
    raw_id = _str_field(rec, "id", True) or _str_field(rec, "paper_id", True)
    arxiv = _str_field(rec, "arxiv", True) or _str_field(rec, "arxiv_id", True)
    doi = _str_field(rec, "doi")
    other: str | None = None
    extra: dict[str, Any] = {}
    if arxiv and not ids.split_arxiv_id(arxiv):
        warnings.append(f"field 'arxiv': not an arXiv id: {arxiv!r:.60}")
        arxiv = ""
    if not arxiv and raw_id:
        if raw_id.lower().startswith("doi:"):
            doi = doi or raw_id[4:]
        elif ids.is_arxiv_id(raw_id):
            arxiv = raw_id
        elif "venue" in rec and "year" in rec and not raw_id.startswith(("conf:", "text:")):
            other = "conf:" + raw_id
        else:
            other = raw_id
    if arxiv and raw_id and not ids.is_arxiv_id(raw_id):
        extra["source_id"] = raw_id
    if doi and not ids.normalize_doi(doi):
        warnings.append(f"field 'doi': not a DOI: {doi!r:.60}")
        doi = ""

    version = rec.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        warnings.append(f"field 'version': expected an integer, got {version!r:.30}")
        version = None

    date: str | None = None
    for key in _DATE_KEYS:
        if rec.get(key) not in (None, ""):
            date = iso_date(rec[key])
            if date is None:
                warnings.append(f"field '{key}': unreadable date {rec[key]!r:.40}")
            break
    else:
        if rec.get("year") not in (None, ""):
            year = rec["year"]
            date = iso_date(int(year)) if str(year).strip().isdigit() else None
            if date is None:
                warnings.append(f"field 'year': unreadable year {year!r:.20}")

    comment = _str_field(rec, "comment") or _str_field(rec, "comments") or None
    url = _str_field(rec, "url") or _str_field(rec, "site") or None
    venue = _str_field(rec, "venue") or None

    given_extra = rec.get("extra")
    if isinstance(given_extra, dict):
        extra.update(given_extra)
    for key, value in rec.items():
        if key in _CONSUMED or not _jsonable(value) or value in (None, "", []):
            continue
        if key == "gs_citation" and isinstance(value, int) and value < 0:
            continue  # -1 = unknown in the paperlists corpus
        extra[key] = value

    paper = build_paper(
        fmt,
        arxiv=arxiv or None,
        doi=doi or None,
        other_id=other,
        title=title,
        abstract=abstract,
        version=version,
        authors=split_authors(rec.get("authors")),
        categories=split_categories(rec.get("categories")),
        date=date,
        comment=clean(comment) or None,
        url=url,
        venue=venue,
        extra=extra,
    )
    return paper, warnings


def _from_snapshot(rec: dict[str, Any], fmt: str) -> tuple[Paper, list[str]]:
    """The public arXiv metadata snapshot (Kaggle ``arxiv-metadata-oai-snapshot.json``)."""
    from paperfeed.latex import latex_to_text

    warnings: list[str] = []
    raw_id = _str_field(rec, "id", True)
    found = ids.split_arxiv_id(raw_id) if raw_id else None
    if not found:
        raise FieldError("id", f"not an arXiv id: {raw_id!r:.60}")
    title = _str_field(rec, "title")
    abstract = _str_field(rec, "abstract")
    if not clean(title) and not clean(abstract):
        raise FieldError("title", "record has neither a title nor an abstract")

    version: int | None = found[1]
    date: str | None = None
    versions = rec.get("versions")
    if versions is not None:
        if not isinstance(versions, list):
            warnings.append("field 'versions': expected a list")
        else:
            numbers: list[int] = []
            for v in versions:
                if not isinstance(v, dict):
                    continue
                label = str(v.get("version", "")).lstrip("vV")
                if label.isdigit():
                    numbers.append(int(label))
                if (label == "1" or date is None) and v.get("created"):
                    created = iso_date(v["created"])
                    if created is None:
                        warnings.append(f"field 'versions': unreadable date {v['created']!r:.40}")
                    date = created or date
            if numbers:
                version = max(numbers)
    update_date = iso_date(rec.get("update_date")) if rec.get("update_date") else None
    if date is None:
        date = update_date

    parsed = rec.get("authors_parsed")
    authors: tuple[str, ...] = ()
    if isinstance(parsed, list) and parsed:
        try:
            authors = split_authors(parsed, "authors_parsed")
        except FieldError as exc:
            warnings.append(str(exc))
    if not authors and isinstance(rec.get("authors"), str):
        authors = split_authors(rec["authors"])
    authors = tuple(latex_to_text(a) for a in authors)

    extra: dict[str, Any] = {}
    for key in ("submitter", "license", "report-no", "msc-class", "acm-class"):
        if isinstance(rec.get(key), str) and rec[key].strip():
            extra[key.replace("-", "_")] = rec[key].strip()
    if update_date:
        extra["update_date"] = update_date

    doi = _str_field(rec, "doi")
    first_doi = doi.split()[0] if doi.strip() else ""
    paper = build_paper(
        fmt,
        arxiv=found[0],
        title=title,
        abstract=abstract,
        version=version,
        authors=authors,
        categories=split_categories(rec.get("categories")),
        date=date,
        comment=clean(_str_field(rec, "comments")) or None,
        venue=clean(_str_field(rec, "journal-ref")) or None,
        extra=extra,
    )
    if first_doi and ids.normalize_doi(first_doi):
        paper = paper.with_(doi=ids.normalize_doi(first_doi))
    return paper, warnings


# ---------------------------------------------------------------- parsing


def _add_record(col: Collector, rec: Any, line: int) -> None:
    where = col.at_line(line)
    try:
        paper, warnings = paper_from_record(rec, col.fmt)
    except FieldError as exc:
        col.issue(where, f"{exc}; record skipped")
        return
    for w in warnings:
        col.warn(where, w)
    col.add(paper, where)


def _records_of(obj: Any) -> list[Any] | None:
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        for key in _LIST_KEYS:
            if isinstance(obj.get(key), list):
                return obj[key]
    return None


def parse(text: str, filename: str = "<text>", fmt: str = FORMAT) -> ParseResult:
    """Parse JSON lines, a JSON array of papers, or one JSON document holding a list."""
    col = Collector(fmt, filename)
    text = text.lstrip("\ufeff")
    if first_char(text) == "[":
        for line, item in array_items(text, lambda n, msg: col.issue(col.at_line(n), msg)):
            _add_record(col, item, line)
        return col.result()

    lines = text.splitlines()
    if first_char(text) == "{" and lines:
        try:
            json.loads(lines[0])
        except (json.JSONDecodeError, RecursionError):
            # Perhaps one pretty-printed document rather than one record per line.
            try:
                whole = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                whole = None
            if whole is not None:
                records = _records_of(whole)
                if records is None:
                    _add_record(col, whole, 1)
                else:
                    for rec in records:
                        _add_record(col, rec, 1)
                return col.result()

    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        issue_or_rec = _decode_line(line)
        if isinstance(issue_or_rec, str):
            col.issue(col.at_line(n), issue_or_rec)
            continue
        _add_record(col, issue_or_rec, n)
    if not col.papers and not col.issues:
        col.warn(filename, "no records found")
    return col.result()


def _decode_line(line: str) -> Any:
    """The JSON value of one line, or a message (str) saying why it is not JSON."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return one_line(f"invalid JSON at column {exc.colno}: {exc.msg}; line skipped")
    except RecursionError:
        return "invalid JSON: nested too deeply; line skipped"
    if isinstance(value, str):
        return "a JSON string, not a record; line skipped"
    return value


def iter_lines(
    lines: Iterator[tuple[int, str]],
    filename: str,
    fmt: str = FORMAT,
    *,
    max_field_chars: int = MAX_FIELD_CHARS,
) -> Iterator[Paper | ParseIssue]:
    """Stream papers/issues from ``(line_number, text)`` pairs (one JSON record per line).

    Each paper goes through :func:`guard_paper` (fields over ``max_field_chars`` cut,
    invalid Unicode replaced), with a note per repair.
    """
    seen: dict[str, int] = {}
    for n, raw in lines:
        line = raw.strip()
        if not line:
            continue
        where = f"{filename}:{n}"
        rec = _decode_line(line)
        if isinstance(rec, str):
            yield ParseIssue(where, rec)
            continue
        try:
            paper, warnings = paper_from_record(rec, fmt)
        except FieldError as exc:
            yield ParseIssue(where, one_line(f"{exc}; record skipped"))
            continue
        paper, repairs = guard_paper(
            paper, max_chars=max_field_chars, unicode=has_surrogate_escapes(line)
        )
        for w in warnings + repairs:
            yield ParseIssue(where, one_line(w), skipped=False)
        first = seen.get(paper.id)
        if first is not None:
            yield ParseIssue(
                where, f"duplicate id {paper.id} (first at {filename}:{first}); kept the first"
            )
            continue
        seen[paper.id] = n
        yield paper
