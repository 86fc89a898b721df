"""``paperfeed users``: accounts of the web app — add, list, passwd, remove, and personal API
tokens (token, revoke)."""

from __future__ import annotations

import sys

import click

from paperfeed.cli import common
from paperfeed.cli.common import user_errors
from paperfeed.services.accounts import Accounts


def _accounts(ctx: click.Context) -> Accounts:
    return Accounts(common.app(ctx).store)


def _password(from_stdin: bool) -> str:
    """A new password: the first line of standard input, or asked twice on the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("users")
def users_cmd() -> None:
    """Accounts of the web app (`paperfeed web`)."""


@users_cmd.command("add")
@click.argument("name")
@click.option("--email", default="", help="E-mail address for digests.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@user_errors
def add_cmd(ctx: click.Context, name: str, email: str, password_stdin: bool) -> None:
    """Create user NAME with a password (a user made by `--user NAME` keeps its data)."""
    accounts = _accounts(ctx)
    existed = accounts.exists(name)
    accounts.add(name, email, _password(password_stdin))
    click.echo(f"{'gave existing user' if existed else 'created user'} {name} a password")


@users_cmd.command("list")
@click.pass_context
@user_errors
def list_cmd(ctx: click.Context) -> None:
    """Every user: name, e-mail, whether a password is set, API tokens."""
    accounts = _accounts(ctx)
    for a in accounts.list():
        state = "password" if a.password_hash else "no password"
        tokens = len(accounts.tokens(a.name))
        click.echo(f"{a.name}\t{a.email or '-'}\t{state}\t{tokens} API token(s)")


@users_cmd.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@user_errors
def passwd_cmd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set NAME's password; NAME's browser sessions end (API tokens keep working)."""
    _accounts(ctx).set_password(name, _password(password_stdin))
    click.echo(f"password of {name} changed; {name}'s browser sessions are signed out")


@users_cmd.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@user_errors
def remove_cmd(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete NAME with profile, ratings and tokens (the papers stay in the store)."""
    if not yes:
        click.confirm(f"Delete {name} with profile and ratings?", abort=True)
    _accounts(ctx).remove(name)
    click.echo(f"removed {name}")


@users_cmd.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
@click.pass_context
@user_errors
def token_cmd(ctx: click.Context, name: str, label: str) -> None:
    """Create a personal API token for NAME; it is shown once, as the last word."""
    token = _accounts(ctx).new_token(name, label)
    click.echo(f"API token of {name} (shown once; send it as Authorization: Bearer): {token}")


@users_cmd.command("revoke")
@click.argument("name")
@click.option("--id", "token_id", type=int, default=None, help="Only this token (default: all).")
@click.pass_context
@user_errors
def revoke_cmd(ctx: click.Context, name: str, token_id: int | None) -> None:
    """Revoke NAME's API tokens (all, or one with --id)."""
    n = _accounts(ctx).revoke(name, token_id)
    click.echo(f"revoked {n} API token(s) of {name}")


COMMANDS: tuple[click.Command, ...] = (users_cmd,)
