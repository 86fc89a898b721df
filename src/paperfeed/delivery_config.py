"""Delivery settings of an installation, read from ``<home>/config.toml``: the SMTP server,
the public address of ``paperfeed serve``, what ``daily`` fetches and who receives digests.

Every key is declared once in :data:`FIELDS` (default and help); :func:`example_toml` turns the
declarations into a commented file. Parsing is pure; only :func:`load_delivery_settings` reads
the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILE = "config.toml"
SECURITY_MODES: tuple[str, ...] = ("ssl", "starttls", "none")
FREQUENCIES: tuple[str, ...] = ("daily", "weekly")
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class ConfigError(ValueError):
    """config.toml is unreadable or holds a bad value; the message names the key."""


@dataclass(frozen=True, slots=True)
class Field:
    """One key of config.toml: dotted name, default (its type is the key's type), help text."""

    key: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    example: Any = None
    kind: type | None = None

    @property
    def type(self) -> type:
        """The value's type: ``kind``, else the default's."""
        return self.kind or type(self.default)


FIELDS: tuple[Field, ...] = (
    Field(
        "base_url",
        "http://127.0.0.1:8787",
        "Address where `paperfeed serve` is reachable by readers; rating, unsubscribe and "
        "feed links in digests start with it.",
    ),
    Field(
        "model",
        "minilm",
        "Embedding model used by daily, serve and feed (minilm or minilm-fp32; "
        "hashing-<dim> is a model-free stand-in for tests).",
    ),
    Field("smtp.host", "localhost", "SMTP server that sends the digests."),
    Field(
        "smtp.port",
        0,
        "SMTP port; 0 means the usual one for `security`: 465 (ssl), 587 (starttls), 25 (none).",
    ),
    Field(
        "smtp.security",
        "starttls",
        "ssl: TLS from the first byte (port 465); starttls: upgrade a plain connection "
        "(port 587); none: no encryption (only for a relay on this machine).",
        SECURITY_MODES,
    ),
    Field("smtp.username", "", "Login name; empty: do not log in.", example="digest@example.org"),
    Field(
        "smtp.password",
        "",
        "Login password (this file must then be readable only by you: chmod 600). Prefer "
        "`password_env`, which keeps the secret out of this file.",
    ),
    Field(
        "smtp.password_env",
        "",
        "Name of an environment variable that holds the login password.",
        example="PAPERFEED_SMTP_PASSWORD",
    ),
    Field(
        "smtp.from",
        "",
        "Sender of the digests, e.g. 'paperfeed <digest@example.org>' (needed to send).",
        example="paperfeed <digest@example.org>",
    ),
    Field("smtp.timeout", 30.0, "Seconds to wait for the SMTP server before giving up on a try."),
    Field(
        "smtp.retries",
        3,
        "Retries of a transient failure (a 4xx reply, a dropped connection), waiting "
        "backoff, 2×backoff, 4×backoff … seconds. Permanent (5xx) failures are not retried.",
    ),
    Field("smtp.backoff", 2.0, "Seconds before the first retry (doubled for each next one)."),
    Field(
        "smtp.ca_file",
        "",
        "PEM file of the certificate authority to trust (a private server's own CA); "
        "empty: the system's trusted certificates.",
    ),
    Field(
        "digest.frequency",
        "daily",
        "How often a digest goes out (each user can override it).",
        FREQUENCIES,
    ),
    Field("digest.weekday", "monday", "The day a weekly digest goes out.", WEEKDAYS),
    Field("digest.size", 20, "Papers in a digest (and in a feed)."),
    Field(
        "digest.sources",
        [],
        "What `paperfeed daily` fetches before ranking: 'arxiv:CATS' (the day's arXiv "
        "listing, e.g. 'arxiv:cs.LG+cs.CL'), 'hf' (Hugging Face daily papers), 'file:PATH' "
        "(a JSONL or other file `paperfeed ingest` reads; relative to the home directory). "
        "Empty: rank what is stored. A digest holds the papers listed on its day (daily) or "
        "in the 7 days up to it (weekly).",
        example=["arxiv:cs.LG+cs.CL"],
    ),
    Field("digest.token_days", 30, "Days a thumbs-up/down link in a digest stays valid."),
    Field("digest.feed_days", 7, "Days of listings an RSS/Atom feed covers."),
    Field(
        "digest.feed_dir",
        "",
        "If set, `paperfeed daily` also writes each user's Atom feed into this directory "
        "(for a static web server); empty: feeds only through `paperfeed serve`.",
    ),
)

USER_FIELDS: tuple[Field, ...] = (
    Field("email", "", "Where this user's digest goes (users without one get none)."),
    Field("frequency", None, "daily or weekly; default: digest.frequency.", FREQUENCIES, kind=str),
    Field("weekday", None, "Day of a weekly digest; default: digest.weekday.", WEEKDAYS, kind=str),
    Field("size", None, "Papers in this user's digest; default: digest.size.", kind=int),
)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 0
    security: str = "starttls"
    username: str = ""
    password: str = ""
    password_env: str = ""
    from_addr: str = ""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    ca_file: str = ""

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def where(self) -> str:
        return f"{self.host}:{self.effective_port} ({self.security})"


@dataclass(frozen=True, slots=True)
class UserDelivery:
    """One recipient: a stored user's name and where and how often their digest goes."""

    name: str
    email: str
    frequency: str = "daily"
    weekday: str = "monday"
    size: int = 20

    def due(self, weekday_index: int) -> bool:
        """Whether a digest goes out on a day with this ``date.weekday()``."""
        return self.frequency == "daily" or WEEKDAYS.index(self.weekday) == weekday_index

    @property
    def window_days(self) -> int:
        """Days of listings one digest covers."""
        return 1 if self.frequency == "daily" else 7


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    base_url: str = "http://127.0.0.1:8787"
    model: str = "minilm"
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    frequency: str = "daily"
    weekday: str = "monday"
    size: int = 20
    sources: tuple[str, ...] = ()
    token_days: int = 30
    feed_days: int = 7
    feed_dir: str = ""
    users: tuple[UserDelivery, ...] = ()
    path: str = CONFIG_FILE

    def user(self, name: str) -> UserDelivery | None:
        return next((u for u in self.users if u.name == name), None)


# --- parsing (pure) ----------------------------------------------------------------------------


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and name != "users":
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


_KIND_NAMES = {str: "a string", int: "a whole number", float: "a number", list: "a list of strings"}


def _check(where: str, f: Field, value: Any) -> Any:
    """``value`` as the type of ``f``, or a ConfigError naming the file and the key."""
    want = f.type
    if isinstance(value, bool):
        ok = want is bool
    elif want is float:
        ok = isinstance(value, int | float)
        value = float(value) if ok else value
    elif want is list:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, want)
    if not ok:
        kind = _KIND_NAMES.get(want, want.__name__)
        raise ConfigError(f"{where}: {f.key} must be {kind}, not {value!r}")
    if f.choices and value not in f.choices:
        raise ConfigError(f"{where}: {f.key} must be one of {', '.join(f.choices)}, not {value!r}")
    if want in (int, float) and value < 0:
        raise ConfigError(f"{where}: {f.key} must not be negative, not {value!r}")
    return value


