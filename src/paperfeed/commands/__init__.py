"""Click commands that plug into the main ``paperfeed`` group (``cli.add_command``)."""

from __future__ import annotations

import click

from paperfeed.commands.delivery import COMMANDS as DELIVERY_COMMANDS
from paperfeed.commands.ingestion import COMMANDS, author_cmd, fetch_group, parse_cmd

__all__ = ["COMMANDS", "DELIVERY_COMMANDS", "author_cmd", "fetch_group", "parse_cmd", "register"]


def register(group: click.Group) -> None:
    """Add every command of this package to ``group`` (``paperfeed parse/author/fetch`` and
    ``paperfeed daily/serve/feed/subscribe/config-example``)."""
    for command in (*COMMANDS, *DELIVERY_COMMANDS):
        group.add_command(command)
