"""Delivery commands: ``daily`` (fetch, rank, e-mail), ``feed`` (an RSS/Atom file),
``subscribe`` and ``config-example`` (``serve``, the links of digests and feeds, is the web
app: :mod:`paperfeed.cli.web`).

Plain click commands registered by :mod:`paperfeed.cli`: each parses its
options, builds the :class:`~paperfeed.delivery.service.Delivery` facade and calls one of its
methods. Settings come from ``<home>/config.toml`` (:mod:`paperfeed.settings`).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperfeed.cli import common
from paperfeed.cli.common import iso_date, user_errors
from paperfeed.cli.embed import ray_option
from paperfeed.settings import Settings, UserDelivery, example_toml

if TYPE_CHECKING:
    from paperfeed.delivery.service import Delivery
    from paperfeed.services import Paperfeed

# --- shared helpers ---------------------------------------------------------------------------


def _settings(ctx: click.Context) -> Settings:
    return common.config(ctx)


def _delivery(ctx: click.Context) -> Delivery:
    """The delivery facade over the library object of this command, with the link-signing
    secret; the model config.toml names is resolved here, so an unknown one fails before
    anything is fetched."""
    from paperfeed.delivery.service import Delivery
    from paperfeed.delivery.tokens import load_or_create_secret

    settings = _settings(ctx)
    lib = common.app(ctx)
    _ = lib.embedder
    return Delivery(lib, settings, load_or_create_secret(settings.home))


# --- daily ------------------------------------------------------------------------------------


@click.command("daily")
@click.option(
    "--date", "day", callback=iso_date, help="The day to deliver (default: today), YYYY-MM-DD."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Fetch and rank, but send nothing and record nothing; print what would be sent.",
)
@click.option("--no-fetch", is_flag=True, help="Skip the sources; rank what is already stored.")
@click.option(
    "--save",
    "save_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write each e-mail to DIR as a .eml file and each channel's messages as a "
    ".json file (a preview with --dry-run).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Only check config.toml, the SMTP login and that each chat channel's host answers "
    "(nothing is posted), then stop.",
)
@ray_option("Rank the users in parallel on Ray (the same digests as without it).")
@click.pass_context
@user_errors
def daily_cmd(
    ctx: click.Context,
    day: str | None,
    dry_run: bool,
    no_fetch: bool,
    save_dir: Path | None,
    check: bool,
    ray_address: str | None,
) -> None:
    """Fetch the configured sources, rank for every user with an e-mail address or a chat
    channel, and deliver each their digest to every address and channel (Slack, Discord,
    Matrix, ntfy, JSON webhook); a short status message when there is nothing new or a source
    failed.

    Safe to run again: what was delivered for a day is recorded per address and channel, so a
    second run (or one after a crash) delivers only what is missing. One status line per
    address and channel; one that fails never stops the others. The exit status is 1 when a
    delivery failed (run it again to retry). Settings: <home>/config.toml (`paperfeed
    config-example`).
    """
    from paperfeed.delivery.service import Delivery
    from paperfeed.services.rerank import check_rerank

    common.log_to_stderr(logging.WARNING)
    config = _settings(ctx).delivery
    recipients = Delivery.check(config, smtp=check or not dry_run)
    _settings(ctx).tldr.check()
    check_rerank(_settings(ctx))
    if check:
        _check_report(config.smtp.where, recipients)
        return
    day = day or date.today().isoformat()
    delivery = _delivery(ctx)
    if ray_address is not None:
        delivery.app = _on_ray(delivery, day, ray_address)
    report = delivery.run_daily(
        day=day,
        now=datetime.now(UTC),
        dry_run=dry_run,
        fetch=not no_fetch,
        save_dir=save_dir,
        report_source=lambda s: click.echo(s.line()),
        report_user=lambda u: click.echo(u.line()),
    )
    for line in (report.tldr, report.rerank):
        if line:
            click.echo(line)
    failed = report.failed
    if failed:
        raise click.ClickException(
            f"{len(failed)} of {len(report.users)} deliveries failed; run `paperfeed daily"
            f" --date {day}` again to retry them"
        )


def _check_report(smtp: str, recipients: list[UserDelivery]) -> None:
    """``daily --check``'s lines: SMTP, then whether each channel's host answers."""
    from paperfeed.delivery.channels import probe

    if any(u.emails for u in recipients):
        click.echo(f"SMTP {smtp}: ok; {len(recipients)} recipients")
    down = 0
    for user in recipients:
        for channel in user.channels:
            problem = probe(channel)
            down += problem is not None
            click.echo(f"{user.name} [{channel.name}]: {problem or 'reachable'}")
    if down:
        raise click.ClickException(f"{down} channel(s) cannot be reached")


def _on_ray(delivery: Delivery, day: str, address: str) -> Paperfeed:
    """The delivery's library object, ranking the day's due users in parallel on Ray."""
    from paperfeed.delivery.daily import ASK_PER_DIGEST
    from paperfeed.services import days_before
    from paperfeed.services.batch import ParallelRanking, RankRequest

    until = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    planned = [
        RankRequest(u.name, days_before(day, u.window_days), until, u.size, ASK_PER_DIGEST)
        for u in delivery.config.users
        if u.reachable and u.due(date.fromisoformat(day).weekday())
    ]
    return ParallelRanking.over(delivery.app, delivery.settings, planned, address)


# --- feed -------------------------------------------------------------------------------------


@click.command("feed")
@click.option("--user", "-u", required=True, help="Whose feed.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the feed to this file (atomically, for a static web server); default: stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["atom", "rss"]),
    default="atom",
    show_default=True,
    help="Atom 1.0 or RSS 2.0.",
)
@click.option(
    "--interest",
    type=click.IntRange(min=1),
    default=None,
    help="Only the papers serving interest N (as numbered in digests).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Days of listings to cover [default: digest.feed_days of config.toml].",
)
@click.pass_context
@user_errors
def feed_cmd(
    ctx: click.Context,
    user: str,
    output: Path | None,
    fmt: str,
    interest: int | None,
    days: int | None,
) -> None:
    """Write USER's recommendations as an RSS/Atom feed, with explanations and rating links."""
    from paperfeed.delivery.feedfile import write_feed_file

    recs, document = _delivery(ctx).user_feed(
        user,
        days=days,
        interest=interest - 1 if interest else None,
        fmt=fmt,
        now=datetime.now(UTC),
    )
    if output is None:
        click.echo(document, nl=False)
        return
    write_feed_file(output, document)
    click.echo(f"wrote {fmt} feed of {len(recs)} papers for {user} to {output}", err=True)


# --- subscriptions and settings ---------------------------------------------------------------


@click.command("subscribe")
@click.option("--user", "-u", required=True, help="Whose digest e-mails.")
@click.option("--off", is_flag=True, help="Unsubscribe instead (what the e-mail's link does).")
@click.pass_context
@user_errors
def subscribe_cmd(ctx: click.Context, user: str, off: bool) -> None:
    """Turn a user's digest e-mails back on (after an unsubscribe link), or off."""
    changed = _delivery(ctx).set_subscribed(user, not off)
    state = "unsubscribed from" if off else "subscribed to"
    click.echo(f"{user}: {state} digest e-mails" + ("" if changed else " (already)"))


@click.command("config-example")
def config_example_cmd() -> None:
    """Print a commented config.toml with every delivery setting (save it as
    <home>/config.toml and edit)."""
    sys.stdout.write(example_toml())


COMMANDS: tuple[click.Command, ...] = (
    daily_cmd,
    feed_cmd,
    subscribe_cmd,
    config_example_cmd,
)
