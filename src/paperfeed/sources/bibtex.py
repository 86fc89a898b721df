"""BibTeX / BibLaTeX files (via ``bibtexparser`` v2), LaTeX accents and braces decoded."""

from __future__ import annotations

import logging
import re
from typing import Any

from paperfeed import ids
from paperfeed.latex import decode_text_mode
from paperfeed.sources.base import (
    Collector,
    ParseError,
    ParseResult,
    build_paper,
    clean,
    iso_date,
    month_number,
)

FORMAT = "bibtex"

_PREPRINT_VENUE = re.compile(r"arxiv|corr\b|preprint|e-?prints?", re.I)
_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv[:\s/]*|abs/|arxiv\.org/(?:abs|pdf)/)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.I,
)


_AND = re.compile(r"\s+and\s+", re.I)


def _split_names(value: str) -> tuple[str, ...]:
    """BibTeX ``author`` → names ('Last, First' flipped; braces respected; 'others' dropped)."""
    names: list[str] = []
    depth = start = i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch.isspace():
            m = _AND.match(value, i)
            if m:
                names.append(value[start:i])
                i = start = m.end()
                continue
        i += 1
    names.append(value[start:])
    out: list[str] = []
    for raw in names:
        name = clean(raw)
        if not name or name.lower() == "others":
            continue
        parts = _split_top_commas(name)
        if len(parts) == 2:  # Last, First
            name = f"{parts[1]} {parts[0]}"
        elif len(parts) == 3:  # Last, Jr, First
            name = f"{parts[2]} {parts[0]} {parts[1]}"
        out.append(clean(decode_text_mode(name)))
    return tuple(n for n in out if n)


def _split_top_commas(name: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in name:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p] or [name]


def _date(fields: dict[str, str]) -> str | None:
    if fields.get("date"):
        found = iso_date(fields["date"])
        if found:
            return found
    year = clean(fields.get("year", ""))
    if not re.fullmatch(r"\d{4}", year):
        return None
    month_raw = clean(fields.get("month", "")).strip("{}")
    month = 1
    if month_raw:
        if month_raw.isdigit() and 1 <= int(month_raw) <= 12:
            month = int(month_raw)
        else:
            month = month_number(month_raw[:3]) or 1
    return f"{year}-{month:02d}-01"


def _arxiv_of(fields: dict[str, str]) -> str | None:
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "")).lower()
    eprint = clean(fields.get("eprint", ""))
    if (
        eprint
        and (prefix in ("", "arxiv") or ids.is_arxiv_id(eprint))
        and ids.split_arxiv_id(eprint)
    ):
        return eprint
    if fields.get("arxiv") and ids.split_arxiv_id(fields["arxiv"]):
        return fields["arxiv"]
    for key in ("journal", "url", "note", "howpublished", "volume"):
        m = _ARXIV_IN_TEXT.search(fields.get(key, ""))
        if m:
            return m.group(1)
    return None


def _entry_paper(entry: Any) -> tuple[Any, list[str]]:
    fields = {k.lower(): str(f.value) for k, f in entry.fields_dict.items()}
    warnings: list[str] = []
    title = decode_text_mode(fields.get("title", ""))
    abstract = decode_text_mode(fields.get("abstract", ""))
    if not clean(title) and not clean(abstract):
        return None, ["field 'title': entry has neither a title nor an abstract; skipped"]
    doi = clean(fields.get("doi", "")) or None
    if doi and not ids.normalize_doi(doi):
        warnings.append(f"field 'doi': not a DOI: {doi!r:.60}")
        doi = None
    venue = clean(decode_text_mode(fields.get("journal") or fields.get("booktitle") or ""))
    if venue and _PREPRINT_VENUE.search(venue):
        venue = ""
    date = _date(fields)
    if fields.get("year") and date is None:
        warnings.append(f"field 'year': unreadable year {fields['year']!r:.20}")
    extra: dict[str, Any] = {"bibtex_key": entry.key, "entry_type": entry.entry_type.lower()}
    if fields.get("keywords"):
        extra["keywords"] = [
            k
            for k in (clean(decode_text_mode(x)) for x in re.split(r"[,;]", fields["keywords"]))
            if k
        ]
    for key in ("publisher", "pages", "volume", "number", "primaryclass"):
        if fields.get(key):
            extra[key] = clean(decode_text_mode(fields[key]))
    paper = build_paper(
        FORMAT,
        arxiv=_arxiv_of(fields),
        doi=doi,
        other_id=None,
        title=title,
        abstract=abstract,
        authors=_split_names(fields.get("author", "")),
        date=date,
        comment=clean(decode_text_mode(fields.get("note", ""))) or None,
        url=clean(fields.get("url", "")) or None,
        venue=venue or None,
        extra=extra,
    )
    return paper, warnings


def parse(text: str, filename: str = "<text>") -> ParseResult:
    """Every ``@entry`` with a title or abstract becomes a paper (id: eprint/arXiv, DOI, text)."""
    try:
        import bibtexparser
    except ImportError:  # pragma: no cover - depends on the environment
        raise ParseError(
            f"{filename}: BibTeX support needs the 'bibtexparser' package "
            "(pip install bibtexparser)"
        ) from None
    col = Collector(FORMAT, filename)
    log = logging.getLogger("bibtexparser")
    old_level = log.level
    log.setLevel(logging.ERROR)
    try:
        library = bibtexparser.parse_string(text.lstrip("\ufeff"))
    except Exception as exc:  # bibtexparser raises assorted errors on junk
        raise ParseError(f"{filename}: unreadable BibTeX ({type(exc).__name__})") from None
    finally:
        log.setLevel(old_level)
    for block in library.failed_blocks:
        line = (getattr(block, "start_line", None) or 0) + 1
        key = getattr(block, "key", None)
        kind = type(block).__name__
        if kind == "DuplicateBlockKeyBlock":
            msg = f"duplicate entry key {key!r}; kept the first"
        else:
            raw = clean(getattr(block, "raw", ""))[:60]
            msg = f"malformed BibTeX entry skipped: {raw!r}"
        col.issue(col.at_line(line), msg)
    for entry in library.entries:
        where = col.at_entry(entry.key)
        if entry.entry_type.lower() in ("comment", "preamble", "string"):
            continue
        paper, warnings = _entry_paper(entry)
        for w in warnings:
            col.issue(where, w, skipped=paper is None)
        if paper is not None:
            col.add(paper, where)
    if not library.entries and not library.failed_blocks:
        col.issue(filename, "no BibTeX entries found")
    return col.result()
