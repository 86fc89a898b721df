"""Click commands that plug into the main ``paperfeed`` group (``cli.add_command``)."""

from __future__ import annotations

import click

from paperfeed.commands.ingestion import COMMANDS, author_cmd, fetch_group, parse_cmd

__all__ = ["COMMANDS", "author_cmd", "fetch_group", "parse_cmd", "register"]


def register(group: click.Group) -> None:
    """Add every command of this package to ``group`` (``paperfeed parse/author/fetch``)."""
    for command in COMMANDS:
        group.add_command(command)
