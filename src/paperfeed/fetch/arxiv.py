"""The arXiv API (``export.arxiv.org/api/query``): searches and id lookups, paged, at most
one request every 3 seconds (the client's rate limit)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperfeed import ids
from paperfeed.fetch.common import combine, complete_xml
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.sources import ParseIssue, ParseResult, parse_text

API_URL = "https://export.arxiv.org/api/query"
FORMAT = "arxiv-atom"
MAX_PAGE = 2000  # the API's own limit per request
ID_BATCH = 100
SORT_BY = {"relevance": "relevance", "updated": "lastUpdatedDate", "submitted": "submittedDate"}
_TOTAL = re.compile(r"<(?:\w+:)?totalResults[^>]*>\s*(\d+)\s*<")


def _total(text: str) -> int | None:
    m = _TOTAL.search(text)
    return int(m.group(1)) if m else None


def _page(client: HttpClient, url: str, params: dict[str, str | int]) -> str:
    # arXiv answers a malformed query with HTTP 400 and an Atom error entry: parse it.
    resp = client.get(
        url, params=params, what="arXiv API", ok_statuses=(400,), validate=complete_xml
    )
    return resp.text


def search(
    client: HttpClient,
    query: str,
    *,
    max_results: int = 100,
    sort: str = "submitted",
    ascending: bool = False,
    page_size: int = 100,
    base_url: str = API_URL,
) -> ParseResult:
    """Papers matching an arXiv API ``search_query`` (``cat:cs.LG AND ti:diffusion``),
    newest submissions first by default; ``max_results`` papers at most."""
    if not query.strip():
        raise FetchError("arXiv API: the search query is empty")
    if sort not in SORT_BY:
        raise FetchError(f"arXiv API: sort must be one of {', '.join(SORT_BY)}, not {sort!r}")
    page_size = max(1, min(page_size, MAX_PAGE))
    pages: list[ParseResult] = []
    start = got = 0
    total: int | None = None
    while got < max_results:
        n = min(page_size, max_results - got)
        params: dict[str, str | int] = {
            "search_query": query,
            "start": start,
            "max_results": n,
            "sortBy": SORT_BY[sort],
            "sortOrder": "ascending" if ascending else "descending",
        }
        label = f"arXiv API query (start {start})"
        text = _page(client, base_url, params)
        total = _total(text) if total is None else total
        result = parse_text(text, FORMAT, filename=label)
        errors = [i.message for i in result.issues if i.message.startswith("arXiv API error")]
        if errors and not result.papers:
            raise FetchError(f"{errors[0]} (query {query!r})")
        if total == 0 or (total is not None and start >= total):
            break
        # an empty page is "no entries" issue; drop that note, it is the end (or a hiccup)
        issues = [i for i in result.issues if "has no entries" not in i.message]
        pages.append(ParseResult(result.papers, issues, FORMAT))
        got += len(result.papers)
        start += n
        if not result.papers:
            if total is not None and start < total:
                pages.append(
                    ParseResult(
                        [],
                        [
                            ParseIssue(
                                label,
                                f"arXiv returned an empty page before the end ({total} results); "
                                "stopped here, run again later for the rest",
                            )
                        ],
                        FORMAT,
                    )
                )
            break
        if len(result.papers) < n or (total is not None and start >= total):
            break
    return combine(pages, FORMAT)


def lookup(
    client: HttpClient,
    arxiv_ids: Sequence[str],
    *,
    batch_size: int = ID_BATCH,
    base_url: str = API_URL,
) -> ParseResult:
    """The papers of ``arxiv_ids`` (any spelling: ``arXiv:2401.01234v2``, URLs, old style),
    ``batch_size`` per request. Ids arXiv does not know become issues."""
    wanted: list[str] = []
    issues: list[ParseIssue] = []
    for raw in arxiv_ids:
        found = ids.split_arxiv_id(raw)
        if found is None:
            issues.append(ParseIssue(raw, "not an arXiv id"))
            continue
        wanted.append(found[0] + (f"v{found[1]}" if found[1] else ""))
    wanted = list(dict.fromkeys(wanted))
    pages = [ParseResult([], issues, FORMAT)]
    for k in range(0, len(wanted), max(1, batch_size)):
        batch = wanted[k : k + batch_size]
        label = f"arXiv API id_list ({len(batch)} ids from {batch[0]})"
        text = _page(client, base_url, {"id_list": ",".join(batch), "max_results": len(batch)})
        result = parse_text(text, FORMAT, filename=label)
        asked = {ids.canonical_arxiv_id(i) for i in batch}
        papers = [p for p in result.papers if p.id in asked]
        got = {p.id for p in papers}
        missing = [
            ParseIssue(label, f"arXiv has no paper {i}")
            for i in batch
            if ids.canonical_arxiv_id(i) not in got
        ]
        kept = [i for i in result.issues if "has no entries" not in i.message]
        pages.append(ParseResult(papers, kept + missing, FORMAT))
    return combine(pages, FORMAT)
