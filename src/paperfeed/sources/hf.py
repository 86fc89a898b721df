"""Hugging Face Papers: pages copied as text (seeds 002–004) and the daily-papers JSON API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from paperfeed.models import Paper
from paperfeed.sources.base import (
    Collector,
    FieldError,
    ParseResult,
    build_paper,
    clean,
    iso_date,
    month_number,
    split_authors,
)
from paperfeed.sources.jsonutil import JsonProblem, array_items, first_char, loads_or_problem

PAGE = "hf-papers-page"
DAILY = "hf-daily-json"

_HEADER_LINES = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
    "trending papers",
    "papers",
    "search",
}
_AUTHORS = re.compile(r"^•?\s*(\d+)\s+authors?$")
_DOT = re.compile(r"^[·•]$")
# "Oct 3, 2024", "Oct 29", "Sep 10, 2024 2" (upvotes after the date), "Apr 25 2"
_DATE = re.compile(
    r"^(?:Published on\s+)?([A-Z][a-z]{2,8})\.?\s+(\d{1,2})(?:,\s*(\d{4}))?(?:\s+(\d+))?$"
)
_UPVOTES = re.compile(r"^(\d+)$")
_TITLE_MAX = 300


def _is_date(line: str) -> bool:
    m = _DATE.match(line)
    return bool(m) and month_number(m.group(1)) is not None and 1 <= int(m.group(2)) <= 31


def _is_meta_line(line: str) -> bool:
    return bool(_AUTHORS.match(line) or _DOT.match(line) or _is_date(line) or _UPVOTES.match(line))


@dataclass
class _Entry:
    line: int
    title: str
    abstract: str
    meta: dict[str, Any] = field(default_factory=dict)


def _paragraphs(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs as (first line number, stripped lines)."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if not s:
            if cur:
                out.append((start, cur))
                cur = []
            continue
        if not cur:
            start = n
        cur.append(s)
    if cur:
        out.append((start, cur))
    return out


def _read_meta(lines: list[str], meta: dict[str, Any]) -> None:
    for ln in lines:
        m = _AUTHORS.match(ln)
        if m:
            meta["author_count"] = int(m.group(1))
            continue
        m = _DATE.match(ln)
        if m and _is_date(ln):
            meta["month"] = month_number(m.group(1))
            meta["day"] = int(m.group(2))
            meta["year"] = int(m.group(3)) if m.group(3) else None
            meta["date_text"] = ln if not m.group(4) else ln[: m.start(4)].strip()
            if m.group(4):
                meta["upvotes"] = int(m.group(4))
            continue
        m = _UPVOTES.match(ln)
        if m:
            meta["upvotes"] = int(m.group(1))


_ORPHAN_MIN_WORDS = 4  # a shorter line without an abstract is page furniture, not a title


def _orphan(col: Collector, pending: tuple[int, str] | None, entries: list[_Entry]) -> None:
    """A title line that got no abstract: kept as a title-only paper when it looks like a
    title, else noted and dropped (header lines before the first paper are dropped
    silently)."""
    if pending is None or not entries:
        return
    line, title = pending
    if title.lower() in _HEADER_LINES:
        return
    if len(title.split()) >= _ORPHAN_MIN_WORDS:
        col.warn(col.at_line(line), f"title without an abstract: {title!r:.60}; kept the title")
        entries.append(_Entry(line, title, ""))
    else:
        col.issue(col.at_line(line), f"title without an abstract: {title!r:.60}; skipped")


def parse_page(text: str, filename: str = "<text>", *, ref_year: int | None = None) -> ParseResult:
    """A Hugging Face Papers page copied as text: title line, blank line, abstract, then
    optionally ``• N authors`` / ``·`` / date (+ upvotes).

    Hugging Face omits the year of dates in the current year ("Oct 29"). That year is
    ``ref_year`` if given, else one more than the latest year written out on the page
    (a written-out year is never the current one); a short date later in the year than
    the page's own date belongs to the year before.
    """
    col = Collector(PAGE, filename)
    entries: list[_Entry] = []
    pending: tuple[int, str] | None = None
    page_date: tuple[int, int] | None = None
    for line, lines in _paragraphs(text.lstrip("\ufeff")):
        if all(_is_meta_line(ln) for ln in lines):
            m = _DATE.match(lines[0])
            if not entries and len(lines) == 1 and m and _is_date(lines[0]):
                page_date = (month_number(m.group(1)) or 0, int(m.group(2)))
            elif entries and pending is None and not entries[-1].meta:
                _read_meta(lines, entries[-1].meta)
            elif entries:
                col.warn(col.at_line(line), f"metadata without a paper: {' '.join(lines)!r:.60}")
            continue
        if not entries and len(lines) == 1 and lines[0].lower() in _HEADER_LINES:
            continue
        if len(lines) > 1 and len(lines[0]) < _TITLE_MAX <= len(" ".join(lines[1:])):
            # a title glued to its abstract (no blank line between them)
            _orphan(col, pending, entries)
            pending = (line, lines[0])
            lines, line = lines[1:], line + 1
        body = " ".join(lines)
        if len(lines) == 1 and len(body) < _TITLE_MAX:
            _orphan(col, pending, entries)
            pending = (line, body)
            continue
        if pending is None:
            col.warn(col.at_line(line), "abstract without a title line; title left empty")
            entries.append(_Entry(line, "", body))
        else:
            entries.append(_Entry(pending[0], pending[1], body))
            pending = None
    _orphan(col, pending, entries)

    year = ref_year
    if year is None:
        years = [e.meta["year"] for e in entries if e.meta.get("year")]
        year = max(years) + 1 if years else None
    undated = 0
    for e in entries:
        extra: dict[str, Any] = {}
        date: str | None = None
        meta = e.meta
        if "author_count" in meta:
            extra["author_count"] = meta["author_count"]
        if "upvotes" in meta:
            extra["upvotes"] = meta["upvotes"]
        if meta.get("month"):
            extra["date_text"] = meta["date_text"]
            y = meta.get("year")
            if y is None and year is not None:
                y = year
                if page_date and (meta["month"], meta["day"]) > page_date:
                    y -= 1
                extra["year_inferred"] = True
            if y is None:
                undated += 1
            else:
                date = iso_date(f"{y:04d}-{meta['month']:02d}-{meta['day']:02d}")
        paper = build_paper(PAGE, title=e.title, abstract=e.abstract, date=date, extra=extra)
        col.add(paper, col.at_line(e.line))
    if undated:
        col.warn(
            filename,
            f"{undated} dates without a year and no year on the page to infer from; "
            "pass ref_year to date them",
        )
    if not entries and not col.issues:
        col.issue(filename, "no papers found (expected title, blank line, abstract)")
    return col.result()


# ---------------------------------------------------------------- daily papers JSON API


def paper_from_daily_item(item: dict[str, Any], fmt: str = DAILY) -> tuple[Paper, list[str]]:
    """One element of ``/api/daily_papers`` (or a bare ``paper`` object) → Paper."""
    warnings: list[str] = []
    inner = item.get("paper")
    paper: dict[str, Any] = inner if isinstance(inner, dict) else item
    pid = paper.get("id")
    title = paper.get("title") or item.get("title") or ""
    summary = paper.get("summary") or item.get("summary") or ""
    for key, value in (("paper.id", pid), ("paper.title", title), ("paper.summary", summary)):
        if value is not None and not isinstance(value, str):
            raise FieldError(key, f"expected a string, got {type(value).__name__}")
    if not clean(title) and not clean(summary):
        raise FieldError("paper.title", "item has neither a title nor a summary")
    try:
        authors = split_authors(paper.get("authors"), "paper.authors")
    except FieldError as exc:
        warnings.append(str(exc))
        authors = ()
    published = paper.get("publishedAt")
    date = iso_date(published) if published else None
    if published and date is None:
        warnings.append(f"field 'paper.publishedAt': unreadable date {published!r:.40}")
    extra: dict[str, Any] = {}
    for key, name in (
        ("upvotes", "upvotes"),
        ("githubRepo", "github_repo"),
        ("githubStars", "github_stars"),
        ("projectPage", "project_page"),
        ("ai_summary", "ai_summary"),
        ("ai_keywords", "ai_keywords"),
    ):
        if paper.get(key) not in (None, "", []):
            extra[name] = paper[key]
    if item is not paper:
        if item.get("numComments") is not None:
            extra["num_comments"] = item["numComments"]
        daily = item.get("publishedAt")
        if isinstance(daily, str) and iso_date(daily):
            extra["daily_date"] = iso_date(daily)
        submitted = item.get("submittedBy")
        if isinstance(submitted, dict) and isinstance(submitted.get("name"), str):
            extra["submitted_by"] = submitted["name"]
    on_daily = paper.get("submittedOnDailyAt")  # a bare paper's day on the daily list
    if "daily_date" not in extra and isinstance(on_daily, str) and iso_date(on_daily):
        extra["daily_date"] = iso_date(on_daily)
    arxiv = pid if isinstance(pid, str) else None
    out = build_paper(
        fmt,
        arxiv=arxiv,
        other_id=f"hf:{pid}" if pid else None,
        title=title,
        abstract=summary,
        authors=authors,
        date=date,
        url=f"https://huggingface.co/papers/{pid}" if pid else None,
        extra=extra,
    )
    return out, warnings


def parse_daily_json(text: str, filename: str = "<text>") -> ParseResult:
    """The Hugging Face daily papers API: a JSON array of ``{"paper": {...}, ...}``."""
    col = Collector(DAILY, filename)
    text = text.lstrip("\ufeff")
    items: list[tuple[int, Any]] = []
    if first_char(text) == "[":
        items = array_items(text, lambda line, msg: col.issue(col.at_line(line), msg))
    else:
        try:
            doc = loads_or_problem(text)
        except JsonProblem as exc:
            col.issue(col.at_line(exc.line), exc.message)
            return col.result()
        if isinstance(doc, dict) and isinstance(doc.get("papers"), list):
            items = [(1, it) for it in doc["papers"]]
        else:
            items = [(1, doc)]
    for k, (line, item) in enumerate(items):
        where = col.at_line(line)
        if not isinstance(item, dict):
            col.issue(where, f"item {k}: expected a JSON object; skipped")
            continue
        try:
            paper, warnings = paper_from_daily_item(item, DAILY)
        except FieldError as exc:
            col.issue(where, f"item {k}: {exc}; skipped")
            continue
        for w in warnings:
            col.warn(where, f"item {k}: {w}")
        col.add(paper, where)
    return col.result()
