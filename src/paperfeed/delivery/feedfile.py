"""Feed documents as files, for a static web server (``feed -o``, config.toml
``digest.feed_dir``)."""

from __future__ import annotations

import os
from pathlib import Path


def write_feed_file(path: Path, document: str) -> None:
    """Write a feed for static hosting: to a temporary name, then renamed into place, so a
    web server never serves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(path)
