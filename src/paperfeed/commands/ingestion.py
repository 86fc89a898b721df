"""Ingestion commands: ``parse`` (check a file), ``author`` (the people behind a name) and
``fetch`` (arXiv, OAI-PMH, listing feeds, Hugging Face, Zotero, ids → the store).

Plain click commands; the main group registers them with ``cli.add_command`` and sets
``ctx.obj = {"config": Settings, "progress": bool}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np

from paperfeed.clickutil import F, iso_date, user_errors
from paperfeed.models import Paper
from paperfeed.settings import ENV
from paperfeed.sources import FORMATS, ParseIssue, ParseResult

# --- shared helpers ---------------------------------------------------------------------------


def _config(ctx: click.Context) -> Any:
    from paperfeed.settings import Settings

    obj = ctx.find_root().obj or {}
    return obj.get("config") or Settings.load()


def _progress(ctx: click.Context) -> bool:
    obj = ctx.find_root().obj or {}
    return bool(obj.get("progress"))


def _open_store(ctx: click.Context) -> Any:
    from paperfeed.store import open_store

    store = open_store(_config(ctx).db_path)
    ctx.call_on_close(store.close)
    return store


def _app(ctx: click.Context) -> Any:
    from paperfeed.embed import get_embedder
    from paperfeed.services import Paperfeed

    cfg = _config(ctx)
    return Paperfeed(
        store=_open_store(ctx),
        embedder_factory=lambda: get_embedder(cache_dir=cfg.model_cache),
        progress=_progress(ctx),
    )


def _echo_issues(issues: Sequence[ParseIssue], limit: int = 20) -> None:
    for issue in issues[:limit]:
        kind = "skipped" if issue.skipped else "note"
        click.echo(f"{kind} {issue.where}: {issue.message}", err=True)
    if len(issues) > limit:
        click.echo(f"… and {len(issues) - limit} more", err=True)


# --- parse ------------------------------------------------------------------------------------


@click.command("parse")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default=None,
    help="Input format (default: detected).",
)
@click.option(
    "--ref-year",
    type=click.IntRange(1900, 2200),
    default=None,
    help="Year of Hugging Face page dates shown without one (default: inferred).",
)
@user_errors
def parse_cmd(path: Path, fmt: str | None, ref_year: int | None) -> None:
    """Print the papers a file yields, one JSON object per line, without storing anything.

    Problems go to standard error ("skipped …" for left-out input, "note …" for papers
    kept with a warning), then a one-line summary. `-` reads standard input.
    """
    from paperfeed.sources import parse_path, parse_text

    if str(path) == "-":
        result = parse_text(sys.stdin.read(), fmt, filename="<stdin>", ref_year=ref_year)
    else:
        if not path.exists():
            raise click.ClickException(f"{path}: no such file")
        result = parse_path(path, fmt, ref_year=ref_year)
    for paper in result.papers:
        click.echo(json.dumps(paper.to_json(), ensure_ascii=False))
    _echo_issues(result.issues, limit=len(result.issues))
    skipped = sum(1 for i in result.issues if i.skipped)
    notes = len(result.issues) - skipped
    click.echo(
        f"{path}: {len(result.papers)} papers ({result.format or 'nothing to parse'}), "
        f"{skipped} skipped, {notes} notes",
        err=True,
    )


# --- author -----------------------------------------------------------------------------------


def _author_papers_from_file(path: Path, fmt: str | None, name: str) -> list[Paper]:
    from paperfeed.authors import has_author
    from paperfeed.sources import parse_path

    if not path.exists():
        raise click.ClickException(f"{path}: no such file")
    result = parse_path(path, fmt)
    _echo_issues([i for i in result.issues if i.skipped])
    # papers that name their authors must name this one; an author listing names none
    return [p for p in result.papers if not p.authors or has_author(p, name)]


def _topic_vectors(ctx: click.Context, papers: list[Paper], store: Any | None) -> np.ndarray | None:
    """Sentence embeddings of the papers with the project's model (cached in the store when
    there is one), or None (TF-IDF is used) when the model cannot be loaded."""
    from paperfeed.embed import get_embedder

    try:
        embedder = get_embedder(cache_dir=_config(ctx).model_cache)
        if store is not None:
            from paperfeed.services import embed_papers

            return embed_papers(store, embedder, papers, progress=_progress(ctx))[0]
        return np.asarray(embedder.embed([p.text for p in papers]), dtype=np.float32)
    except Exception as exc:  # a missing or broken model must not stop the listing
        click.echo(
            f"note: embedding model unavailable ({type(exc).__name__}: {exc}); "
            "grouping by TF-IDF instead",
            err=True,
        )
        return None


@click.command("author")
@click.argument("name")
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Read the papers from this file (an arXiv author listing, JSONL, …) instead of the store.",
)
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None)
@click.option(
    "--vectors",
    type=click.Choice(["model", "tfidf"]),
    default="model",
    show_default=True,
    help="Topic signal: the embedding model, or TF-IDF (no model needed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@user_errors
def author_cmd(
    ctx: click.Context,
    name: str,
    source: Path | None,
    fmt: str | None,
    vectors: str,
    as_json: bool,
) -> None:
    """List NAME's papers, split into the distinct people behind the name.

    Papers sharing a coauthor belong to one person; the rest are grouped by topic
    (complete-linkage clustering of their embeddings). Names match without regard to
    case, accents or word order. Each person is labelled by distinctive terms, frequent
    coauthors and categories.
    """
    from paperfeed.authors import disambiguate
    from paperfeed.display import readable, shorten

    if not name.strip():
        raise click.ClickException("the author name is empty")
    store = None
    if source is not None:
        papers = _author_papers_from_file(source, fmt, name)
        origin = str(source)
    else:
        store = _open_store(ctx)
        papers = store.papers_by_author(name)
        origin = str(_config(ctx).db_path)
    if not papers:
        where = source or "the store"
        raise click.ClickException(f"no papers by {name!r} in {where}")
    vecs = _topic_vectors(ctx, papers, store) if vectors == "model" else None
    people = disambiguate(papers, name, vectors=vecs)
    if as_json:
        out = {
            "name": name,
            "source": origin,
            "papers": len(papers),
            "people": [p.to_json() for p in people],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    click.echo(f"{name}: {len(papers)} papers, {len(people)} people ({origin})")
    for k, person in enumerate(people, 1):
        n = len(person.papers)
        click.echo(f"\n{k}. {person.label}  ({n} paper{'s' if n != 1 else ''})")
        for p in person.papers:
            when = f" {p.date}" if p.date else ""
            click.echo(f"   {p.id:<26} {shorten(readable(p.display_title), 72)}{when}")


# --- fetch ------------------------------------------------------------------------------------


def _client(ctx: click.Context) -> Any:
    from paperfeed.fetch import HttpClient, RetryPolicy
    from paperfeed.fetch.http import DEFAULT_INTERVALS

    opts = ctx.find_object(dict) or {}
    intervals = dict(DEFAULT_INTERVALS)
    if opts.get("interval") is not None:  # hosts without a published limit (mirrors, tests)
        intervals["*"] = opts["interval"]
    client = HttpClient(
        timeout=opts.get("timeout", 30.0),
        contact=opts.get("contact"),
        intervals=intervals,
        retry=RetryPolicy(retries=opts.get("retries", 4)),
    )
    ctx.call_on_close(client.close)
    return client


def _store_result(
    ctx: click.Context,
    label: str,
    result: ParseResult,
    *,
    profile: str | None,
    summary: Any | None = None,
) -> Any:
    """Upsert a fetch result (and add it to a profile); returns the import summary."""
    app = ctx.meta.get("paperfeed.app") or _app(ctx)
    ctx.meta["paperfeed.app"] = app
    return app.store_result(label, result, profile=profile, summary=summary)


def _report(summary: Any, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    _echo_issues(summary.issues)
    if as_json:
        click.echo(json.dumps({**summary.to_json(), **(extra or {})}, ensure_ascii=False))
    else:
        tail = f" ({extra['note']})" if extra and extra.get("note") else ""
        click.echo(summary.line() + tail)


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
    """Fetch papers from arXiv, Hugging Face, Zotero or OpenAlex into the store.

    Requests are polite: a User-Agent naming paperfeed, arXiv's one request every 3
    seconds, retries with backoff on 429/5xx and timeouts.
    """
    ctx.ensure_object(dict)
    ctx.obj = {
        **ctx.obj,
        "timeout": timeout,
        "contact": contact,
        "retries": retries,
        "interval": interval,
    }


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
    from paperfeed.fetch import arxiv_lookup, arxiv_search

    client = _client(ctx)
    if id_list and query:
        raise click.UsageError("give a QUERY or --id, not both")
    if id_list:
        result = arxiv_lookup(client, list(id_list), base_url=base_url)
    elif query:
        result = arxiv_search(
            client,
            " ".join(query),
            max_results=max_results,
            sort=sort,
            ascending=ascending,
            base_url=base_url,
        )
    else:
        raise click.UsageError("give a search QUERY or one or more --id")
    _report(_store_result(ctx, "arxiv", result, profile=profile), as_json)


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
    from paperfeed.fetch import OaiHarvest
    from paperfeed.services import ImportSummary

    client = _client(ctx)
    summary = ImportSummary(source="oai", source_name="arxiv-oai")
    harvest = OaiHarvest(
        client,
        metadata_prefix=prefix,
        set_spec=set_spec,
        from_date=from_date,
        until=until,
        state_dir=_config(ctx).home / "harvest",
        base_url=base_url,
    )
    progress = _progress(ctx)

    def on_page(page: ParseResult) -> None:
        _store_result(ctx, "oai", page, profile=profile, summary=summary)
        if progress:
            click.echo(f"page: {len(page.papers)} records ({summary.read} so far)", err=True)

    done = harvest.run(on_page, max_pages=max_pages, restart=restart)
    note = f"{done.pages} pages" + (", resumed" if done.resumed else "")
    note += ", complete" if done.complete else "; not finished: run again to continue"
    _report(summary, as_json, {"note": note, "pages": done.pages, "complete": done.complete})


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
    from paperfeed.fetch import arxiv_listing

    result = arxiv_listing(_client(ctx), list(categories), atom=atom, base_url=base_url)
    _report(_store_result(ctx, "rss", result, profile=profile), as_json)


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
    from paperfeed.fetch import hf_daily

    result = hf_daily(_client(ctx), day, limit=limit, base_url=base_url)
    _report(_store_result(ctx, "hf", result, profile=profile), as_json)


@fetch_group.command("zotero")
@click.option("--user", "user_id", default=None, help="Zotero user id (a number).")
@click.option("--group", "group_id", default=None, help="Zotero group id (a number).")
@click.option(
    "--api-key",
    default=None,
    envvar=ENV.zotero_api_key.name,
    help="Key for a private library [env ZOTERO_API_KEY].",
)
@click.option("--collection", default=None, help="Only this collection (its 8-letter key).")
@click.option("--max", "max_items", type=click.IntRange(min=1), default=None)
@_base_url("https://api.zotero.org")
@_PROFILE
@_JSON
@click.pass_context
@user_errors
def fetch_zotero(
    ctx: click.Context,
    user_id: str | None,
    group_id: str | None,
    api_key: str | None,
    collection: str | None,
    max_items: int | None,
    base_url: str,
    profile: str | None,
    as_json: bool,
) -> None:
    """The items of a Zotero library (notes and attachments left out). With --profile,
    your library becomes (part of) your reading profile."""
    from paperfeed.fetch import zotero_items

    result = zotero_items(
        _client(ctx),
        user=user_id,
        group=group_id,
        api_key=api_key,
        collection=collection,
        max_items=max_items,
        base_url=base_url,
    )
    _report(_store_result(ctx, "zotero", result, profile=profile), as_json)


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
    from paperfeed.fetch import resolve_ids
    from paperfeed.sources import parse_path

    wanted = list(items)
    issues: list[ParseIssue] = []
    for f in files:
        listing = parse_path(f, "ids")
        issues += [i for i in listing.issues if i.skipped]
        for p in listing.papers:
            wanted.append(p.id.removeprefix("doi:") + (f"v{p.version}" if p.version else ""))
    if not wanted and not issues:
        raise click.UsageError("give ids, or --file with one id per line")
    result = resolve_ids(
        _client(ctx),
        wanted,
        arxiv_url=arxiv_url,
        openalex_url=openalex_url,
        mailto=(ctx.find_object(dict) or {}).get("contact") or ENV.contact.read(),
    )
    result = ParseResult(result.papers, issues + result.issues, "ids")
    _report(_store_result(ctx, "ids", result, profile=profile), as_json)


COMMANDS: tuple[click.Command, ...] = (parse_cmd, author_cmd, fetch_group)
