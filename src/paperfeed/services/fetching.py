"""Fetching use cases: papers from arXiv (API, OAI-PMH, listings), Hugging Face,
bioRxiv/medRxiv, Zotero and ids into the store, optionally into a profile. The network code
is :mod:`paperfeed.fetch`; this module only decides what to fetch and stores what comes back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from paperfeed import fetch
from paperfeed.fetch.biorxiv import interval as biorxiv_interval
from paperfeed.fetch.session import FetchOptions, open_client
from paperfeed.fetch.sources import RemoteFetch, remote_fetcher
from paperfeed.services.app import Paperfeed
from paperfeed.services.common import ImportSummary

__all__ = [
    "FetchOptions",
    "Fetcher",
    "HarvestReport",
    "NothingToFetch",
    "RemoteFetch",
    "remote_fetcher",
]
from paperfeed.sources import ParseIssue, ParseResult, parse_path


class NothingToFetch(ValueError):
    """The request names nothing to fetch (a usage error)."""


@dataclass
class HarvestReport:
    """An OAI-PMH harvest: what was stored and how far it got."""

    summary: ImportSummary
    pages: int
    resumed: bool
    complete: bool

    @property
    def note(self) -> str:
        note = f"{self.pages} pages" + (", resumed" if self.resumed else "")
        return note + (", complete" if self.complete else "; not finished: run again to continue")


class Fetcher:
    """One polite HTTP session over the library object: each method fetches, stores (and adds
    to ``profile`` when given) and returns the import summary."""

    def __init__(
        self,
        app: Paperfeed,
        options: FetchOptions,
        *,
        profile: str | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.app = app
        self.options = options
        self.profile = profile
        self.state_dir = state_dir
        self.client = open_client(options)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _store(self, label: str, result: ParseResult) -> ImportSummary:
        return self.app.store_result(label, result, profile=self.profile)

    def arxiv(
        self,
        query: str | None,
        ids: Sequence[str] = (),
        *,
        max_results: int = 100,
        sort: str = "submitted",
        ascending: bool = False,
        base_url: str,
    ) -> ImportSummary:
        """An arXiv API search (``query``) or a lookup of ``ids``."""
        if ids:
            result = fetch.arxiv_lookup(self.client, list(ids), base_url=base_url)
        else:
            result = fetch.arxiv_search(
                self.client,
                query or "",
                max_results=max_results,
                sort=sort,
                ascending=ascending,
                base_url=base_url,
            )
        return self._store("arxiv", result)

    def oai(
        self,
        *,
        prefix: str,
        set_spec: str | None,
        from_date: str | None,
        until: str | None,
        max_pages: int | None,
        restart: bool,
        base_url: str,
        on_page: Callable[[int, ImportSummary], None] = lambda n, s: None,
    ) -> HarvestReport:
        """A resumable OAI-PMH harvest: each page is stored before its resumption token is
        saved in ``state_dir``."""
        summary = ImportSummary(source="oai", source_name="arxiv-oai")
        harvest = fetch.OaiHarvest(
            self.client,
            metadata_prefix=prefix,
            set_spec=set_spec,
            from_date=from_date,
            until=until,
            state_dir=self.state_dir,
            base_url=base_url,
        )

        def store_page(page: ParseResult) -> None:
            self.app.store_result("oai", page, profile=self.profile, summary=summary)
            on_page(len(page.papers), summary)

        done = harvest.run(store_page, max_pages=max_pages, restart=restart)
        return HarvestReport(summary, done.pages, done.resumed, done.complete)

    def listing(self, categories: Sequence[str], *, atom: bool, base_url: str) -> ImportSummary:
        """Today's arXiv listing of ``categories``."""
        result = fetch.arxiv_listing(self.client, list(categories), atom=atom, base_url=base_url)
        return self._store("rss", result)

    def hf(self, day: str | None, *, limit: int | None, base_url: str) -> ImportSummary:
        """The Hugging Face daily papers of ``day`` (default: the latest list)."""
        return self._store("hf", fetch.hf_daily(self.client, day, limit=limit, base_url=base_url))

    def biorxiv(
        self,
        server: str,
        *,
        days: int | None,
        from_date: str | None,
        until: str | None,
        categories: Sequence[str],
        limit: int | None,
        max_pages: int,
        base_url: str,
    ) -> ImportSummary:
        """What bioRxiv or medRxiv (``server``) posted in the last ``days`` days or from
        ``from_date`` to ``until`` (default: the last day), of ``categories`` when given."""
        result = fetch.biorxiv_details(
            self.client,
            server,
            span=biorxiv_interval(days=days, from_date=from_date, until=until),
            categories=categories,
            limit=limit,
            max_pages=max_pages,
            base_url=base_url,
        )
        return self._store(server, result)

    def zotero(
        self,
        *,
        library_user: str | None,
        group: str | None,
        api_key: str | None,
        collections: Sequence[str] = (),
        ignore: Sequence[str] = (),
        max_items: int | None,
        base_url: str,
    ) -> ImportSummary:
        """The items of a Zotero user or group library; from ``collections`` only when given
        (each with its sub-collections), none from ``ignore`` (by key, name or path)."""
        result = fetch.zotero_library(
            self.client,
            user=library_user,
            group=group,
            api_key=api_key,
            include=collections,
            ignore=ignore,
            max_items=max_items,
            base_url=base_url,
        )
        return self._store("zotero", result)

    def ids(
        self,
        items: Sequence[str],
        files: Sequence[Path] = (),
        *,
        arxiv_url: str,
        openalex_url: str,
    ) -> ImportSummary:
        """arXiv ids / URLs (arXiv API) and DOIs (OpenAlex), given or listed in ``files``."""
        wanted = list(items)
        issues: list[ParseIssue] = []
        for f in files:
            listing = parse_path(f, "ids")
            issues += [i for i in listing.issues if i.skipped]
            for p in listing.papers:
                wanted.append(p.id.removeprefix("doi:") + (f"v{p.version}" if p.version else ""))
        if not wanted and not issues:
            raise NothingToFetch("give ids, or --file with one id per line")
        result = fetch.resolve_ids(
            self.client,
            wanted,
            arxiv_url=arxiv_url,
            openalex_url=openalex_url,
            mailto=self.options.contact,
        )
        return self._store("ids", ParseResult(result.papers, issues + result.issues, "ids"))
