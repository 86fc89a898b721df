"""Command line: a thin Click layer over :mod:`paperfeed.services` and
:mod:`paperfeed.delivery`. Each command parses its options, calls one service and prints."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from paperfeed.settings import ENV, HELP_ENV, Settings

_SETTINGS_HELP = "\b\n" + "\n".join(f"{s.name}: {s.help} (default {s.default})" for s in HELP_ENV)


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
@click.option(
    "--db",
    envvar=ENV.db.name,
    default=None,
    metavar="URL|PATH",
    help="The store: a postgresql://user@host/dbname URL or a SQLite file "
    "[env PAPERFEED_DB; default HOME/paperfeed.db].",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.version_option(package_name="paperfeed")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, db: str | None, quiet: bool) -> None:
    """paperfeed: a self-hosted, personalized research-paper recommender.

    \b
    Typical day:
      paperfeed init
      paperfeed profile add my-abstracts.txt          # what you wrote or liked
      paperfeed ingest arxiv-listing.jsonl.gz         # the new papers
      paperfeed recommend --top 20                     # ranked and explained
      paperfeed rate 2501.01234 up                     # feedback changes the next ranking
    """
    ctx.obj = {"config": Settings.load(home, db), "progress": not quiet and sys.stderr.isatty()}


def _register() -> None:
    from paperfeed.cli import (
        db,
        delivery,
        embed,
        evaluate,
        fetching,
        follows,
        interests,
        papers,
        ranking,
        train,
        users,
        web,
    )

    modules = (papers, embed, ranking, interests, follows, fetching, delivery, web, users)
    for module in (*modules, train, evaluate, db):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


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
