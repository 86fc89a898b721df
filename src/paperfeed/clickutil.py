"""What every command module shares: user errors as one line, and date options."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

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
