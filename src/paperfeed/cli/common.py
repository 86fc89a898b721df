"""What every command module shares: the library object built from the context, user errors
as one line, and the options several commands take (defined once)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from paperfeed.services import ImportSummary, Paperfeed, ParseIssue
from paperfeed.settings import ENV, Settings

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(fn: F) -> F:
    """Errors a user can cause — a bad file or field (every paperfeed user error is a
    ``ValueError``: ParseError, ProtocolError, UserError, FetchError, ConfigError, …), an
    unknown key, a missing or unreadable file — become one line and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValueError as e:
            raise click.ClickException(" ".join(str(e).split())) from None
        except KeyError as e:
            raise click.ClickException(str(e.args[0] if e.args else e)) from None
        except BrokenPipeError:
            raise  # the reader of our output went away (`… | head`): not the user's error
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            raise click.ClickException(f"{where}{e.strerror or e}") from None

    return wrapper  # type: ignore[return-value]


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: a YYYY-MM-DD option, checked and normalized (None stays None)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


# --- the library object -----------------------------------------------------------------------


def config(ctx: click.Context) -> Settings:
    """The settings the main group loaded (or the defaults, for a command run on its own)."""
    obj = ctx.find_root().obj if isinstance(ctx.find_root().obj, dict) else {}
    return obj.get("config") or Settings.load()


def progress(ctx: click.Context) -> bool:
    obj = ctx.find_root().obj if isinstance(ctx.find_root().obj, dict) else {}
    return bool(obj.get("progress"))


def app(ctx: click.Context) -> Paperfeed:
    """The library object over this home's store with the configured model: built once per
    command, closed when the command ends. The one way the CLI reaches papers and users."""
    root = ctx.find_root()
    built = root.meta.get("paperfeed.app")
    if built is None:
        built = Paperfeed.open(config(ctx), progress=progress(ctx))
        root.meta["paperfeed.app"] = built
        root.call_on_close(built.close)
    return built


# --- shared options ---------------------------------------------------------------------------


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


def json_option(help: str = "Print a machine-readable summary.") -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=help)


def format_option(fn: F) -> F:
    return click.option(
        "--format",
        "fmt",
        default=None,
        help="Input format (default: detected).",
    )(fn)


# --- shared output ----------------------------------------------------------------------------


def echo_issues(issues: Sequence[ParseIssue], limit: int = 20) -> None:
    """Problems of an import on standard error: "skipped …" or "note …", at most ``limit``."""
    for issue in issues[:limit]:
        kind = "skipped" if issue.skipped else "note"
        click.echo(f"{kind} {issue.where}: {issue.message}", err=True)
    if len(issues) > limit:
        click.echo(f"… and {len(issues) - limit} more", err=True)


def report(summary: ImportSummary, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    """An import's issues, then its summary line (or JSON)."""
    echo_issues(summary.issues)
    if as_json:
        click.echo(json.dumps({**summary.to_json(), **(extra or {})}, ensure_ascii=False))
    else:
        tail = f" ({extra['note']})" if extra and extra.get("note") else ""
        click.echo(summary.line() + tail)
    if summary.nothing_imported:
        raise click.ClickException(
            f"{summary.source}: nothing could be imported: all {summary.skipped} entries were "
            "bad (see the skipped lines above)"
        )


def write_atomically(output: Path, text: str) -> None:
    """``text`` into ``output`` through a temporary file and a rename."""
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)


class _EchoHandler(logging.Handler):
    """Log records to the current standard error (also under click's test runner)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"paperfeed: {self.format(record)}", err=True)


def log_to_stderr(level: int, name: str = "paperfeed") -> None:
    """Show the ``name`` logger's records from ``level`` up on standard error, once."""
    logger = logging.getLogger(name)
    if not any(isinstance(h, _EchoHandler) for h in logger.handlers):
        logger.addHandler(_EchoHandler())
        logger.propagate = False
    logger.setLevel(level)
