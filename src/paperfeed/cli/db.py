"""``paperfeed db``: move a store between backends (``copy``) and check one (``check``)."""

from __future__ import annotations

import click

from paperfeed.cli import common
from paperfeed.cli.common import user_errors
from paperfeed.services import check_store, copy_store


@click.group("db")
def db_group() -> None:
    """Copy a store between SQLite and PostgreSQL, or check one."""


@db_group.command("copy")
@click.option(
    "--from",
    "source",
    metavar="PATH|URL",
    default=None,
    help="The store to copy: a SQLite file or a postgresql:// URL [default: the --db store].",
)
@click.option("--to", "target", metavar="PATH|URL", required=True, help="The store to copy into.")
@click.pass_context
@user_errors
def copy(ctx: click.Context, source: str | None, target: str) -> None:
    """Copy every paper, source, alias, user, profile, rating, token nonce, delivery,
    subscription and embedding that the target lacks (a second run copies nothing), then
    compare the counts."""
    source = source or common.config(ctx).db_url
    tables = copy_store(source, target, progress=common.progress(ctx))
    width = max(len(t.table) for t in tables)
    click.echo(f"{'table':<{width}}  {'source':>9}  {'copied':>9}  {'target':>9}")
    for t in tables:
        click.echo(f"{t.table:<{width}}  {t.source:>9}  {t.copied:>9}  {t.target:>9}")
    copied = sum(t.copied for t in tables)
    click.echo(f"copied {copied} rows; every table of the target holds the source's rows")


@db_group.command("check")
@click.pass_context
@user_errors
def check(ctx: click.Context) -> None:
    """Check the store: schema version, counts, orphan rows, the backend's integrity check,
    and every paper's vector from the configured model. Exits 1 on any problem."""
    report = check_store(common.app(ctx))
    click.echo(f"store {report.location}: schema version {report.schema_version}")
    for table, n in report.counts.items():
        click.echo(f"  {table}: {n}")
    click.echo(f"papers without a {report.model} vector: {report.missing_embeddings}")
    if report.problems:
        for problem in report.problems:
            click.echo(f"problem: {problem}", err=True)
        ctx.exit(1)
    click.echo("ok")


COMMANDS: tuple[click.Command, ...] = (db_group,)
