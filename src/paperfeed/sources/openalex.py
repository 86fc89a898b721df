"""OpenAlex works (``api.openalex.org/works/…``): one work, a ``{"results": [...]}`` page,
a JSON array or JSON lines. The abstract is rebuilt from ``abstract_inverted_index``."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from paperfeed import ids
from paperfeed.models import Paper
from paperfeed.sources.base import (
    Collector,
    FieldError,
    ParseResult,
    build_paper,
    clean,
    iso_date,
)
from paperfeed.sources.jsonutil import JsonProblem, array_items, first_char, loads_or_problem

FORMAT = "openalex-json"

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_OPENALEX_ID = re.compile(r"^https?://openalex\.org/(W\d+)$", re.I)
_ARXIV_SOURCE = re.compile(r"\barxiv\b", re.I)


def is_openalex_work(obj: Any) -> bool:
    """True for a JSON object that looks like an OpenAlex work."""
    if not isinstance(obj, dict):
        return False
    oid = obj.get("id")
    return "abstract_inverted_index" in obj or (
        isinstance(oid, str) and bool(_OPENALEX_ID.match(oid))
    )


def abstract_from_inverted_index(index: Any) -> str:
    """The abstract text of an ``abstract_inverted_index`` (``{word: [positions]}``)."""
    if index is None:
        return ""
    if not isinstance(index, dict):
        raise FieldError("abstract_inverted_index", "expected an object {word: [positions]}")
    slots: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list):
            raise FieldError("abstract_inverted_index", f"positions of {word!r:.30} not a list")
        for pos in positions:
            if isinstance(pos, int) and not isinstance(pos, bool) and 0 <= pos < 100_000:
                slots[pos] = str(word)
    return " ".join(slots[k] for k in sorted(slots))


def _text(value: Any) -> str:
    """A display string from an OpenAlex text field (HTML tags and entities removed)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError("title", f"expected a string, got {type(value).__name__}")
    return clean(html.unescape(_TAG.sub("", value)))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _arxiv_of(work: dict[str, Any]) -> str | None:
    """An arXiv id from the work's locations (arXiv landing page or PDF URL)."""
    locations = [_dict(work.get("primary_location"))]
    locations += [_dict(x) for x in work.get("locations") or [] if isinstance(x, dict)]
    for loc in locations:
        for key in ("landing_page_url", "pdf_url"):
            url = loc.get(key)
            if isinstance(url, str) and "arxiv.org/" in url.lower():
                found = ids.split_arxiv_id(url)
                if found:
                    return found[0]
    return None


def paper_from_work(work: Any, fmt: str = FORMAT) -> tuple[Paper, list[str]]:
    """One OpenAlex work object → Paper (id: arXiv id when a location is on arXiv, else
    the DOI, else ``openalex:W…``)."""
    if not isinstance(work, dict):
        raise FieldError("work", f"expected a JSON object, got {type(work).__name__}")
    warnings: list[str] = []
    title = _text(work.get("title") or work.get("display_name"))
    abstract = abstract_from_inverted_index(work.get("abstract_inverted_index"))
    if not title and not abstract:
        raise FieldError("title", "work has neither a title nor an abstract")
    doi_raw = work.get("doi") or _dict(work.get("ids")).get("doi")
    doi = ids.normalize_doi(doi_raw) if isinstance(doi_raw, str) else None
    oid = work.get("id") if isinstance(work.get("id"), str) else ""
    m = _OPENALEX_ID.match(oid or "")
    authors: list[str] = []
    for a in work.get("authorships") or []:
        if not isinstance(a, dict):
            continue
        name = _dict(a.get("author")).get("display_name") or a.get("raw_author_name")
        if isinstance(name, str) and clean(name):
            authors.append(clean(name))
    raw_date = work.get("publication_date") or work.get("publication_year")
    date = iso_date(raw_date) if raw_date is not None else None
    if raw_date is not None and date is None:
        warnings.append(f"field 'publication_date': unreadable date {raw_date!r:.40}")
    source = _dict(_dict(work.get("primary_location")).get("source"))
    venue = source.get("display_name") if isinstance(source.get("display_name"), str) else ""
    if _ARXIV_SOURCE.search(venue or ""):
        venue = ""
    topics = [
        clean(t.get("display_name"))
        for t in work.get("topics") or []
        if isinstance(t, dict) and isinstance(t.get("display_name"), str)
    ]
    extra: dict[str, Any] = {}
    if m:
        extra["openalex_id"] = m.group(1)
    if topics:
        extra["topics"] = topics[:5]
    for key in ("type", "cited_by_count", "language"):
        if work.get(key) not in (None, ""):
            extra[key] = work[key]
    url = _dict(work.get("primary_location")).get("landing_page_url")
    paper = build_paper(
        fmt,
        arxiv=_arxiv_of(work),
        doi=doi,
        other_id=f"openalex:{m.group(1)}" if m else None,
        title=title,
        abstract=abstract,
        authors=tuple(authors),
        date=date,
        url=url if isinstance(url, str) and url else None,
        venue=clean(venue) or None,
        extra=extra,
    )
    return paper, warnings


def _records(text: str, col: Collector) -> list[tuple[int, Any]]:
    if first_char(text) == "[":
        return array_items(text, lambda line, msg: col.issue(col.at_line(line), msg))
    try:
        doc = loads_or_problem(text)
    except JsonProblem as whole_problem:
        # perhaps JSON lines: one work per line
        out = []
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                out.append((n, json.loads(raw)))
            except (json.JSONDecodeError, RecursionError):
                if n == 1:
                    col.issue(col.at_line(whole_problem.line), whole_problem.message)
                    return []
                col.issue(col.at_line(n), "invalid JSON; line skipped")
        return out
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        return [(1, w) for w in doc["results"]]
    if isinstance(doc, dict) and "error" in doc and not is_openalex_work(doc):
        col.issue(col.filename, f"OpenAlex error: {clean(doc.get('message') or doc['error'])}")
        return []
    return [(1, doc)]


def parse(text: str, filename: str = "<text>") -> ParseResult:
    """OpenAlex work JSON → papers."""
    col = Collector(FORMAT, filename)
    for k, (line, work) in enumerate(_records(text.lstrip("\ufeff"), col)):
        where = col.at_line(line)
        try:
            paper, warnings = paper_from_work(work, FORMAT)
        except FieldError as exc:
            col.issue(where, f"work {k}: {exc}; skipped")
            continue
        for w in warnings:
            col.warn(where, f"work {k}: {w}")
        col.add(paper, where)
    if not col.papers and not col.issues:
        col.warn(filename, "no works found")
    return col.result()
