"""OpenAlex (``api.openalex.org``): works by DOI, for resolving DOIs to papers."""

from __future__ import annotations

from collections.abc import Sequence

from paperfeed import ids
from paperfeed.fetch.common import combine, complete_json
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.settings import ENV
from paperfeed.sources import ParseIssue, ParseResult, parse_text

OPENALEX_URL = "https://api.openalex.org"
FORMAT = "openalex-json"
DOI_BATCH = 50  # DOIs per filter request (OpenAlex accepts up to 100 OR-ed values)


def _params(mailto: str | None) -> dict[str, str]:
    who = mailto or ENV.contact.read()
    return {"mailto": who} if who else {}


def fetch_work(
    client: HttpClient, doi: str, *, mailto: str | None = None, base_url: str = OPENALEX_URL
) -> ParseResult:
    """The work with ``doi`` (``https://api.openalex.org/works/doi:10.x/y``)."""
    norm = ids.normalize_doi(doi)
    if norm is None:
        raise FetchError(f"OpenAlex: not a DOI: {doi!r}")
    url = f"{base_url.rstrip('/')}/works/doi:{norm}"
    try:
        resp = client.get(url, params=_params(mailto), what="OpenAlex", validate=complete_json)
    except FetchError as exc:
        if exc.status == 404:
            return ParseResult(
                [], [ParseIssue(f"doi:{norm}", "OpenAlex knows no work with this DOI")], FORMAT
            )
        raise
    return parse_text(resp.text, FORMAT, filename=f"OpenAlex doi:{norm}")


def fetch_works(
    client: HttpClient,
    dois: Sequence[str],
    *,
    mailto: str | None = None,
    batch_size: int = DOI_BATCH,
    base_url: str = OPENALEX_URL,
) -> ParseResult:
    """The works of many DOIs, ``batch_size`` per request (``/works?filter=doi:a|b``);
    DOIs OpenAlex does not know become issues."""
    wanted = list(dict.fromkeys(d for d in (ids.normalize_doi(x) for x in dois) if d))
    pages: list[ParseResult] = []
    bad = [x for x in dois if ids.normalize_doi(x) is None]
    if bad:
        pages.append(ParseResult([], [ParseIssue(x, "not a DOI") for x in bad], FORMAT))
    url = f"{base_url.rstrip('/')}/works"
    for k in range(0, len(wanted), max(1, batch_size)):
        batch = wanted[k : k + batch_size]
        params = {
            "filter": "doi:" + "|".join(batch),
            "per-page": str(len(batch)),
            **_params(mailto),
        }
        resp = client.get(url, params=params, what="OpenAlex", validate=complete_json)
        label = f"OpenAlex works ({len(batch)} DOIs from {batch[0]})"
        result = parse_text(resp.text, FORMAT, filename=label)
        found = {p.doi for p in result.papers if p.doi}
        missing = [
            ParseIssue(f"doi:{d}", "OpenAlex knows no work with this DOI")
            for d in batch
            if d not in found
        ]
        pages.append(ParseResult(result.papers, result.issues + missing, FORMAT))
    return combine(pages, FORMAT)
