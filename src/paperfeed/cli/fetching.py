"""``paperfeed fetch``: arXiv (API, OAI-PMH, listing feeds), Hugging Face, bioRxiv/medRxiv,
Zotero and ids into the store, through :class:`paperfeed.services.fetching.Fetcher`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import click

from paperfeed.cli.common import (
    F,
    app,
    config,
    iso_date,
    log_to_stderr,
    progress,
    report,
    user_errors,
)
from paperfeed.services import Fetcher, FetchOptions, ImportSummary, NothingToFetch
from paperfeed.settings import ENV

_JSON = click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
_PROFILE = click.option(
    "--profile",
    "profile",
    metavar="USER",
    default=None,
    help="Also add the fetched papers to USER's profile.",
)


def _base_url(default: str) -> Callable[[F], F]:
    return click.option(
        "--base-url",
        default=default,
        show_default=True,
        help="Service address (a mirror, or a local server in tests).",
    )


def _fetcher(ctx: click.Context, profile: str | None) -> Fetcher:
    """The fetch service for this command's options, closed with the command."""
    options: FetchOptions = ctx.find_object(FetchOptions) or FetchOptions()
    fetcher = Fetcher(app(ctx), options, profile=profile, state_dir=config(ctx).home / "harvest")
    ctx.call_on_close(fetcher.close)
    return fetcher


@click.group("fetch")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for a service before retrying.",
)
@click.option(
    "--contact",
    default=None,
    envvar=ENV.contact.name,
    help="E-mail put in the User-Agent so services can reach you [env PAPERFEED_CONTACT].",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=4,
    show_default=True,
    help="Retries of a failed request (429, 5xx, timeouts), with exponential backoff.",
)
@click.option("--interval", type=click.FloatRange(min=0.0), default=None, hidden=True)
@click.pass_context
def fetch_group(
    ctx: click.Context,
    timeout: float,
    contact: str | None,
    retries: int,
    interval: float | None,
) -> None:
    """Fetch papers from arXiv, Hugging Face, bioRxiv/medRxiv, Zotero or OpenAlex into the
    store.

    Requests are polite: a User-Agent naming paperfeed, arXiv's one request every 3
    seconds, retries with backoff on 429/5xx and timeouts.
    """
    if progress(ctx):  # waits before retries ("waiting 4 s before retry 2 of 4 …")
        log_to_stderr(logging.INFO, "paperfeed.fetch")
    ctx.obj = FetchOptions(timeout=timeout, contact=contact, retries=retries, interval=interval)


