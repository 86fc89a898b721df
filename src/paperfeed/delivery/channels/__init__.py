"""Chat channels besides e-mail and feeds, one module per kind behind one small interface
(:class:`~paperfeed.delivery.channels.base.Channel`): Slack, Discord, Matrix, ntfy and a
generic JSON webhook. :func:`open_channel` makes the channel a user's config.toml describes
(posting through a run's :class:`~paperfeed.fetch.webhooks.WebhookSender`);
:func:`check_channels` finds a missing secret before anything is sent; :func:`probe` tells
whether a channel's host answers."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from paperfeed.delivery.channels.base import Channel, ChannelError, Outgoing, WebhookChannel
from paperfeed.delivery.channels.discord import DiscordChannel
from paperfeed.delivery.channels.generic import JsonChannel
from paperfeed.delivery.channels.matrix import MatrixChannel
from paperfeed.delivery.channels.ntfy import NtfyChannel
from paperfeed.delivery.channels.slack import SlackChannel
from paperfeed.fetch.webhooks import WebhookSender
from paperfeed.settings import ChannelSettings, UserDelivery, resolve_channel

__all__ = [
    "KINDS",
    "Channel",
    "ChannelError",
    "Outgoing",
    "check_channels",
    "open_channel",
    "probe",
]

KINDS: Mapping[str, type[WebhookChannel]] = {
    "slack": SlackChannel,
    "discord": DiscordChannel,
    "matrix": MatrixChannel,
    "ntfy": NtfyChannel,
    "json": JsonChannel,
}


def open_channel(settings: ChannelSettings, client: WebhookSender) -> WebhookChannel:
    """The channel ``settings`` describes, its secrets read from the environment
    (:class:`~paperfeed.settings.ConfigError` when one is missing)."""
    return KINDS[settings.kind](resolve_channel(settings), client)


def check_channels(users: Iterable[UserDelivery]) -> int:
    """Check that every channel's ``url_env``/``token_env`` variable is set (and holds a
    URL): one :class:`~paperfeed.settings.ConfigError` line before anything is sent.
    Returns how many channels there are."""
    n = 0
    for user in users:
        for channel in user.channels:
            resolve_channel(channel)
            n += 1
    return n


def probe(settings: ChannelSettings, timeout: float = 5.0) -> str | None:
    """Why ``settings``'s host cannot be reached (no such host, refused, no answer), or None
    when a TCP connection opens; sends nothing."""
    parts = urlsplit(resolve_channel(settings).url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror:
        return f"{host}: unknown host"
    except ConnectionRefusedError:
        return f"{host}:{port} refused the connection"
    except TimeoutError:
        return f"{host}:{port} did not answer within {timeout:g} s"
    except OSError as exc:
        return f"{host}:{port}: {exc.strerror or exc}"