def parse_delivery_settings(
    data: Mapping[str, Any], *, where: str = CONFIG_FILE
) -> DeliverySettings:
    """Settings from the parsed TOML ``data``; unknown keys and bad values raise
    :class:`ConfigError` naming the file (``where``) and the key."""
    flat = _flatten(data)
    users_raw = flat.pop("users", {})
    known = {f.key: f for f in FIELDS}
    unknown = sorted(k for k in flat if k not in known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting {unknown[0]!r} (`paperfeed config-example` lists them)"
        )
    v = {f.key: _check(where, f, flat[f.key]) if f.key in flat else f.default for f in FIELDS}
    base_url = str(v["base_url"]).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{where}: base_url must start with http:// or https://, not {base_url!r}"
        )
    for spec in v["digest.sources"]:
        source_kind(spec, where=where)
    if not 1 <= v["digest.size"] <= 500:
        raise ConfigError(f"{where}: digest.size must be between 1 and 500")
    smtp = SmtpSettings(
        host=v["smtp.host"],
        port=v["smtp.port"],
        security=v["smtp.security"],
        username=v["smtp.username"],
        password=v["smtp.password"],
        password_env=v["smtp.password_env"],
        from_addr=v["smtp.from"],
        timeout=float(v["smtp.timeout"]) or 30.0,
        retries=v["smtp.retries"],
        backoff=v["smtp.backoff"],
        ca_file=v["smtp.ca_file"],
    )
    defaults = UserDelivery(
        name="", email="", frequency=v["digest.frequency"], weekday=v["digest.weekday"]
    )
    users = _parse_users(users_raw, where, defaults, v["digest.size"])
    return DeliverySettings(
        base_url=base_url,
        model=v["model"],
        smtp=smtp,
        frequency=v["digest.frequency"],
        weekday=v["digest.weekday"],
        size=v["digest.size"],
        sources=tuple(v["digest.sources"]),
        token_days=v["digest.token_days"] or 30,
        feed_days=v["digest.feed_days"] or 7,
        feed_dir=v["digest.feed_dir"],
        users=users,
        path=where,
    )


