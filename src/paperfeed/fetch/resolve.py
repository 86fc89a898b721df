"""Id resolution: arXiv ids through the arXiv API, DOIs through OpenAlex.

``resolve_stubs`` completes the stubs an id list yields (``extra["needs_fetch"]``) so that
``profile add ids.txt`` and ``ingest ids.txt`` store real papers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from paperfeed import ids
from paperfeed.fetch import arxiv, openalex
from paperfeed.fetch.common import combine
from paperfeed.fetch.http import HttpClient
from paperfeed.models import Paper
from paperfeed.sources import ParseIssue, ParseResult
from paperfeed.sources.idlist import classify_line

FORMAT = "ids"
_NOT_FOUND = re.compile(r"arXiv has no paper|knows no work with this DOI")


def split_ids(items: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """``(arxiv_ids, dois, unknown)`` from ids, arXiv URLs and DOIs in any spelling."""
    arxiv_ids: list[str] = []
    dois: list[str] = []
    unknown: list[str] = []
    for item in items:
        found = classify_line(item)
        if found is None:
            unknown.append(item)
        elif found[0] == "arxiv":
            arxiv_ids.append(found[1])
        else:
            dois.append(found[1])
    return arxiv_ids, dois, unknown


def resolve_ids(
    client: HttpClient,
    items: Sequence[str],
    *,
    arxiv_url: str = arxiv.API_URL,
    openalex_url: str = openalex.OPENALEX_URL,
    mailto: str | None = None,
) -> ParseResult:
    """The papers behind arXiv ids / URLs and DOIs; what cannot be resolved becomes an issue."""
    arxiv_ids, dois, unknown = split_ids(items)
    parts = [
        ParseResult(
            [], [ParseIssue(u, "not an arXiv id, arXiv URL or DOI") for u in unknown], FORMAT
        )
    ]
    if arxiv_ids:
        parts.append(arxiv.lookup(client, arxiv_ids, base_url=arxiv_url))
    if dois:
        parts.append(openalex.fetch_works(client, dois, mailto=mailto, base_url=openalex_url))
    return combine(parts, FORMAT)


def _stub_key(paper: Paper) -> str:
    if paper.doi and not ids.split_arxiv_id(paper.id):
        return f"doi:{paper.doi}"
    return paper.id


def resolve_stubs(
    papers: Sequence[Paper],
    client: HttpClient | None = None,
    *,
    issues: list[ParseIssue] | None = None,
    arxiv_url: str = arxiv.API_URL,
    openalex_url: str = openalex.OPENALEX_URL,
) -> list[Paper]:
    """``papers`` with every stub (``extra["needs_fetch"]``) replaced by the fetched paper,
    in the same order. Stubs that cannot be resolved are left out and reported in
    ``issues`` (when given) as skipped. Papers that are no stubs pass unchanged.

    ``client`` defaults to a new :class:`HttpClient` (closed afterwards). Raises
    :class:`~paperfeed.fetch.http.FetchError` when a service cannot be reached.
    """
    stubs = [p for p in papers if p.extra.get("needs_fetch")]
    if not stubs:
        return list(papers)
    own = client is None
    http = client or HttpClient()
    try:
        arxiv_ids = [
            p.id + (f"v{p.version}" if p.version else "") for p in stubs if ids.split_arxiv_id(p.id)
        ]
        dois = [p.doi or p.id.removeprefix("doi:") for p in stubs if not ids.split_arxiv_id(p.id)]
        found: dict[str, Paper] = {}
        problems: list[ParseIssue] = []
        if arxiv_ids:
            got = arxiv.lookup(http, arxiv_ids, base_url=arxiv_url)
            found.update((p.id, p) for p in got.papers)
            problems += got.issues
        if dois:
            got = openalex.fetch_works(http, dois, base_url=openalex_url)
            for p in got.papers:
                if p.doi:
                    found[f"doi:{p.doi}"] = p
                found.setdefault(p.id, p)
            problems += got.issues
    finally:
        if own:
            http.close()
    out: list[Paper] = []
    for p in papers:
        if not p.extra.get("needs_fetch"):
            out.append(p)
            continue
        hit = found.get(_stub_key(p))
        if hit is None:
            if issues is not None:
                where = "arXiv" if ids.split_arxiv_id(p.id) else "OpenAlex"
                issues.append(ParseIssue(p.id, f"{where} has no such paper; skipped"))
            continue
        extra: dict[str, Any] = {k: v for k, v in p.extra.items() if k != "needs_fetch"}
        out.append(
            hit.with_(
                sources=tuple(dict.fromkeys(p.sources + hit.sources)),
                extra={**extra, **hit.extra},
            )
        )
    if issues is not None:  # per-id "not found" notes are covered by the lines above
        issues.extend(i for i in problems if not _NOT_FOUND.search(i.message))
    return out
