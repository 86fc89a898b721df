"""Command line: a thin Click layer over :mod:`paperfeed.services`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from paperfeed.clickutil import F, iso_date, user_errors
from paperfeed.models import RATING_VALUES, Recommendation
from paperfeed.settings import ENV, HELP_ENV, Settings

_SETTINGS_HELP = "\b\n" + "\n".join(f"{s.name}: {s.help} (default {s.default})" for s in HELP_ENV)


def user_option(fn: F) -> F:
    return click.option(
        "--user",
        "-u",
        default=lambda: ENV.user.read() or ENV.user.default,
        show_default="$PAPERFEED_USER or 'default'",
        help="Whose profile and ratings to use.",
    )(fn)


def top_option(default: int) -> Callable[[F], F]:
    return click.option(
        "--top",
        "-k",
        default=default,
        show_default=True,
        type=click.IntRange(min=0),
        help="How many papers to show.",
    )


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Settings (environment variables):\n\n" + _SETTINGS_HELP,
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ENV.home.name,
    default=None,
    help="Directory of the store and settings [env PAPERFEED_HOME; default ~/.paperfeed].",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.version_option(package_name="paperfeed")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, quiet: bool) -> None:
    """paperfeed: a self-hosted, personalized research-paper recommender.

    \b
    Typical day:
      paperfeed init
      paperfeed profile add my-abstracts.txt          # what you wrote or liked
      paperfeed ingest arxiv-listing.jsonl.gz         # the new papers
      paperfeed recommend --top 20                     # ranked and explained
      paperfeed rate 2501.01234 up                     # feedback changes the next ranking
    """
    ctx.obj = {"config": Settings.load(home), "progress": not quiet and sys.stderr.isatty()}


def _app(ctx: click.Context) -> Any:
    """The services object over this home's store (opened lazily, closed with the command),
    embedding with the model config.toml names (read when the first text is embedded)."""
    from paperfeed.services import Paperfeed
    from paperfeed.store import open_store

    settings: Settings = ctx.obj["config"]
    store = open_store(settings.db_path)
    ctx.call_on_close(store.close)
    return Paperfeed(store=store, embedder_factory=settings.embedder, progress=ctx.obj["progress"])


@cli.command()
@click.pass_context
@user_errors
def init(ctx: click.Context) -> None:
    """Create the home directory and its store (safe to run again)."""
    from paperfeed.store import open_store

    cfg: Settings = ctx.obj["config"]
    with open_store(cfg.db_path) as store:
        n = store.count_papers()
    click.echo(f"paperfeed home: {cfg.home} (store {cfg.db_path}, {n} papers)")


@cli.group()
def profile() -> None:
    """Manage what a user has written or liked."""


@profile.command("add")
@click.argument("items", nargs=-1, required=True)
@user_option
@click.option("--format", "fmt", default=None, help="Input format (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.pass_context
@user_errors
def profile_add(
    ctx: click.Context, items: tuple[str, ...], user: str, fmt: str | None, as_json: bool
) -> None:
    """Add papers to a profile: files (pasted abstracts, JSONL, …), `-` for standard
    input, or arXiv ids / DOIs of papers already in the store."""
    app = _app(ctx)
    stdin = sys.stdin.read() if "-" in items else None
    summary = app.profile_add(user, list(items), fmt=fmt, stdin=stdin)
    _report(summary, as_json)


@profile.command("list")
@user_option
@click.pass_context
@user_errors
def profile_list(ctx: click.Context, user: str) -> None:
    """List the papers in a profile."""
    from paperfeed.display import readable, shorten

    app = _app(ctx)
    for p in app.store.profile_papers(user):
        click.echo(f"{p.id:<28} {shorten(readable(p.display_title), 70)}")


@profile.command("remove")
@click.argument("paper_id")
@user_option
@click.pass_context
@user_errors
def profile_remove(ctx: click.Context, paper_id: str, user: str) -> None:
    """Remove a paper from a profile."""
    app = _app(ctx)
    if not app.store.remove_profile_paper(user, paper_id):
        raise click.ClickException(f"{paper_id}: not in the profile of {user!r}")
    click.echo(f"removed {paper_id} from {user}'s profile")


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", default=None, help="Input format (default: detected).")
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
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
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
    app = _app(ctx)
    summary = app.ingest(path, fmt=fmt, since=since, last_days=last_days, embed=embed)
    _report(summary, as_json)


def _report(summary: Any, as_json: bool) -> None:
    for issue in summary.issues[:20]:
        click.echo(f"skipped {issue.where}: {issue.message}", err=True)
    if len(summary.issues) > 20:
        click.echo(f"… and {len(summary.issues) - 20} more skipped entries", err=True)
    click.echo(json.dumps(summary.to_json()) if as_json else summary.line())


def _emit(
    recs: list[Recommendation], fmt: str, output: Path | None, title: str, subtitle: str
) -> None:
    from paperfeed.digest.html import render_html
    from paperfeed.display import table

    if fmt == "json":
        text = json.dumps([_rec_json(r) for r in recs], ensure_ascii=False, indent=1)
    elif fmt == "html":
        text = render_html(recs, title=title, subtitle=subtitle)
    else:
        text = table(recs) if recs else "nothing to recommend"
    if output is None:
        click.echo(text)
    else:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
        click.echo(f"wrote {fmt} to {output}", err=True)


def _rec_json(r: Recommendation) -> dict[str, Any]:
    e = r.explanation
    return {
        "rank": r.rank,
        "score": round(r.score, 6),
        "paper": r.paper.to_json(),
        "explanation": {
            "closest_id": e.closest_id,
            "closest_title": e.closest_title,
            "similarity": round(e.similarity, 4),
            "shared_terms": list(e.shared_terms),
            "interest": e.interest,
            "text": e.sentence(),
        },
        "components": {k: round(v, 4) for k, v in r.components.items()},
    }


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "html"]),
    default="table",
    show_default=True,
    help="Output format.",
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


@cli.command()
@user_option
@_window
@top_option(20)
@_FORMAT
@_OUTPUT
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
) -> None:
    """Rank recent papers for a user, each with why it was picked."""
    app = _app(ctx)
    since, until = app.candidate_window(since, until, days)
    recs = app.recommend(user, since=since, until=until, top=top)
    window = f"papers listed since {since}" + (f" until {until}" if until else "")
    _emit(recs, fmt, output, f"paperfeed: {len(recs)} papers for {user}", window)


@cli.command()
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
    app = _app(ctx)
    since, until = app.candidate_window(since, until, days)
    recs = app.calibrate(user, since=since, until=until, k=top)
    _emit(recs, fmt, output, f"paperfeed: {len(recs)} papers to rate for {user}", "calibration")
    if fmt == "table" and recs and output is None:
        click.echo(f"\nrate them: paperfeed rate --user {user} ID up|down", err=True)


@cli.command()
@click.argument("paper_id")
@click.argument("value", type=click.Choice(list(RATING_VALUES)))
@user_option
@click.pass_context
@user_errors
def rate(ctx: click.Context, paper_id: str, value: str, user: str) -> None:
    """Rate a paper (up, down, saved, opened); the next ranking follows."""
    app = _app(ctx)
    paper = app.rate(user, paper_id, value)
    click.echo(f"{user}: {value} {paper.id}")


@cli.command()
@click.argument("query", nargs=-1, required=True)
@top_option(20)
@_FORMAT
@_OUTPUT
@click.pass_context
@user_errors
def search(
    ctx: click.Context, query: tuple[str, ...], top: int, fmt: str, output: Path | None
) -> None:
    """Keyword + semantic search over the stored papers."""
    app = _app(ctx)
    text = " ".join(query)
    recs = app.search(text, top=top)
    _emit(recs, fmt, output, f"paperfeed search: {text}", f"{len(recs)} results")


@cli.command()
@click.argument("paper_id")
@top_option(10)
@_FORMAT
@_OUTPUT
@click.pass_context
@user_errors
def similar(ctx: click.Context, paper_id: str, top: int, fmt: str, output: Path | None) -> None:
    """Papers in the store most similar to one paper."""
    app = _app(ctx)
    recs = app.similar(paper_id, top=top)
    _emit(recs, fmt, output, f"paperfeed: similar to {paper_id}", f"{len(recs)} papers")


@cli.command("rank")
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
@click.pass_context
@user_errors
def rank_cmd(ctx: click.Context, profiles: Path, candidates: Path, top: int) -> None:
    """Batch ranking protocol: one JSON line per user on standard output,
    {"user", "ranking": [[paper_id, score], …]} best first (--top 0: every candidate).

    Needs no `init`; embeddings are cached under the home directory, and ranking is the
    same code as `recommend`.
    """
    from paperfeed.embed import get_embedder
    from paperfeed.protocol import read_candidates, read_profiles
    from paperfeed.services import rank_batch
    from paperfeed.store import open_store

    cfg: Settings = ctx.obj["config"]
    users = read_profiles(profiles)
    cands = read_candidates(candidates)
    with open_store(cfg.db_path) as store:
        embedder = get_embedder(cache_dir=cfg.model_cache)
        for line in rank_batch(
            store, embedder, users, cands, top=top, progress=ctx.obj["progress"]
        ):
            click.echo(json.dumps(line))


@cli.group()
def model() -> None:
    """The embedding model."""


@model.command("prepare")
@click.pass_context
@user_errors
def model_prepare(ctx: click.Context) -> None:
    """Build the quantized ONNX model from the packaged weights (done once, then cached)."""
    from paperfeed.embed.minilm import prepare

    cfg: Settings = ctx.obj["config"]
    click.echo(f"model ready: {prepare(cfg.model_cache)}")


def _register_plugins() -> None:
    from paperfeed.commands import register
    from paperfeed.evaluation.cli import eval_group

    register(cli)
    cli.add_command(eval_group)


_register_plugins()


def main() -> None:
    """Entry point: user errors are one line; anything else too, unless PAPERFEED_DEBUG=1."""
    try:
        cli(standalone_mode=True)
    except BrokenPipeError:
        # the reader went away (`paperfeed parse FILE | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as e:
        if ENV.debug.read():
            raise
        click.echo(
            f"Error: {type(e).__name__}: {e} (PAPERFEED_DEBUG=1 shows the traceback)", err=True
        )
        sys.exit(1)
