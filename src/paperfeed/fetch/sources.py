"""The network sources of ``paperfeed daily`` (config.toml ``digest.sources``): a day's arXiv
listing, Hugging Face daily papers and the bioRxiv/medRxiv postings, fetched with the polite
HTTP client."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from paperfeed.fetch.biorxiv import API_URL as BIORXIV_URL
from paperfeed.fetch.biorxiv import day_interval, fetch_details
from paperfeed.fetch.hf import HF_URL, fetch_daily
from paperfeed.fetch.listing import RSS_URL, fetch_listing
from paperfeed.fetch.session import FetchOptions, open_client
from paperfeed.sources import ParseResult

RemoteFetch = Callable[[str, str, str], ParseResult]
"""``(kind, argument, day) -> ParseResult`` for the network sources: kind ``arxiv`` with the
categories (``cs.LG+cs.CL``), ``hf``, or ``biorxiv``/``medrxiv`` with optional categories
(``neuroscience+cell biology``)."""

DEFAULT_URLS: dict[str, str] = {
    "arxiv": RSS_URL,
    "hf": HF_URL,
    "biorxiv": BIORXIV_URL,
    "medrxiv": BIORXIV_URL,
}


def remote_fetcher(
    contact: str | None = None,
    *,
    options: FetchOptions | None = None,
    base_urls: Mapping[str, str] | None = None,
) -> RemoteFetch:
    """Fetch arXiv listings, Hugging Face daily papers and bioRxiv/medRxiv postings, one
    client per source; ``base_urls`` (kind → address) points a kind at a mirror or a test
    server, ``options`` sets time-outs and retries."""
    opts = options or FetchOptions(contact=contact)
    urls = {**DEFAULT_URLS, **(base_urls or {})}

    def fetch(kind: str, arg: str, day: str) -> ParseResult:
        with open_client(opts) as client:
            if kind == "arxiv":
                return fetch_listing(client, arg, base_url=urls["arxiv"])
            if kind in ("biorxiv", "medrxiv"):
                categories = [c for c in re.split(r"[+,]", arg) if c.strip()]
                return fetch_details(
                    client,
                    kind,
                    span=day_interval(day),
                    categories=categories,
                    base_url=urls[kind],
                )
            return fetch_daily(client, day, base_url=urls["hf"])

    return fetch