@fetch_group.command("arxiv")
@click.argument("query", nargs=-1)
@click.option("--id", "id_list", multiple=True, help="An arXiv id to look up (repeatable).")
@click.option("--max", "max_results", type=click.IntRange(min=1), default=100, show_default=True)
@click.option(
    "--sort",
    type=click.Choice(["submitted", "updated", "relevance"]),
    default="submitted",
    show_default=True,
)
@click.option("--ascending", is_flag=True, help="Oldest first.")
@_base_url("https://export.arxiv.org/api/query")
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_arxiv(
    ctx: click.Context,
    query: tuple[str, ...],
    id_list: tuple[str, ...],
    max_results: int,
    sort: str,
    ascending: bool,
    base_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """Search the arXiv API (QUERY like `cat:cs.LG AND ti:diffusion`) or look up ids."""
    if id_list and query:
        raise click.UsageError("give a QUERY or --id, not both")
    if not id_list and not query:
        raise click.UsageError("give a search QUERY or one or more --id")
    summary = _fetcher(ctx, profile).arxiv(
        " ".join(query),
        id_list,
        max_results=max_results,
        sort=sort,
        ascending=ascending,
        base_url=base_url,
    )
    report(summary, as_json)


@fetch_group.command("oai")
@click.option(
    "--prefix",
    type=click.Choice(["arXiv", "arXivRaw"]),
    default="arXiv",
    show_default=True,
    help="Metadata format.",
)
@click.option("--set", "set_spec", default=None, help="OAI set, e.g. cs or physics:hep-th.")
@click.option("--from", "from_date", callback=iso_date, help="Changed on or after YYYY-MM-DD.")
@click.option("--until", callback=iso_date, help="Changed on or before YYYY-MM-DD.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Stop after N pages.")
@click.option("--restart", is_flag=True, help="Forget a saved resumption token, start over.")
@_base_url("https://oaipmh.arxiv.org/oai")
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_oai(
    ctx: click.Context,
    prefix: str,
    set_spec: str | None,
    from_date: str | None,
    until: str | None,
    max_pages: int | None,
    restart: bool,
    base_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """Harvest arXiv metadata with OAI-PMH ListRecords, resumably: each page is stored,
    then its resumption token saved under the home directory, so an interrupted harvest
    continues where it stopped when run again with the same options."""
    show = progress(ctx)

    def on_page(n: int, summary: ImportSummary) -> None:
        if show:
            click.echo(f"page: {n} records ({summary.read} so far)", err=True)

    done = _fetcher(ctx, profile).oai(
        prefix=prefix,
        set_spec=set_spec,
        from_date=from_date,
        until=until,
        max_pages=max_pages,
        restart=restart,
        base_url=base_url,
        on_page=on_page,
    )
    extra = {"note": done.note, "pages": done.pages, "complete": done.complete}
    report(done.summary, as_json, extra)


@fetch_group.command("rss")
@click.argument("categories", nargs=-1, required=True)
@click.option("--atom", is_flag=True, help="Read the Atom feed instead of RSS.")
@_base_url("https://rss.arxiv.org")
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_rss(
    ctx: click.Context,
    categories: tuple[str, ...],
    atom: bool,
    base_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """Today's arXiv listing of CATEGORIES (e.g. cs.LG stat.ML): new papers, cross-lists
    and replacements."""
    report(_fetcher(ctx, profile).listing(categories, atom=atom, base_url=base_url), as_json)


@fetch_group.command("hf")
@click.option("--date", "day", callback=iso_date, help="The day's list (default: latest).")
@click.option("--limit", type=click.IntRange(min=1), default=None)
@_base_url("https://huggingface.co")
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_hf(
    ctx: click.Context,
    day: str | None,
    limit: int | None,
    base_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """The Hugging Face daily papers list."""
    report(_fetcher(ctx, profile).hf(day, limit=limit, base_url=base_url), as_json)


@fetch_group.command("biorxiv")
@click.option(
    "--server",
    type=click.Choice(["biorxiv", "medrxiv"]),
    default="biorxiv",
    show_default=True,
    help="bioRxiv (biology) or medRxiv (health sciences).",
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="The last N days (default: the last day).",
)
@click.option("--from", "from_date", callback=iso_date, help="Posted on or after YYYY-MM-DD.")
@click.option("--until", callback=iso_date, help="Posted on or before YYYY-MM-DD (default: today).")
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="NAME",
    help="Only this subject category, e.g. neuroscience or 'cell biology' (repeatable).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N preprints.")
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Stop a listing after N pages (the API sends 30–100 preprints a page).",
)
@_base_url("https://api.biorxiv.org")
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_biorxiv(
    ctx: click.Context,
    server: str,
    days: int | None,
    from_date: str | None,
    until: str | None,
    categories: tuple[str, ...],
    limit: int | None,
    max_pages: int,
    base_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """Preprints posted on bioRxiv or medRxiv (their public API), newest version of each.

    Examples: `paperfeed fetch biorxiv --days 7 --category neuroscience`,
    `paperfeed fetch biorxiv --server medrxiv --from 2024-01-01 --until 2024-01-07`.
    """
    summary = _fetcher(ctx, profile).biorxiv(
        server,
        days=days,
        from_date=from_date,
        until=until,
        categories=categories,
        limit=limit,
        max_pages=max_pages,
        base_url=base_url,
    )
    report(summary, as_json)


@fetch_group.command("zotero")
@click.option("--zotero-user", "user_id", default=None, help="Zotero user id (a number).")
@click.option("--user", "old_user_id", default=None, hidden=True)  # the old name, still read
@click.option("--group", "group_id", default=None, help="Zotero group id (a number).")
@click.option(
    "--api-key",
    default=None,
    envvar=ENV.zotero_api_key.name,
    help="Key for a private library [env ZOTERO_API_KEY].",
)
@click.option(
    "--collection",
    "collections",
    multiple=True,
    metavar="NAME_OR_KEY",
    help="Only items of this collection and its sub-collections: its name, Parent/Child "
    "path or 8-letter key, any case (repeatable).",
)
@click.option(
    "--ignore-collection",
    "ignored",
    multiple=True,
    metavar="NAME_OR_KEY",
    help="Leave out the items of this collection and its sub-collections (repeatable).",
)
@click.option("--max", "max_items", type=click.IntRange(min=1), default=None)
@_base_url("https://api.zotero.org")
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_zotero(
    ctx: click.Context,
    user_id: str | None,
    old_user_id: str | None,
    group_id: str | None,
    api_key: str | None,
    collections: tuple[str, ...],
    ignored: tuple[str, ...],
    max_items: int | None,
    base_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """The items of a Zotero library (notes and attachments left out). With --profile,
    your library becomes (part of) your reading profile; --collection and
    --ignore-collection pick which part (an item in an ignored collection is left out even
    when it is also in a chosen one)."""
    summary = _fetcher(ctx, profile).zotero(
        library_user=user_id or old_user_id,
        group=group_id,
        api_key=api_key,
        collections=collections,
        ignore=ignored,
        max_items=max_items,
        base_url=base_url,
    )
    report(summary, as_json)


@fetch_group.command("ids")
@click.argument("items", nargs=-1)
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A file of ids, one per line (repeatable).",
)
@click.option("--arxiv-url", default="https://export.arxiv.org/api/query", show_default=True)
@click.option("--openalex-url", default="https://api.openalex.org", show_default=True)
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_ids(
    ctx: click.Context,
    items: tuple[str, ...],
    files: tuple[Path, ...],
    arxiv_url: str,
    openalex_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """Resolve arXiv ids / URLs (arXiv API) and DOIs (OpenAlex) into full papers."""
    try:
        summary = _fetcher(ctx, profile).ids(
            items, files, arxiv_url=arxiv_url, openalex_url=openalex_url
        )
    except NothingToFetch as e:
        raise click.UsageError(str(e)) from None
    report(summary, as_json)


COMMANDS: tuple[click.Command, ...] = (fetch_group,)
