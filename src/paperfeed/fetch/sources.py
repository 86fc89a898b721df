"""The network sources of ``paperfeed daily`` (config.toml ``digest.sources``): a day's arXiv
listing and Hugging Face daily papers, fetched with the polite HTTP client."""

from __future__ import annotations

from collections.abc import Callable

from paperfeed.fetch.hf import fetch_daily
from paperfeed.fetch.http import HttpClient
from paperfeed.fetch.listing import fetch_listing
from paperfeed.sources import ParseResult

RemoteFetch = Callable[[str, str, str], ParseResult]
"""``(kind, argument, day) -> ParseResult`` for the network sources: kind ``arxiv`` with the
categories (``cs.LG+cs.CL``) or ``hf``."""


def remote_fetcher(contact: str | None = None) -> RemoteFetch:
    """Fetch arXiv listings and Hugging Face daily papers, one client per source."""

    def fetch(kind: str, arg: str, day: str) -> ParseResult:
        with HttpClient(contact=contact) as client:
            if kind == "arxiv":
                return fetch_listing(client, arg)
            return fetch_daily(client, day)

    return fetch