def _parse_users(
    raw: Any, where: str, defaults: UserDelivery, size: int
) -> tuple[UserDelivery, ...]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: [users] must be a table of [users.NAME] tables")
    fields = {f.key: f for f in USER_FIELDS}
    users = []
    for name, table in raw.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f'{where}: users.{name} must be a table (e.g. email = "…")')
        bad = sorted(k for k in table if k not in fields)
        if bad:
            raise ConfigError(f"{where}: unknown setting 'users.{name}.{bad[0]}'")
        got = {
            k: _check(
                where,
                Field(f"users.{name}.{k}", None, "", fields[k].choices, kind=fields[k].type),
                x,
            )
            for k, x in table.items()
        }
        email = str(got.get("email", "")).strip()
        if email and ("@" not in email or any(c in email for c in "\r\n<>,")):
            raise ConfigError(f"{where}: users.{name}.email is not one e-mail address: {email!r}")
        users.append(
            UserDelivery(
                name=str(name),
                email=email,
                frequency=got.get("frequency") or defaults.frequency,
                weekday=got.get("weekday") or defaults.weekday,
                size=int(got.get("size") or size),
            )
        )
    return tuple(users)


def source_kind(spec: str, *, where: str = CONFIG_FILE) -> tuple[str, str]:
    """``("arxiv", "cs.LG+cs.CL")``, ``("hf", "")`` or ``("file", PATH)`` for a source spec."""
    kind, _, arg = spec.partition(":")
    if kind == "hf" and not arg:
        return kind, ""
    if kind in ("arxiv", "file") and arg.strip():
        return kind, arg.strip()
    raise ConfigError(
        f"{where}: source {spec!r} is not one of 'arxiv:CATEGORIES', 'hf', 'file:PATH'"
    )


def load_delivery_settings(home: Path) -> DeliverySettings:
    """The settings in ``home/config.toml``; the defaults if there is no such file."""
    path = home / CONFIG_FILE
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return DeliverySettings(path=str(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    settings = parse_delivery_settings(data, where=str(path))
    if settings.smtp.password and path.stat().st_mode & 0o077:
        raise ConfigError(
            f"{path} holds smtp.password but other users can read it: run `chmod 600 {path}` "
            "(or use smtp.password_env)"
        )
    return settings


# --- documentation -----------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _comment(text: str, width: int = 96) -> list[str]:
    lines, line = [], "#"
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = "#"
        line += " " + word
    return [*lines, line]


def example_toml(fields: Sequence[Field] = FIELDS) -> str:
    """A commented config.toml with every key at its default (or an example value)."""
    out = [f"# paperfeed delivery settings: <home>/{CONFIG_FILE}", ""]
    section = ""
    for f in fields:
        table, _, key = f.key.rpartition(".")
        if table != section:
            out += ["", f"[{table}]"]
            section = table
        out += _comment(f.help + (f" One of: {', '.join(f.choices)}." if f.choices else ""))
        value = f.example if f.example is not None else f.default
        out.append(f"{key} = {_toml_value(value)}")
    out += ["", "# One table per user who receives digests (the name is the --user name)."]
    out += ["[users.linda]"]
    for f in USER_FIELDS:
        out += _comment(f.help + (f" One of: {', '.join(f.choices)}." if f.choices else ""))
        value = "linda@example.org" if f.key == "email" else None
        out.append(f"{key_line(f.key, value)}")
    return "\n".join(out) + "\n"


def key_line(key: str, value: Any) -> str:
    """``key = value``, commented out when there is no value to show."""
    return f"{key} = {_toml_value(value)}" if value is not None else f"# {key} = …"
