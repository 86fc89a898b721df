"""Commands about papers and profiles: ``init``, ``ingest``, ``profile add/list/remove``,
``parse`` (check a file) and ``author`` (the people behind a name)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from paperfeed.cli.common import (
    app,
    config,
    echo_issues,
    format_option,
    iso_date,
    json_option,
    report,
    user_errors,
    user_option,
)
from paperfeed.services import FORMATS, add_from_collections


@click.command()
@click.pass_context
@user_errors
def init(ctx: click.Context) -> None:
    """Create the home directory and its store (safe to run again)."""
    cfg, library = config(ctx), app(ctx)
    n = library.count_papers()
    click.echo(f"paperfeed home: {cfg.home} (store {library.location}, {n} papers)")


@click.group()
def profile() -> None:
    """Manage what a user has written or liked."""


@profile.command("add")
@click.argument("items", nargs=-1, required=True)
@user_option
@format_option
@click.option(
    "--collection",
    "collections",
    multiple=True,
    metavar="NAME_OR_KEY",
    help="Zotero exports: only items of this collection and its sub-collections (its name, "
    "Parent/Child path or key, any case; repeatable).",
)
@click.option(
    "--ignore-collection",
    "ignored",
    multiple=True,
    metavar="NAME_OR_KEY",
    help="Zotero exports: leave out this collection and its sub-collections (repeatable).",
)
@json_option()
@click.pass_context
@user_errors
def profile_add(
    ctx: click.Context,
    items: tuple[str, ...],
    user: str,
    fmt: str | None,
    collections: tuple[str, ...],
    ignored: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add papers to a profile: files (pasted abstracts, JSONL, …), `-` for standard
    input, or arXiv ids / DOIs of papers already in the store. With --collection or
    --ignore-collection the ITEMS are Zotero exports that name their collections (Zotero
    API items, Better BibTeX JSON)."""
    if collections or ignored:
        paths = [Path(i) for i in items]
        summary = add_from_collections(
            app(ctx), user, paths, include=collections, ignore=ignored, fmt=fmt
        )
    else:
        stdin = sys.stdin.read() if "-" in items else None
        summary = app(ctx).profile_add(user, list(items), fmt=fmt, stdin=stdin)
    report(summary, as_json)


@profile.command("list")
@user_option
@click.pass_context
@user_errors
def profile_list(ctx: click.Context, user: str) -> None:
    """List the papers in a profile."""
    from paperfeed.display import readable, shorten

    for p in app(ctx).profile(user):
        click.echo(f"{p.id:<28} {shorten(readable(p.display_title), 70)}")


@profile.command("remove")
@click.argument("paper_id")
@user_option
@click.pass_context
@user_errors
def profile_remove(ctx: click.Context, paper_id: str, user: str) -> None:
    """Remove a paper from a profile."""
    app(ctx).profile_remove(user, paper_id)
    click.echo(f"removed {paper_id} from {user}'s profile")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@format_option
@click.option("--since", callback=iso_date, help="Keep only papers dated on or after YYYY-MM-DD.")
@click.option(
    "--last-days",
    type=click.IntRange(min=1),
    help="Keep only the last N days of the file (counted back from its newest date).",
)
@click.option(
    "--embed/--no-embed",
    default=True,
    show_default=True,
    help="Embed the new papers now (else on first use).",
)
@json_option()
@click.pass_context
@user_errors
def ingest(
    ctx: click.Context,
    path: Path,
    fmt: str | None,
    since: str | None,
    last_days: int | None,
    embed: bool,
    as_json: bool,
) -> None:
    """Store the papers of a file (JSONL corpora, gzipped or not, and other formats).

    Re-running it is safe: known papers are merged, newer versions win.
    """
    summary = app(ctx).ingest(path, fmt=fmt, since=since, last_days=last_days, embed=embed)
    report(summary, as_json)


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
    from paperfeed.services.papers import parse_input

    stdin = sys.stdin.read() if str(path) == "-" else None
    result = parse_input(str(path), fmt, ref_year=ref_year, stdin=stdin)
    for paper in result.papers:
        click.echo(json.dumps(paper.to_json(), ensure_ascii=False))
    echo_issues(result.issues, limit=len(result.issues))
    skipped = sum(1 for i in result.issues if i.skipped)
    notes = len(result.issues) - skipped
    click.echo(
        f"{path}: {len(result.papers)} papers ({result.format or 'nothing to parse'}), "
        f"{skipped} skipped, {notes} notes",
        err=True,
    )


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
@json_option("Print JSON.")
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
    from paperfeed.display import readable, shorten
    from paperfeed.services.papers import author_people

    found = author_people(app(ctx), name, source=source, fmt=fmt, use_model=vectors == "model")
    echo_issues(found.issues)
    if found.note:
        click.echo(f"note: {found.note}; grouping by TF-IDF instead", err=True)
    if as_json:
        click.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=1))
        return
    people = found.people
    click.echo(f"{name}: {len(found.papers)} papers, {len(people)} people ({found.source})")
    if found.topic_only:
        click.echo(
            "(these papers name no coauthors, so the people are told apart by topic alone; "
            "a listing with author lists separates them better)"
        )
    for k, person in enumerate(people, 1):
        n = len(person.papers)
        click.echo(f"\n{k}. {person.label}  ({n} paper{'s' if n != 1 else ''})")
        for p in person.papers:
            when = f" {p.date}" if p.date else ""
            click.echo(f"   {p.id:<26} {shorten(readable(p.display_title), 72)}{when}")


COMMANDS: tuple[click.Command, ...] = (init, profile, ingest, parse_cmd, author_cmd)
