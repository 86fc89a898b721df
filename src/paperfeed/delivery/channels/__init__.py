"""Chat channels besides e-mail and feeds, one module per kind behind one small interface
(:class:`~paperfeed.delivery.channels.base.Channel`): Slack, Discord, Matrix, ntfy and a
generic JSON webhook. :func:`open_channel` makes the channel a user's config.toml describes;
:func:`webhook_client` the HTTP client they share in a run; :func:`check_channels` finds a
missing secret before anything is sent; :func:`probe` whether a channel's host answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from paperfeed.delivery.channels.base import Channel, ChannelError, Outgoing, WebhookChannel
from paperfeed.delivery.channels.discord import DiscordChannel
from paperfeed.delivery.channels.generic import JsonChannel
from paperfeed.delivery.channels.matrix import MatrixChannel
from paperfeed.delivery.channels.ntfy import NtfyChannel
from paperfeed.delivery.channels.slack import SlackChannel
from paperfeed.fetch.http import Clock, HttpClient, RetryPolicy, Sleep
from paperfeed.settings import ChannelSettings, UserDelivery, WebhookSettings, resolve_channel

__all__ = [
    "KINDS",
    "Channel",
    "ChannelError",
    "Outgoing",
    "check_channels",
    "open_channel",
    "probe",
    "webhook_client",
]

KINDS: Mapping[str, type[WebhookChannel]] = {
    "slack": SlackChannel,
    "discord": DiscordChannel,
    "matrix": MatrixChannel,
    "ntfy": NtfyChannel,
    "json": JsonChannel,
}
MAX_RETRY_AFTER = 120.0
"""Longest wait a channel's ``Retry-After`` gets before the next try (seconds)."""


def webhook_client(
    cfg: WebhookSettings, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
) -> HttpClient:
    """The HTTP client of a run's channels: ``cfg``'s time-out and retries, no spacing
    between requests (a run sends a handful; servers that want fewer say so with 429 and
    ``Retry-After``, which is honoured up to :data:`MAX_RETRY_AFTER`)."""
    return HttpClient(
        timeout=cfg.timeout,
        deadline=max(3 * cfg.timeout, 30.0),
        max_bytes=1024 * 1024,
        intervals={"*": 0.0},
        retry=RetryPolicy(
            retries=cfg.retries, backoff=cfg.backoff, max_retry_after=MAX_RETRY_AFTER
        ),
        clock=clock,
        sleep=sleep,
    )


def open_channel(settings: ChannelSettings, client: HttpClient) -> WebhookChannel:
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
