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

from paperfeed.settings_channels import (
    ChannelSettings,
    WebhookSettings,
    example_lines,
    parse_channels,
    parse_emails,
)
from paperfeed.settings_delivery import DeliverySettings, SmtpSettings, UserDelivery
from paperfeed.settings_fields import (
    CONFIG_FILE,
    FIELDS,
    USER_FIELDS,
    ConfigError,
    Field,
)
from paperfeed.settings_fields import WEEKDAYS as WEEKDAYS

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


def resolve_channel(channel: ChannelSettings) -> ChannelSettings:
    """``channel`` with the URL and token its ``url_env``/``token_env`` keys name read from
    the environment; :class:`ConfigError` naming the key when one is unset."""
    return channel.resolved(named_variable)


@dataclass(frozen=True, slots=True)
class TldrSettings:
    """How TL;DRs are made: extractive, or by an OpenAI-compatible chat endpoint (``llm``)
    with a time-out per request, ``concurrency`` requests at once and a ``budget`` per run."""

    mode: str = "extractive"
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    api_key_env: str = ""
    language: str = "English"
    timeout: float = 30.0
    concurrency: int = 4
    budget: int = 100
    path: str = CONFIG_FILE

    @property
    def key(self) -> str:
        """The API key: ``api_key``, else the variable ``api_key_env`` names (may be empty)."""
        return self.api_key or (named_variable(self.api_key_env) or "" if self.api_key_env else "")

    def check(self, needs: str = "") -> None:
        """One clear :class:`ConfigError` when ``llm`` mode, or what ``needs`` the endpoint
        (e.g. ``users.bob.rerank is true``), lacks what it needs."""
        if self.mode != "llm" and not needs:
            return
        why = needs or "tldr.mode is llm"
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"{self.path}: {why} but tldr.base_url is not an URL")
        if not self.model:
            raise ConfigError(f"{self.path}: {why} but tldr.model is empty")
        if self.api_key_env and not named_variable(self.api_key_env):
            raise ConfigError(
                f"{self.path}: tldr.api_key_env names {self.api_key_env}, which is not set"
            )


@dataclass(frozen=True, slots=True)
class RerankSettings:
    """Re-ranking by the TL;DR's chat endpoint: a time-out per request, a budget per run."""

    timeout: float = 60.0
    budget: int = 50


@dataclass(frozen=True, slots=True)
class FileSettings:
    """What config.toml says: the embedding model, the delivery, TL;DR and re-ranking
    settings."""

    model: str = "minilm"
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    tldr: TldrSettings = field(default_factory=TldrSettings)
    rerank: RerankSettings = field(default_factory=RerankSettings)


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
        name="",
        email="",
        frequency=v["digest.frequency"],
        weekday=v["digest.weekday"],
        language=v["tldr.language"],
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
        webhooks=WebhookSettings(
            timeout=v["webhooks.timeout"] or 10.0,
            retries=v["webhooks.retries"],
            backoff=v["webhooks.backoff"],
        ),
        path=where,
    )
    tldr = TldrSettings(
        mode=v["tldr.mode"],
        base_url=v["tldr.base_url"].rstrip("/"),
        model=v["tldr.model"],
        api_key=v["tldr.api_key"],
        api_key_env=v["tldr.api_key_env"],
        language=v["tldr.language"] or "English",
        timeout=v["tldr.timeout"] or 30.0,
        concurrency=max(1, v["tldr.concurrency"]),
        budget=v["tldr.budget"],
        path=where,
    )
    rerank = RerankSettings(timeout=v["rerank.timeout"] or 60.0, budget=v["rerank.budget"])
    return FileSettings(model=v["model"], delivery=delivery, tldr=tldr, rerank=rerank)


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
        bad = sorted(k for k in table if k not in fields and k != "channels")
        if bad:
            raise ConfigError(f"{where}: unknown setting 'users.{name}.{bad[0]}'")
        got = {
            k: _check(
                where,
                Field(f"users.{name}.{k}", None, "", fields[k].choices, kind=fields[k].type),
                x,
            )
            for k, x in table.items()
            if k not in ("email", "channels")
        }
        emails = parse_emails(str(name), table.get("email", ""), where)
        for key, low, high in (("rerank_top", 2, 100), ("trending_days", 1, 365)):
            if not low <= got.get(key, low) <= high:
                raise ConfigError(f"{where}: users.{name}.{key} must be between {low} and {high}")
        users.append(
            UserDelivery(
                name=str(name),
                email=emails[0] if emails else "",
                frequency=got.get("frequency") or defaults.frequency,
                weekday=got.get("weekday") or defaults.weekday,
                size=int(got.get("size") or size),
                language=got.get("language") or defaults.language,
                include=tuple(got.get("include", ())),
                exclude=tuple(got.get("exclude", ())),
                categories=tuple(got.get("categories", ())),
                min_score=float(got.get("min_score", 0.0)),
                muted=tuple(got.get("muted", ())),
                show_again=bool(got.get("show_again", False)),
                extra_emails=emails[1:],
                channels=parse_channels(str(name), table.get("channels", []), where),
                interest_statement=" ".join(str(got.get("interest_statement", "")).split()),
                rerank=bool(got.get("rerank", False)),
                rerank_top=int(got.get("rerank_top", 20)),
                trending=bool(got.get("trending", True)),
                trending_days=int(got.get("trending_days", 7)),
                trending_top=int(got.get("trending_top", 3)),
            )
        )
    return tuple(users)


def source_kind(spec: str, *, where: str = CONFIG_FILE) -> tuple[str, str]:
    """``("arxiv", "cs.LG+cs.CL")``, ``("hf", "")``, ``("biorxiv", "neuroscience")``,
    ``("medrxiv", "")`` or ``("file", PATH)`` for a source spec."""
    kind, colon, arg = spec.partition(":")
    if kind == "hf" and not arg:
        return kind, ""
    if kind in ("biorxiv", "medrxiv") and (arg.strip() or not colon):
        return kind, arg.strip()
    if kind in ("arxiv", "file") and arg.strip():
        return kind, arg.strip()
    raise ConfigError(
        f"{where}: source {spec!r} is not one of 'arxiv:CATEGORIES', 'hf', "
        "'biorxiv[:CATEGORIES]', 'medrxiv[:CATEGORIES]', 'file:PATH'"
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
    secret = settings.delivery.smtp.password or settings.tldr.api_key
    channels = [c for u in settings.delivery.users for c in u.channels if c.inline_secret]
    if (secret or channels) and path.stat().st_mode & 0o077:
        raise ConfigError(
            f"{path} holds a password, API key, token or webhook URL but other users can read "
            f"it: run `chmod 600 {path}` (or use smtp.password_env / tldr.api_key_env / a "
            "channel's token_env or url_env)"
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

    @property
    def tldr(self) -> TldrSettings:
        """How TL;DRs are made (config.toml ``[tldr]``)."""
        return self._file.tldr

    @property
    def rerank(self) -> RerankSettings:
        """Time-out and budget of the re-ranking requests (config.toml ``[rerank]``)."""
        return self._file.rerank


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
        line = key_line(f.key, value)
        out.append(f"# {key_line(f.key, f.example)}" if f.example is not None else line)
        if f.key == "email":
            out.append(f"# {key_line(f.key, ['linda@example.org', 'linda@home.example'])}")
    out += ["", *example_lines("linda")]
    return "\n".join(out) + "\n"


def key_line(key: str, value: Any) -> str:
    """``key = value``, commented out when there is no value to show."""
    return f"{key} = {_toml_value(value)}" if value is not None else f"# {key} = …"
