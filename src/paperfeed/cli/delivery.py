"""Delivery commands: ``daily`` (fetch, rank, e-mail), ``serve`` (rating, unsubscribe and feed
links), ``feed`` (an RSS/Atom file), ``subscribe`` and ``config-example``.

Plain click commands registered by :mod:`paperfeed.cli`; settings come from
``<home>/config.toml`` (:mod:`paperfeed.delivery_config`).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from paperfeed.cli.common import iso_date, user_errors

# --- shared helpers ---------------------------------------------------------------------------


class _EchoHandler(logging.Handler):
    """Log records to the current standard error (also under click's test runner)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"paperfeed: {self.format(record)}", err=True)


def _logging(level: int) -> None:
    logger = logging.getLogger("paperfeed")
    if not any(isinstance(h, _EchoHandler) for h in logger.handlers):
        logger.addHandler(_EchoHandler())
        logger.propagate = False
    logger.setLevel(level)


def _config(ctx: click.Context) -> Any:
    from paperfeed.config import Config

    obj = ctx.find_root().obj or {}
    return obj.get("config") or Config.load()


def _settings(ctx: click.Context) -> Any:
    from paperfeed.delivery_config import load_delivery_settings

    return load_delivery_settings(_config(ctx).home)


def _app(ctx: click.Context, settings: Any) -> Any:
    """The library object over this home's store, with the embedder config.toml names."""
    from paperfeed.delivery_config import ConfigError
    from paperfeed.embed import get_embedder
    from paperfeed.services import Paperfeed
    from paperfeed.store import open_store

    cfg = _config(ctx)
    try:
        embedder = get_embedder(settings.model, cache_dir=cfg.model_cache)
    except ValueError as e:
        raise ConfigError(f"{settings.path}: model: {e}") from None
    store = open_store(cfg.db_path)
    ctx.call_on_close(store.close)
    progress = bool((ctx.find_root().obj or {}).get("progress"))
    return Paperfeed(store=store, embedder_factory=lambda: embedder, progress=progress)


def _secret(ctx: click.Context) -> bytes:
    from paperfeed.tokens import load_or_create_secret

    return load_or_create_secret(_config(ctx).home)


@contextlib.contextmanager
def _run_lock(home: Path) -> Iterator[None]:
    """One ``daily`` at a time per home (cron overlapping a slow run would send twice)."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "daily.lock"
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException(
                f"another `paperfeed daily` is running on {home} (it holds {path})"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


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
    help="Also write each e-mail to DIR as a .eml file (a preview with --dry-run).",
)
@click.option("--check", is_flag=True, help="Only check config.toml and the SMTP login, then stop.")
@click.pass_context
@user_errors
def daily_cmd(
    ctx: click.Context,
    day: str | None,
    dry_run: bool,
    no_fetch: bool,
    save_dir: Path | None,
    check: bool,
) -> None:
    """Fetch the configured sources, rank for every user with an e-mail address and send
    each their digest (a short status e-mail when there is nothing new or a source failed).

    Safe to run again: what was delivered for a day is recorded, so a second run (or one
    after a crash) sends only what is missing. One status line per user; the exit status is
    1 when a delivery failed (run it again to retry). Settings: <home>/config.toml
    (`paperfeed config-example`).
    """
    from paperfeed.daily import run_daily
    from paperfeed.digest.send import Mailer, check_smtp

    _logging(logging.WARNING)
    settings = _settings(ctx)
    recipients = [u for u in settings.users if u.email]
    if not recipients:
        raise click.ClickException(
            f"{settings.path}: no user has an e-mail address; add a [users.NAME] table with "
            'email = "…" (`paperfeed config-example` shows one)'
        )
    if not dry_run or check:
        check_smtp(settings.smtp)
    if check:
        click.echo(f"SMTP {settings.smtp.where}: ok; {len(recipients)} recipients")
        return
    app = _app(ctx, settings)
    secret = _secret(ctx)
    day = day or date.today().isoformat()
    with _run_lock(_config(ctx).home), Mailer(settings.smtp) as mailer:
        report = run_daily(
            app,
            settings,
            secret,
            day=day,
            now=datetime.now(UTC),
            home=_config(ctx).home,
            sender=None if dry_run else mailer,
            dry_run=dry_run,
            fetch=not no_fetch,
            save_dir=save_dir,
            report_source=lambda s: click.echo(s.line()),
            report_user=lambda u: click.echo(u.line()),
        )
    failed = report.failed
    if failed:
        raise click.ClickException(
            f"{len(failed)} of {len(report.users)} deliveries failed; run `paperfeed daily"
            f" --date {day}` again to retry them"
        )


# --- serve ------------------------------------------------------------------------------------


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8787, show_default=True, help="Port."
)
@click.pass_context
@user_errors
def serve_cmd(ctx: click.Context, host: str, port: int) -> None:
    """Answer the links in digests and feeds: /rate/TOKEN (one-click thumbs up/down),
    /unsubscribe/TOKEN and /feed/TOKEN.xml (Atom; .rss for RSS 2.0; /feed/TOKEN/N.xml for
    interest N). Set base_url in config.toml to the address readers reach it at (behind a
    TLS reverse proxy when that is not this machine)."""
    from paperfeed.web.serve import make_server

    _logging(logging.INFO)
    settings = _settings(ctx)
    app = _app(ctx, settings)
    server = make_server(app, settings, _secret(ctx), host=host, port=port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"note: listening on {host}, not only this machine; serve it over HTTPS "
            "(a reverse proxy) since links carry tokens",
            err=True,
        )
    click.echo(f"serving on {server.url} (links use {settings.base_url}); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


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
    from paperfeed.daily import render_user_feed
    from paperfeed.digest.feed import write_feed_file

    settings = _settings(ctx)
    app = _app(ctx, settings)
    delivery = settings.user(user)
    top = delivery.size if delivery else settings.size
    recs = app.recommend(user, days=days or settings.feed_days, top=top)
    document = render_user_feed(
        settings,
        _secret(ctx),
        user,
        recs,
        now=datetime.now(UTC),
        interest=interest - 1 if interest else None,
        fmt=fmt,
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
    from paperfeed.feedback import EMAIL
    from paperfeed.store import open_store

    with open_store(_config(ctx).db_path) as store:
        changed = store.set_subscribed(user, EMAIL, not off)
    state = "unsubscribed from" if off else "subscribed to"
    click.echo(f"{user}: {state} digest e-mails" + ("" if changed else " (already)"))


@click.command("config-example")
def config_example_cmd() -> None:
    """Print a commented config.toml with every delivery setting (save it as
    <home>/config.toml and edit)."""
    from paperfeed.delivery_config import example_toml

    sys.stdout.write(example_toml())


COMMANDS: tuple[click.Command, ...] = (
    daily_cmd,
    serve_cmd,
    feed_cmd,
    subscribe_cmd,
    config_example_cmd,
)
