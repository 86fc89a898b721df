"""Every setting once: name, default, environment variable, help. Nothing is read at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "home",
        "PAPERFEED_HOME",
        "~/.paperfeed",
        "Directory holding the SQLite store (paperfeed.db) and per-installation files.",
    ),
    Setting(
        "model_cache",
        "PAPERFEED_MODEL_CACHE",
        "$XDG_CACHE_HOME/paperfeed/models (else ~/.cache/paperfeed/models)",
        "Where the quantized ONNX embedding model is built once and kept "
        "(shared by every home directory).",
    ),
    Setting(
        "data_dir",
        "PAPERFEED_DATA",
        "../shared/data",
        "Directory of the shared corpora used by the demo and benchmarks.",
    ),
)


def _default(name: str) -> str:
    for s in SETTINGS:
        if s.name == name:
            return os.environ.get(s.env) or s.default
    raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Config:
    home: Path = field(default_factory=lambda: Path(_default("home")).expanduser())
    model_cache: Path = field(default_factory=lambda: model_cache_dir())

    @property
    def db_path(self) -> Path:
        return self.home / "paperfeed.db"

    @property
    def model(self) -> str:
        """The embedding model named by ``config.toml`` (every command ranks with it)."""
        from paperfeed.delivery_config import load_delivery_settings

        return load_delivery_settings(self.home).model

    @classmethod
    def load(cls, home: str | Path | None = None) -> Config:
        if home is None:
            return cls()
        return cls(home=Path(home).expanduser())


def model_cache_dir() -> Path:
    """Directory for built model files (``PAPERFEED_MODEL_CACHE`` or the XDG cache)."""
    env = os.environ.get("PAPERFEED_MODEL_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path("~/.cache").expanduser()
    return base / "paperfeed" / "models"
