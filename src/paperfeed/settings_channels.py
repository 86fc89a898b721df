"""Where a user's digest goes: one or several e-mail addresses (``email = [...]``) and chat
channels (``[[users.NAME.channels]]`` tables, keys in :data:`CHANNEL_FIELDS`), checked when
config.toml is read so that a bad channel is one line naming its key before anything is sent.

Pure: a secret that a ``url_env``/``token_env`` key names is looked up through the function
the caller passes to :meth:`ChannelSettings.resolved` (:func:`paperfeed.settings.resolve_channel`
passes the environment's), so the environment is still read in one module only.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from paperfeed.settings_fields import CHANNEL_FIELDS, CHANNEL_KINDS, CONFIG_FILE, ConfigError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_COMMON = frozenset({"kind", "name", "url", "url_env", "ratings"})
KIND_KEYS: Mapping[str, frozenset[str]] = {
    "slack": _COMMON,
    "discord": _COMMON,
    "matrix": _COMMON | {"room", "token", "token_env"},
    "ntfy": _COMMON | {"token", "token_env"},
    "json": _COMMON | {"token", "token_env"},
}
"""The keys each kind of channel takes."""
URL_IS_SECRET = frozenset({"slack", "discord"})
"""Kinds whose URL is itself the credential (anyone holding it can post)."""


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """How chat channels are reached (config.toml ``[webhooks]``): seconds per try, retries
    of time-outs, 429 and 5xx, and the first backoff (doubled each retry)."""

    timeout: float = 10.0
    retries: int = 3
    backoff: float = 2.0


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """One chat channel of a user as config.toml describes it; ``key`` (``users.ada.
    channels[0]``) and ``where`` (the file) name it in messages. ``url``/``token`` may still be
    to read from the variables ``url_env``/``token_env`` name: see :meth:`resolved`."""

    kind: str
    name: str
    url: str = ""
    url_env: str = ""
    token: str = ""
    token_env: str = ""
    room: str = ""
    ratings: bool = True
    key: str = ""
    where: str = CONFIG_FILE

    @property
    def inline_secret(self) -> bool:
        """Whether config.toml itself holds a secret of this channel (then it must be chmod
        600): a token, or the URL of a kind whose URL is the credential."""
        return bool(self.token) or (self.kind in URL_IS_SECRET and bool(self.url))

    def resolved(self, lookup: Callable[[str], str | None]) -> ChannelSettings:
        """This channel with ``url`` and ``token`` read from the variables ``url_env`` and
        ``token_env`` name (``lookup`` reads one); :class:`ConfigError` when one is unset or
        the URL it holds is not one."""
        url, token = self.url, self.token
        if self.url_env:
            url = (lookup(self.url_env) or "").strip()
            if not url:
                raise self._error(f"url_env names ${self.url_env}, which is not set")
            _check_url(self, url, f"the URL in ${self.url_env}")
        if self.token_env:
            token = (lookup(self.token_env) or "").strip()
            if not token:
                raise self._error(f"token_env names ${self.token_env}, which is not set")
        return replace(self, url=url.rstrip("/") if self.kind == "matrix" else url, token=token)

    def _error(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.key} ({self.kind}): {problem}")


def _check_url(channel: ChannelSettings, url: str, what: str = "url") -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise channel._error(f"{what} must start with https:// (or http://), not {url!r}")
    if any(c in url for c in "\x00\r\n\t <>\"'`"):
        raise channel._error(f"{what} holds a space or a character a URL cannot hold")
    if channel.kind == "ntfy" and not parts.path.strip("/"):
        raise channel._error(f"{what} must name the topic, e.g. https://ntfy.sh/my-papers")


def parse_emails(user: str, value: Any, where: str = CONFIG_FILE) -> tuple[str, ...]:
    """The addresses of ``email = "a@x"`` or ``email = ["a@x", "b@y"]``, in order, each once;
    :class:`ConfigError` naming ``users.USER.email`` for anything that is not one address."""
    if isinstance(value, str):
        values: Sequence[Any] = [value] if value.strip() else []
    elif isinstance(value, list):
        values = value
    else:
        raise ConfigError(
            f"{where}: users.{user}.email must be an address or a list of them, not {value!r}"
        )
    out: list[str] = []
    for item in values:
        email = item.strip() if isinstance(item, str) else item
        if not isinstance(email, str) or "@" not in email or any(c in email for c in "\r\n<>, "):
            raise ConfigError(f"{where}: users.{user}.email is not one e-mail address: {item!r}")
        if email not in out:
            out.append(email)
    return tuple(out)


def parse_channels(user: str, value: Any, where: str = CONFIG_FILE) -> tuple[ChannelSettings, ...]:
    """The channels of ``[[users.USER.channels]]`` (or ``channels = [{…}, …]``), each checked:
    known kind and keys, a URL (or ``url_env``), a Matrix room id and token, unique names."""
    if not isinstance(value, list) or not all(isinstance(t, Mapping) for t in value):
        raise ConfigError(
            f"{where}: users.{user}.channels must be a list of tables: "
            f'[[users.{user}.channels]] with kind = "slack" and url = "…"'
        )
    channels: list[ChannelSettings] = []
    for i, table in enumerate(value):
        channel = _parse_channel(table, f"users.{user}.channels[{i}]", where)
        taken = {c.name for c in channels}
        if channel.name in taken:
            if "name" in table:
                raise channel._error(f"another channel of users.{user} is named {channel.name!r}")
            n = 2
            while f"{channel.kind}-{n}" in taken:
                n += 1
            channel = replace(channel, name=f"{channel.kind}-{n}")
        channels.append(channel)
    return tuple(channels)


def _parse_channel(table: Mapping[str, Any], key: str, where: str) -> ChannelSettings:
    kind = table.get("kind")
    if kind not in CHANNEL_KINDS:
        raise ConfigError(
            f"{where}: {key}.kind must be one of {', '.join(CHANNEL_KINDS)}, not {kind!r}"
        )
    types = {f.key: f.type for f in CHANNEL_FIELDS}
    for k, v in table.items():
        if k not in KIND_KEYS[kind]:
            known = ", ".join(sorted(KIND_KEYS[kind]))
            raise ConfigError(f"{where}: {key} ({kind}) has no setting {k!r} (it takes {known})")
        if not isinstance(v, types[k]):
            want = "true or false" if types[k] is bool else "a string"
            raise ConfigError(f"{where}: {key}.{k} must be {want}, not {v!r}")
    name = table.get("name", "").strip() or kind
    channel = ChannelSettings(
        kind=kind,
        name=name,
        url=table.get("url", "").strip(),
        url_env=table.get("url_env", "").strip(),
        token=table.get("token", ""),
        token_env=table.get("token_env", "").strip(),
        room=table.get("room", "").strip(),
        ratings=table.get("ratings", kind != "ntfy"),
        key=key,
        where=where,
    )
    _check_channel(channel)
    return channel


def _check_channel(channel: ChannelSettings) -> None:
    """What every channel of its kind needs; ConfigError naming the key otherwise."""
    if not _NAME.match(channel.name) or channel.name.startswith("email"):
        raise channel._error(
            f"name must be lowercase letters, digits, - and _ (and not start with 'email'), "
            f"not {channel.name!r}"
        )
    if channel.url and channel.url_env:
        raise channel._error("set url or url_env, not both")
    if not channel.url and not channel.url_env:
        raise channel._error("url is missing (or url_env, naming a variable that holds it)")
    if channel.url:
        _check_url(channel, channel.url)
    if channel.token and channel.token_env:
        raise channel._error("set token or token_env, not both")
    if channel.kind == "matrix":
        if not channel.token and not channel.token_env:
            raise channel._error("token is missing (the access token of the posting account)")
        if channel.room.startswith("#"):
            raise channel._error(
                f"room {channel.room!r} is an alias; give the room id (!…:server, in the "
                "room's settings under Advanced)"
            )
        if not re.fullmatch(r"![^\s:/]+:\S+", channel.room):
            raise channel._error(
                f"room must be a room id like !abc123:example.org, not {channel.room!r}"
            )


EXAMPLES: tuple[tuple[str, ...], ...] = (
    ('kind = "slack"', 'url_env = "LINDA_SLACK_WEBHOOK"  # https://hooks.slack.com/services/…'),
    ('kind = "discord"', 'url_env = "LINDA_DISCORD_WEBHOOK"  # https://discord.com/api/webhooks/…'),
    (
        'kind = "matrix"',
        'url = "https://matrix.example.org"',
        'room = "!AbCdEfGh:example.org"',
        'token_env = "LINDA_MATRIX_TOKEN"',
    ),
    ('kind = "ntfy"', 'url = "https://ntfy.sh/linda-papers-7f3k"'),
    (
        'kind = "json"',
        'name = "archive"',
        'url = "http://127.0.0.1:9000/digests"',
        "ratings = false",
    ),
)
"""One commented example table per kind, for ``paperfeed config-example``."""


def example_lines(user: str) -> list[str]:
    """The commented channel examples of ``paperfeed config-example`` for ``user``: every key
    with its help, then one table per kind."""
    out = [
        f"# Chat channels: one [[users.{user}.channels]] table each (failures of one never stop",
        "# the others or the e-mail). Their keys:",
    ]
    for f in CHANNEL_FIELDS:
        choices = f" One of: {', '.join(f.choices)}." if f.choices else ""
        out += textwrap.wrap(
            f"{f.key}: {f.help}{choices}",
            94,
            initial_indent="#   ",
            subsequent_indent="#     ",
            break_on_hyphens=False,
        )
    for table in EXAMPLES:
        out += ["#", f"# [[users.{user}.channels]]", *(f"# {line}" for line in table)]
    return out
