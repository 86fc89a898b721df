"""Ranking commands: ``recommend``, ``calibrate``, ``rate``, ``search``, ``similar``, the batch
protocol ``rank`` and ``model prepare``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from paperfeed.cli.common import (
    F,
    app,
    config,
    iso_date,
    top_option,
    user_errors,
    user_option,
    write_atomically,
)
from paperfeed.cli.embed import ray_option
from paperfeed.models import RATING_VALUES, Recommendation


def _emit(
    recs: list[Recommendation], fmt: str, output: Path | None, title: str, subtitle: str
) -> None:
    from paperfeed.digest.html import render_html
    from paperfeed.display import table

    if fmt == "json":
        from paperfeed.digest.json_items import recommendation_json

        text = json.dumps([recommendation_json(r) for r in recs], ensure_ascii=False, indent=1)
    elif fmt == "html":
        text = render_html(recs, title=title, subtitle=subtitle)
    elif fmt == "text":
        from paperfeed.digest.email import sections
        from paperfeed.digest.text import digest_text

        text = digest_text(title, subtitle, sections(recs)).rstrip("\n")
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        text = table(recs, width=width) if recs else "nothing to recommend"
    if output is None:
        click.echo(text)
    else:
        write_atomically(output, text)
        click.echo(f"wrote {fmt} to {output}", err=True)


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "text", "json", "html"]),
    default="table",
    show_default=True,
    help="Output format: table (for this terminal's width), text (the plain-text digest, "
    "grouped by interest and wrapped at 78 columns, for cron mail and pipes), json, html.",
)
_OUTPUT = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)


def _window(fn: F) -> F:
    """--since / --until / --days: which listings are candidates."""
    for opt in reversed(
        [
            click.option(
                "--since", callback=iso_date, help="Candidates listed on or after YYYY-MM-DD."
            ),
            click.option("--until", callback=iso_date, help="Candidates listed before YYYY-MM-DD."),
            click.option(
                "--days",
                type=click.IntRange(min=1),
                default=None,
                help="Without --since: the last N days of listings in the store [default 7].",
            ),
        ]
    ):
        fn = opt(fn)
    return fn


@click.command()
@user_option
@_window
@top_option(20)
@_FORMAT
@_OUTPUT
@click.option(
    "--rerank/--no-rerank",
    default=None,
    help="Let the [tldr] chat endpoint re-order the top users.NAME.rerank_top papers by "
    "users.NAME.interest_statement (any failure keeps the ranker's order) [default: "
    "users.NAME.rerank of config.toml].",
)
@click.pass_context
@user_errors
def recommend(
    ctx: click.Context,
    user: str,
    since: str | None,
    until: str | None,
    days: int | None,
    top: int,
    fmt: str,
    output: Path | None,
    rerank: bool | None,
) -> None:
    """Rank recent papers for a user, each with why it was picked."""
    lib = app(ctx)
    since, until = lib.candidate_window(since, until, days)
    recs = lib.recommend(user, since=since, until=until, top=top, rerank=rerank)
    window = f"papers listed since {since}" + (f" until {until}" if until else "")
    _emit(recs, fmt, output, f"paperfeed: {len(recs)} papers for {user}", window)
    if lib.reranker.stats.asked:
        click.echo(lib.reranker.stats.line(), err=True)


@click.command()
@user_option
@_window
@top_option(5)
@_FORMAT
@_OUTPUT
@click.pass_context
@user_errors
def calibrate(
    ctx: click.Context,
    user: str,
    since: str | None,
    until: str | None,
    days: int | None,
    top: int,
    fmt: str,
    output: Path | None,
) -> None:
    """The few papers whose rating would teach your feed most: the ones at the edge of what
    it would show, as unlike each other as possible. Rate them with `paperfeed rate`."""
    lib = app(ctx)
    since, until = lib.candidate_window(since, until, days)
    recs = lib.calibrate(user, since=since, until=until, k=top)
    _emit(recs, fmt, output, f"paperfeed: {len(recs)} papers to rate for {user}", "calibration")
    if fmt == "table" and recs and output is None:
        click.echo(f"\nrate them: paperfeed rate --user {user} ID up|down", err=True)


@click.command()
@click.argument("paper_id")
@click.argument("value", type=click.Choice(list(RATING_VALUES)))
@user_option
@click.pass_context
@user_errors
def rate(ctx: click.Context, paper_id: str, value: str, user: str) -> None:
    """Rate a paper (up, down, saved, opened); the next ranking follows."""
    from paperfeed.display import readable, shorten

    paper = app(ctx).rate(user, paper_id, value)
    click.echo(f"{user}: {value} {paper.id} “{shorten(readable(paper.display_title), 80)}”")


@click.command()
@click.argument("query", nargs=-1, required=True)
@top_option(20)
@_FORMAT
@_OUTPUT
@click.pass_context
@user_errors
def search(
    ctx: click.Context, query: tuple[str, ...], top: int, fmt: str, output: Path | None
) -> None:
    """Keyword + semantic search over the stored papers: the full-text and the
    nearest-neighbour top 100 fused by reciprocal rank."""
    text = " ".join(query)
    recs = app(ctx).search(text, top=top)
    _emit(recs, fmt, output, f"paperfeed search: {text}", f"{len(recs)} results")


@click.command()
@click.argument("paper_id")
@top_option(10)
@_FORMAT
@_OUTPUT
@click.pass_context
@user_errors
def similar(ctx: click.Context, paper_id: str, top: int, fmt: str, output: Path | None) -> None:
    """Papers in the store most similar to one paper."""
    recs = app(ctx).similar(paper_id, top=top)
    _emit(recs, fmt, output, f"paperfeed: similar to {paper_id}", f"{len(recs)} papers")


@click.command("rank")
@click.option(
    "--profiles",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL, one line per user: {"user", "papers": [paper…], "negatives": [paper…]?}.',
)
@click.option(
    "--candidates",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL, one paper per line: {"id", "title", "abstract", "date"?, "authors"?, '
    '"categories"?}.',
)
@top_option(20)
@ray_option("Rank the users in parallel on Ray (the same lines as without it).")
@click.pass_context
@user_errors
def rank_cmd(
    ctx: click.Context, profiles: Path, candidates: Path, top: int, ray_address: str | None
) -> None:
    """Batch ranking protocol: one JSON line per user on standard output,
    {"user", "ranking": [[paper_id, score], …]} best first (--top 0: every candidate).

    Needs no `init`; embeddings are cached under the home directory, and ranking is the
    same code as `recommend`.
    """
    from paperfeed.protocol import read_candidates, read_profiles

    users = read_profiles(profiles)
    cands = read_candidates(candidates)
    if ray_address is not None:
        from paperfeed.services.batch import rank_profiles_ray

        lines = rank_profiles_ray(app(ctx), users, cands, top=top, ray_address=ray_address)
    else:
        lines = app(ctx).rank_profiles(users, cands, top=top)
    for line in lines:
        click.echo(json.dumps(line))


@click.group()
def model() -> None:
    """The embedding model."""


@model.command("prepare")
@click.pass_context
@user_errors
def model_prepare(ctx: click.Context) -> None:
    """Build the quantized ONNX model from the packaged weights (done once, then cached)."""
    from paperfeed.services import prepare_model

    click.echo(f"model ready: {prepare_model(config(ctx).model_cache)}")


COMMANDS: tuple[click.Command, ...] = (
    recommend,
    calibrate,
    rate,
    search,
    similar,
    rank_cmd,
    model,
)
