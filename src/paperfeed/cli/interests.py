"""``paperfeed interests``: the interests of a profile, named, and renaming them."""

from __future__ import annotations

import json

import click

from paperfeed.cli.common import app, json_option, user_errors, user_option


@click.group("interests", invoke_without_command=True)
@user_option
@json_option("Print JSON.")
@click.pass_context
@user_errors
def interests_group(ctx: click.Context, user: str, as_json: bool) -> None:
    """List the interests of a profile: its papers (and upvotes) clustered as ranking clusters
    them, each named after its most central paper or as you renamed it. Digests and feeds
    group recommendations under these names."""
    if ctx.invoked_subcommand is not None:
        return
    found = app(ctx).interests(user)
    if as_json:
        rows = [
            {"number": it.index + 1, "name": it.name, "papers": list(it.paper_ids)} for it in found
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for it in found:
        n = len(it.paper_ids)
        click.echo(f"{it.index + 1:>3}. {it.name}  ({n} paper{'s' if n != 1 else ''})")
    click.echo(f"\nrename one: paperfeed interests rename --user {user} NUMBER NAME", err=True)


@interests_group.command("rename")
@click.argument("number", type=click.IntRange(min=1))
@click.argument("name", required=False)
@click.option("--reset", is_flag=True, help="Go back to the derived name.")
@user_option
@click.pass_context
@user_errors
def rename_cmd(ctx: click.Context, number: int, name: str | None, reset: bool, user: str) -> None:
    """Give interest NUMBER (as `paperfeed interests` lists it) the name NAME; it keeps the
    name from day to day while its first paper stays in the profile."""
    if (name is None) == (not reset):
        raise click.UsageError("give a NAME, or --reset")
    it = app(ctx).rename_interest(user, number, None if reset else name)
    click.echo(f"{user}: interest {number} is now “{it.name}”")


COMMANDS: tuple[click.Command, ...] = (interests_group,)
