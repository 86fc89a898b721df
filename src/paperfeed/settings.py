"""Every setting of paperfeed, each declared once with its default and help: the environment
variables (:data:`ENV`) and the keys of ``<home>/config.toml`` (:data:`FIELDS`,
:data:`USER_FIELDS`). :meth:`Settings.load` is the one loader.

This is the only module that touches the environment; nothing is read at import time, and
config.toml is read on first use of a setting it holds. Parsing is pure; :func:`read_config`
reads the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

# --- environment variables ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnvVar:
    """One environment variable: its name, its default (as shown to people) and help."""

    name: str
    default: str
    help: str

    def read(self) -> str | None:
        """The variable's value now; None when it is unset or empty."""
        return os.environ.get(self.name) or None


class Variables(NamedTuple):
    """Every environment variable paperfeed reads (iterate for all of them)."""

    home: EnvVar
    db: EnvVar
    model_cache: EnvVar
    data: EnvVar
    user: EnvVar
    debug: EnvVar
    contact: EnvVar
    zotero_api_key: EnvVar
    xdg_cache: EnvVar


ENV = Variables(
    home=EnvVar(
        "PAPERFEED_HOME",
        "~/.paperfeed",
        "Directory holding the SQLite store (paperfeed.db) and per-installation files.",
    ),
    db=EnvVar(
        "PAPERFEED_DB",
        "<home>/paperfeed.db",
        "Where the store is (--db): a postgresql://user@host/dbname URL for the PostgreSQL "
        "backend (needs paperfeed[postgres]), or the path of a SQLite file.",
    ),
    model_cache=EnvVar(
        "PAPERFEED_MODEL_CACHE",
        "$XDG_CACHE_HOME/paperfeed/models (else ~/.cache/paperfeed/models)",
        "Where the quantized ONNX embedding model is built once and kept "
        "(shared by every home directory).",
    ),
    data=EnvVar(
        "PAPERFEED_DATA",
        "../shared/data",
        "Directory of the shared corpora used by the demo and benchmarks.",
    ),
    user=EnvVar("PAPERFEED_USER", "default", "The default --user: whose profile and ratings."),
    debug=EnvVar(
        "PAPERFEED_DEBUG",
        "",
        "Set (e.g. to 1): an unexpected error shows its traceback instead of one line.",
    ),
    contact=EnvVar(
        "PAPERFEED_CONTACT",
        "",
        "E-mail put in the User-Agent of requests to arXiv, OpenAlex and others, so that "
        "services can reach whoever runs the harvester (fetch --contact).",
    ),
    zotero_api_key=EnvVar(
        "ZOTERO_API_KEY", "", "Key of a private Zotero library (fetch zotero --api-key)."
    ),
    xdg_cache=EnvVar(
        "XDG_CACHE_HOME",
        "~/.cache",
        "Base directory of per-user caches; the model cache defaults to a folder in it.",
    ),
)

HELP_ENV: tuple[EnvVar, ...] = (ENV.home, ENV.db, ENV.model_cache, ENV.data)
"""The variables the epilog of ``paperfeed --help`` lists."""


def home_dir() -> Path:
    """The home directory: ``$PAPERFEED_HOME`` or ``~/.paperfeed``."""
    return Path(ENV.home.read() or ENV.home.default).expanduser()


def model_cache_dir() -> Path:
    """Directory for built model files (``$PAPERFEED_MODEL_CACHE`` or the XDG cache)."""
    env = ENV.model_cache.read()
    if env:
        return Path(env).expanduser()
    base = Path(ENV.xdg_cache.read() or ENV.xdg_cache.default).expanduser()
    return base / "paperfeed" / "models"


def data_dir() -> Path:
    """Directory of the shared corpora: ``$PAPERFEED_DATA`` or ``../shared/data``."""
    return Path(ENV.data.read() or ENV.data.default)


def named_variable(name: str) -> str | None:
    """The value of the environment variable a setting names (``smtp.password_env``)."""
    return os.environ.get(name)


def keep_model_libraries_offline() -> None:
    """Tell the Hugging Face libraries that build the packaged model not to reach the network
    (unless the environment already says otherwise)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


# --- config.toml -------------------------------------------------------------------------------

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
    """config.toml is unreadable or holds a bad value; the message names the file and key."""


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
    """What ``daily``, ``serve`` and ``feed`` need: links, SMTP, digests and recipients;
    ``path`` is the file they came from (error messages name it)."""

    base_url: str = "http://127.0.0.1:8787"
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


@dataclass(frozen=True, slots=True)
class FileSettings:
    """What config.toml says: the embedding model and the delivery settings."""

    model: str = "minilm"
    delivery: DeliverySettings = field(default_factory=DeliverySettings)


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


def parse_config(data: Mapping[str, Any], *, where: str = CONFIG_FILE) -> FileSettings:
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
    delivery = DeliverySettings(
        base_url=base_url,
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
    return FileSettings(model=v["model"], delivery=delivery)


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


def read_config(path: Path) -> FileSettings:
    """The settings in the config.toml at ``path``; the defaults if there is no such file."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return FileSettings(delivery=DeliverySettings(path=str(path)))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    settings = parse_config(data, where=str(path))
    if settings.delivery.smtp.password and path.stat().st_mode & 0o077:
        raise ConfigError(
            f"{path} holds smtp.password but other users can read it: run `chmod 600 {path}` "
            "(or use smtp.password_env)"
        )
    return settings


# --- the loader --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The settings of one installation: where its files are (from the environment or
    ``--home``) and what its config.toml says, read on first use of :attr:`model` or
    :attr:`delivery` so that commands needing neither work with a broken file."""

    home: Path = field(default_factory=home_dir)
    model_cache: Path = field(default_factory=model_cache_dir)
    db: str | None = field(default_factory=ENV.db.read)

    @classmethod
    def load(cls, home: str | Path | None = None, db: str | None = None) -> Settings:
        """The settings of ``home`` (default ``$PAPERFEED_HOME`` or ``~/.paperfeed``) with the
        store at ``db`` (default ``$PAPERFEED_DB``, else the SQLite file in the home)."""
        given: dict[str, Any] = {} if home is None else {"home": Path(home).expanduser()}
        if db:
            given["db"] = db
        return cls(**given)

    @property
    def db_path(self) -> Path:
        """The SQLite file in the home (the store unless :attr:`db` names another)."""
        return self.home / "paperfeed.db"

    @property
    def db_url(self) -> str:
        """Where the store is: :attr:`db` (a ``postgresql://`` URL or a SQLite path), else
        :attr:`db_path`."""
        return self.db or str(self.db_path)

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_FILE

    @cached_property
    def _file(self) -> FileSettings:
        return read_config(self.config_path)

    @property
    def model(self) -> str:
        """The embedding model every ranking command uses (config.toml ``model``)."""
        return self._file.model

    @property
    def delivery(self) -> DeliverySettings:
        """The delivery settings of config.toml (SMTP, digests, recipients)."""
        return self._file.delivery


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
