"""The use cases, the one way in: the CLI, the daily run, the web endpoints, the batch
protocol and the benchmarks call these and nothing below them (store, embed, rank, fetch)."""

from __future__ import annotations

from paperfeed.services.app import Paperfeed, prepare_model
from paperfeed.services.common import (
    EMBED_CHUNK,
    ImportSummary,
    UserError,
    days_before,
    embed_papers,
)
from paperfeed.services.database import CheckReport, TableCopy, check_store, copy_store
from paperfeed.services.fetching import (
    Fetcher,
    FetchOptions,
    NothingToFetch,
    RemoteFetch,
    remote_fetcher,
)
from paperfeed.services.libraries import add_from_collections
from paperfeed.sources import FORMATS, ParseIssue

__all__ = [
    "EMBED_CHUNK",
    "FORMATS",
    "CheckReport",
    "FetchOptions",
    "Fetcher",
    "ImportSummary",
    "NothingToFetch",
    "Paperfeed",
    "ParseIssue",
    "RemoteFetch",
    "TableCopy",
    "UserError",
    "add_from_collections",
    "check_store",
    "copy_store",
    "days_before",
    "embed_papers",
    "prepare_model",
    "remote_fetcher",
]
