"""bioRxiv and medRxiv (``api.biorxiv.org``): the preprints posted in an interval, from the
details endpoint ``/details/{server}/{interval}/{cursor}/json[?category=…]``, paged by cursor
(the API sets the page size: 100 records, 30 since 2025), at most ``max_pages`` pages.

The API answers every request with HTTP 200 and says what went wrong in ``messages[0].status``;
a category it does not know is silently ignored (``messages[0].category`` then reads ``all``),
which is reported instead of storing a whole unfiltered day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from paperfeed.fetch.common import complete_json
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.models import Paper
from paperfeed.sources import ParseError, ParseIssue, ParseResult, parse_text
from paperfeed.sources.biorxiv import (
    CATEGORIES,
    FORMAT,
    SERVERS,
    category_key,
    category_param,
    newest,
    page_info,
)

API_URL = "https://api.biorxiv.org"
MAX_PAGES = 100
"""Default bound on the pages of one listing (3,000–10,000 preprints)."""
_SPAN = re.compile(r"^(?:\d{1,4}d|\d{4}-\d\d-\d\d/\d{4}-\d\d-\d\d)$")


def interval(
    *,
    days: int | None = None,
    from_date: str | None = None,
    until: str | None = None,
    today: date | None = None,
) -> str:
    """The API's interval: ``"7d"`` (the last 7 days) or ``"2024-01-01/2024-01-07"``;
    ``until`` defaults to ``today`` when only ``from_date`` is given."""
    if days is not None and (from_date or until):
        raise FetchError("bioRxiv: give a number of days or a --from/--until range, not both")
    if days is not None:
        if not 1 <= days <= 3650:
            raise FetchError(f"bioRxiv: days must be between 1 and 3650, not {days}")
        return f"{days}d"
    if not from_date:
        if until:
            raise FetchError("bioRxiv: --until needs --from (the first day of the range)")
        return "1d"
    try:
        start = date.fromisoformat(from_date)
        end = date.fromisoformat(until) if until else (today or date.today())
    except ValueError:
        raise FetchError(
            f"bioRxiv: dates must be YYYY-MM-DD, not {from_date!r} / {until!r}"
        ) from None
    if start > end:
        raise FetchError(f"bioRxiv: --from {start} is after --until {end}")
    return f"{start.isoformat()}/{end.isoformat()}"


def day_interval(day: str) -> str:
    """The interval of a daily run on ``day``: the day before and the day itself (preprints
    go up all day long; what was posted after yesterday's run is caught today)."""
    d = date.fromisoformat(day)
    return f"{(d - timedelta(days=1)).isoformat()}/{d.isoformat()}"


def _check_server(server: str) -> str:
    key = server.strip().lower()
    if key not in SERVERS:
        raise FetchError(f"bioRxiv: the server is biorxiv or medrxiv, not {server!r}")
    return key


def _ignored_filter(server: str, wanted: str) -> FetchError:
    known = ", ".join(CATEGORIES[server])
    return FetchError(
        f"{SERVERS[server]} API ignored the category filter {wanted!r} (not one of its "
        f"categories?); known: {known}"
    )


def _listing(
    client: HttpClient,
    server: str,
    span: str,
    category: str | None,
    *,
    limit: int | None,
    max_pages: int,
    base_url: str,
) -> list[ParseResult]:
    """The pages of one interval (and category), parsed."""
    what = f"{SERVERS[server]} API"
    wanted = category_key(category) if category else ""
    params = {"category": category_param(category)} if category else None
    pages: list[ParseResult] = []
    cursor = got = 0
    for n in range(max_pages + 1):
        label = f"{what} {span}" + (f" {wanted}" if wanted else "") + f" cursor {cursor}"
        if n == max_pages:
            note = f"stopped after {max_pages} pages (limit max_pages); run again with a larger one"
            pages.append(ParseResult([], [ParseIssue(label, note)], FORMAT))
            break
        url = f"{base_url.rstrip('/')}/details/{server}/{span}/{cursor}/json"
        resp = client.get(url, params=params, what=what, validate=complete_json)
        try:
            info = page_info(resp.text, label)
        except ParseError as exc:
            raise FetchError(f"{what}: {exc}", url=url) from None
        if info.empty:
            break
        if not info.ok:
            raise FetchError(f"{what}: {info.status} (for {url})", url=url)
        if wanted and info.category and info.category != wanted:
            raise _ignored_filter(server, category or wanted)
        result = parse_text(resp.text, FORMAT, filename=label)
        papers = [p for p in result.papers if not wanted or wanted in p.categories]
        pages.append(ParseResult(papers, result.issues, FORMAT))
        got += len(papers)
        cursor += info.records
        if info.records == 0 or (info.total is not None and cursor >= info.total):
            break
        if limit is not None and got >= limit:
            break
    return pages


def _newest_versions(pages: Sequence[ParseResult], limit: int | None) -> ParseResult:
    """One result from several pages: one paper per id, its newest version, in the order
    first seen; ``limit`` papers at most."""
    best: dict[str, Paper] = {}
    issues: list[ParseIssue] = []
    for page in pages:
        issues += page.issues
        for p in page.papers:
            best[p.id] = newest(best[p.id], p) if p.id in best else p
    papers = list(best.values())
    return ParseResult(papers if limit is None else papers[:limit], issues, FORMAT)


def fetch_details(
    client: HttpClient,
    server: str = "biorxiv",
    *,
    span: str = "1d",
    categories: Sequence[str] = (),
    limit: int | None = None,
    max_pages: int = MAX_PAGES,
    base_url: str = API_URL,
) -> ParseResult:
    """The preprints ``server`` (biorxiv or medrxiv) posted in ``span`` (see
    :func:`interval`), of ``categories`` when given (one listing each), newest version of each
    DOI, ``limit`` at most."""
    server = _check_server(server)
    if not _SPAN.match(span):
        raise FetchError(f"bioRxiv: not an interval: {span!r} (7d or 2024-01-01/2024-01-07)")
    if limit is not None and limit < 1:
        raise FetchError("bioRxiv: limit must be at least 1")
    if max_pages < 1:
        raise FetchError("bioRxiv: max_pages must be at least 1")
    wanted = list(dict.fromkeys(c for c in (category_key(c) for c in categories) if c))
    pages: list[ParseResult] = []
    for category in wanted or [None]:
        pages += _listing(
            client,
            server,
            span,
            category,
            limit=limit,
            max_pages=max_pages,
            base_url=base_url,
        )
        if limit is not None and sum(len(p.papers) for p in pages) >= limit:
            break
    return _newest_versions(pages, limit)
