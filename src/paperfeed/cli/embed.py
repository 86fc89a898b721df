"""``paperfeed embed``: give every stored paper a vector of the configured model, in this
process or on Ray (``--ray [ADDRESS]``); and the ``--ray`` option that ``rank`` and ``daily``
share."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from paperfeed.cli import common
from paperfeed.cli.common import F, json_option, user_errors


def ray_option(help: str) -> Callable[[F], F]:
    """``--ray [ADDRESS]``: None without it, ``"local"`` alone (a Ray of this machine's own,
    on 127.0.0.1, stopped afterwards), else the address of a Ray cluster to join."""
    from paperfeed.services.batch import LOCAL

    return click.option(
        "--ray",
        "ray_address",
        is_flag=False,
        flag_value=LOCAL,
        default=None,
        metavar="[ADDRESS]",
        help=help + " Alone: a local Ray on 127.0.0.1 (2 CPUs); with ADDRESS: join that cluster"
        " (needs paperfeed[ray]).",
    )


@click.command("embed")
@ray_option("Embed with Ray Data, one model per actor.")
@click.option(
    "--actors",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="With --ray: how many model actors.",
)
@json_option()
@click.pass_context
@user_errors
def embed_cmd(ctx: click.Context, ray_address: str | None, actors: int, as_json: bool) -> None:
    """Embed every stored paper that has no vector of the configured model yet (an ingest
    with --no-embed, a new model, a backfill), reading them from the store a page at a time,
    then build the model's approximate index. Safe to stop and run again: finished batches
    are kept, and the next run embeds only the rest."""
    from paperfeed.services.batch import embed_store

    report = embed_store(common.app(ctx), ray_address=ray_address, actors=actors)
    click.echo(json.dumps(report.to_json()) if as_json else report.line())


COMMANDS: tuple[click.Command, ...] = (embed_cmd,)
