"""The I/O side of ingestion: fetch papers from arXiv (API, OAI-PMH, listing feeds),
Hugging Face, bioRxiv/medRxiv, Zotero and OpenAlex over HTTP.

The split with :mod:`paperfeed.sources`: ``fetch`` does the network I/O and hands each
response's text to a ``sources`` parser, returning its
:class:`~paperfeed.sources.ParseResult` s."""

from __future__ import annotations

from paperfeed.fetch.arxiv import lookup as arxiv_lookup
from paperfeed.fetch.arxiv import search as arxiv_search
from paperfeed.fetch.biorxiv import fetch_details as biorxiv_details
from paperfeed.fetch.hf import fetch_daily as hf_daily
from paperfeed.fetch.http import FetchError, HttpClient, RateLimiter, RetryPolicy, user_agent
from paperfeed.fetch.listing import fetch_listing as arxiv_listing
from paperfeed.fetch.oai import HarvestSummary, OaiHarvest
from paperfeed.fetch.oai import harvest as oai_harvest
from paperfeed.fetch.openalex import fetch_work as openalex_work
from paperfeed.fetch.openalex import fetch_works as openalex_works
from paperfeed.fetch.resolve import resolve_ids, resolve_stubs
from paperfeed.fetch.zotero import fetch_collections as zotero_collections
from paperfeed.fetch.zotero import fetch_items as zotero_items
from paperfeed.fetch.zotero import fetch_library as zotero_library

__all__ = [
    "FetchError",
    "HarvestSummary",
    "HttpClient",
    "OaiHarvest",
    "RateLimiter",
    "RetryPolicy",
    "arxiv_listing",
    "arxiv_lookup",
    "arxiv_search",
    "biorxiv_details",
    "hf_daily",
    "oai_harvest",
    "openalex_work",
    "openalex_works",
    "resolve_ids",
    "resolve_stubs",
    "user_agent",
    "zotero_collections",
    "zotero_items",
    "zotero_library",
]
