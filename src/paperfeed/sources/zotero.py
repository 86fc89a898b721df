"""Zotero exports: CSL-JSON ("Export → CSL JSON"), the Zotero web API's JSON items and Better
BibTeX JSON exports (Zotero items with a table of collections)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from paperfeed import ids
from paperfeed.models import Paper
from paperfeed.sources.base import (
    Collector,
    FieldError,
    ParseResult,
    author_name,
    build_paper,
    clean,
    iso_date,
)
from paperfeed.sources.jsonutil import JsonProblem, array_items, first_char, loads_or_problem
from paperfeed.sources.zotero_collections import EXTRA_KEY, memberships

CSL = "csl-json"
ZOTERO = "zotero-json"

_SKIP_TYPES = {"attachment", "note", "annotation"}
_ARXIV_NOTE = re.compile(
    r"arxiv\s*[:=]?\s*(?:abs/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})",
    re.I,
)
_PREPRINT = re.compile(r"^(?:arxiv|corr|arxiv\.org|preprint)\b", re.I)


def _s(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise FieldError(key, f"expected a string, got {type(value).__name__}")


def _arxiv_from(*texts: str) -> str | None:
    for t in texts:
        if not t:
            continue
        m = _ARXIV_NOTE.search(t)
        if m:
            return m.group(1)
        found = ids.split_arxiv_id(t) if "arxiv.org/" in t.lower() else None
        if found:
            return found[0] + (f"v{found[1]}" if found[1] else "")
    return None


def _records(text: str, col: Collector) -> list[tuple[int, Any]]:
    """(line, item) for a JSON array (salvaging a truncated one) or a single document."""
    text = text.lstrip("\ufeff")
    if first_char(text) == "[":
        return array_items(text, lambda line, msg: col.issue(col.at_line(line), msg))
    try:
        doc = loads_or_problem(text)
    except JsonProblem as exc:
        col.issue(col.at_line(exc.line), exc.message)
        return []
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        return [(1, it) for it in doc["items"]]
    return [(1, doc)]


def _creators(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FieldError(field, "expected a list of names")
    out = []
    for c in value:
        if isinstance(c, dict) and c.get("creatorType") not in (None, "author", "contributor"):
            continue  # editors, translators …
        name = author_name(c)
        if name is None:
            raise FieldError(field, f"cannot read a name from {c!r:.60}")
        if name:
            out.append(name)
    return tuple(out)


# ---------------------------------------------------------------- CSL-JSON


def _csl_date(value: Any) -> str | None:
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            return iso_date(parts[0])
        for key in ("raw", "literal"):
            if isinstance(value.get(key), str):
                return iso_date(value[key])
        return None
    if isinstance(value, str):
        return iso_date(value)
    return None


def paper_from_csl(item: Any, fmt: str = CSL) -> tuple[Paper, list[str]]:
    """One CSL-JSON item → Paper (arXiv id from number/note/URL/DOI when present)."""
    if not isinstance(item, dict):
        raise FieldError("item", f"expected a JSON object, got {type(item).__name__}")
    warnings: list[str] = []
    title, abstract = _s(item, "title"), _s(item, "abstract")
    if not clean(title) and not clean(abstract):
        raise FieldError("title", "item has neither a title nor an abstract")
    doi = _s(item, "DOI") or _s(item, "doi")
    url = _s(item, "URL") or _s(item, "url")
    arxiv = _arxiv_from(_s(item, "number"), _s(item, "note"), url, _s(item, "archive_location"))
    date = None
    if "issued" in item:
        date = _csl_date(item["issued"])
        if date is None:
            warnings.append(f"field 'issued': unreadable date {item['issued']!r:.40}")
    venue = clean(_s(item, "container-title")) or clean(_s(item, "event-title"))
    if _PREPRINT.match(venue):
        venue = ""
    extra: dict[str, Any] = {}
    for key, name in (("citation-key", "citation_key"), ("type", "item_type")):
        if _s(item, key):
            extra[name] = _s(item, key)
    if isinstance(item.get("keyword"), str) and item["keyword"].strip():
        extra["keywords"] = [k.strip() for k in re.split(r"[,;]", item["keyword"]) if k.strip()]
    raw_id = _s(item, "id")
    paper = build_paper(
        fmt,
        arxiv=arxiv,
        doi=doi if ids.normalize_doi(doi) else None,
        other_id=None,
        title=title,
        abstract=abstract,
        authors=_creators(item.get("author"), "author"),
        date=date,
        url=url or None,
        venue=venue or None,
        extra={**extra, **({"source_id": raw_id} if raw_id else {})},
    )
    return paper, warnings


def parse_csl(text: str, filename: str = "<text>") -> ParseResult:
    """A CSL-JSON export: a JSON array of items."""
    col = Collector(CSL, filename)
    for k, (line, item) in enumerate(_records(text, col)):
        _add(col, line, k, item, paper_from_csl)
    return col.result()


# ---------------------------------------------------------------- Zotero web API


def paper_from_zotero(item: Any, fmt: str = ZOTERO) -> tuple[Paper | None, list[str]]:
    """One Zotero API item (``{key, version, meta, data: {...}}``); None for notes and
    attachments."""
    if not isinstance(item, dict):
        raise FieldError("item", f"expected a JSON object, got {type(item).__name__}")
    inner = item.get("data")
    data: dict[str, Any] = inner if isinstance(inner, dict) else item
    item_type = _s(data, "itemType")
    if item_type in _SKIP_TYPES:
        return None, []
    warnings: list[str] = []
    title, abstract = _s(data, "title"), _s(data, "abstractNote")
    if not clean(title) and not clean(abstract):
        raise FieldError("data.title", "item has neither a title nor an abstractNote")
    doi = _s(data, "DOI")
    if not doi:  # Zotero keeps the DOI of non-journal items in "extra" ("DOI: 10.x/y")
        m = re.search(r"^DOI:\s*(\S+)", _s(data, "extra"), re.M | re.I)
        doi = m.group(1) if m else ""
    url = _s(data, "url")
    arxiv = _arxiv_from(_s(data, "archiveID"), _s(data, "extra"), url, _s(data, "number"))
    meta_obj = item.get("meta")
    meta: dict[str, Any] = meta_obj if isinstance(meta_obj, dict) else {}
    raw_date = _s(meta, "parsedDate") or _s(data, "date")
    date = iso_date(raw_date) if raw_date else None
    if raw_date and date is None:
        warnings.append(f"field 'data.date': unreadable date {raw_date!r:.40}")
    venue = ""
    for key in ("publicationTitle", "proceedingsTitle", "conferenceName", "bookTitle"):
        venue = clean(_s(data, key))
        if venue:
            break
    if _PREPRINT.match(venue):
        venue = ""
    extra: dict[str, Any] = {
        "zotero_key": _s(data, "key") or _s(item, "key"),
        "item_type": item_type,
    }
    tags = data.get("tags")
    if isinstance(tags, list):
        names = [
            t.get("tag") for t in tags if isinstance(t, dict) and isinstance(t.get("tag"), str)
        ]
        if names:
            extra["tags"] = names
    if _s(data, "dateAdded"):
        extra["date_added"] = _s(data, "dateAdded")
    collections = data.get("collections")
    if isinstance(collections, list):
        keys = [c for c in collections if isinstance(c, str) and c]
        if keys:
            extra[EXTRA_KEY] = keys
    paper = build_paper(
        fmt,
        arxiv=arxiv,
        doi=doi if ids.normalize_doi(doi) else None,
        title=title,
        abstract=abstract,
        authors=_creators(data.get("creators"), "data.creators"),
        date=date,
        url=url or None,
        venue=venue or None,
        extra={k: v for k, v in extra.items() if v},
    )
    return paper, warnings


def _with_collections(item: Any, member: dict[str, list[str]]) -> Any:
    """A Better BibTeX item with the keys of the collections holding it (by ``itemID``)."""
    if not member or not isinstance(item, dict) or "collections" in item:
        return item
    item_id = item.get("itemID")
    keys = member.get(str(item_id)) if isinstance(item_id, int | str) else None
    return {**item, "collections": keys} if keys else item


def parse_zotero(text: str, filename: str = "<text>") -> ParseResult:
    """Zotero web API JSON (``/users/N/items?format=json``) or a Better BibTeX JSON export:
    notes/attachments skipped; each paper's collection keys in ``extra["zotero_collections"]``."""
    col = Collector(ZOTERO, filename)
    member: dict[str, list[str]] = {}
    if '"collections"' in text and first_char(text.lstrip("\ufeff")) == "{":
        with contextlib.suppress(JsonProblem):
            member = memberships(loads_or_problem(text.lstrip("\ufeff")))
    for k, (line, item) in enumerate(_records(text, col)):
        _add(col, line, k, _with_collections(item, member), paper_from_zotero)
    return col.result()


def _add(col: Collector, line: int, k: int, item: Any, mapper: Any) -> None:
    key = item.get("key") or item.get("id") if isinstance(item, dict) else None
    where = col.at_entry(str(key)) if isinstance(key, str) and key else col.at_line(line)
    try:
        paper, warnings = mapper(item, col.fmt)
    except FieldError as exc:
        col.issue(where, f"item {k}: {exc}; skipped")
        return
    for w in warnings:
        col.warn(where, f"item {k}: {w}")
    if paper is not None:
        col.add(paper, where)
