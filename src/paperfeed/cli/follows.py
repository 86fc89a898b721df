"""Followed authors: ``follow``, ``unfollow`` and ``following``."""

from __future__ import annotations

import json

import click

from paperfeed.cli.common import app, json_option, user_errors, user_option
from paperfeed.display import readable, shorten

_SHOWN_PAPERS = 2
"""Papers listed per person when a name is several people."""


@click.command()
@click.argument("name")
@click.option(
    "--paper",
    "paper",
    metavar="ID",
    default=None,
    help="One of the person's papers in the store (arXiv id or DOI): picks who, when the "
    "name is several people.",
)
@user_option
@click.pass_context
@user_errors
def follow(ctx: click.Context, name: str, paper: str | None, user: str) -> None:
    """Follow the person called NAME: their new papers are always in your recommendations,
    digests and feeds, marked "by NAME, whom you follow".

    NAME is found in the store as `paperfeed author NAME` finds it. When it is several
    people, they are listed with a few papers each and nothing is followed: run again with
    --paper ID, one of the papers of the person you mean. A new paper is theirs when it
    shares a coauthor with them, or is very close to one of their papers in topic (and not
    closer to the name's other people). Following a name again replaces the person followed.
    """
    from paperfeed.services.follows import AmbiguousName, follow

    try:
        done = follow(app(ctx), user, name, paper)
    except AmbiguousName as exc:
        click.echo(f"{name}: {len(exc.people)} people in the store")
        for k, person in enumerate(exc.people, 1):
            n = len(person.papers)
            click.echo(f"\n{k}. {person.label}  ({n} paper{'s' if n != 1 else ''})")
            for p in person.papers[:_SHOWN_PAPERS]:
                when = f" {p.date}" if p.date else ""
                click.echo(f"   --paper {p.id:<20} {shorten(readable(p.display_title), 64)}{when}")
        click.echo("")
        raise
    person = done.person
    n = len(person.paper_ids)
    among = f", one of {done.people} people of that name" if done.people > 1 else ""
    again = "" if done.new else " (in place of the one followed before)"
    click.echo(
        f"{user} follows {person.name}{again}: {done.label} "
        f"({n} paper{'s' if n != 1 else ''}{among})"
    )


@click.command()
@click.argument("name")
@user_option
@click.pass_context
@user_errors
def unfollow(ctx: click.Context, name: str, user: str) -> None:
    """Stop following NAME (as `paperfeed following` lists it; any case or word order)."""
    from paperfeed.services.follows import unfollow

    person = unfollow(app(ctx), user, name)
    click.echo(f"{user} no longer follows {person.name}")


@click.command()
@user_option
@json_option("Print JSON: one object per person with their papers' ids and coauthors.")
@click.pass_context
@user_errors
def following(ctx: click.Context, user: str, as_json: bool) -> None:
    """List the people you follow, each with how many papers identify them."""
    from paperfeed.services.follows import following

    people = following(app(ctx), user)
    if as_json:
        rows = [
            {
                "name": p.name,
                "paper_ids": list(p.paper_ids),
                "coauthors": list(p.coauthors),
                "followed_at": p.followed_at,
            }
            for p in people
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not people:
        click.echo(f'{user} follows nobody yet (paperfeed follow "NAME")')
        return
    for p in people:
        n = len(p.paper_ids)
        since = f", since {p.followed_at[:10]}" if p.followed_at else ""
        click.echo(
            f"{p.name}: {n} paper{'s' if n != 1 else ''}, {len(p.coauthors)} coauthors{since}"
        )


COMMANDS: tuple[click.Command, ...] = (follow, unfollow, following)
