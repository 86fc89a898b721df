"""Text embeddings: the :class:`Embedder` interface and a per-process registry.

``get_embedder("minilm")`` gives all-MiniLM-L6-v2 (ONNX, int8) with long texts chunked and
pooled; ``"minilm-fp32"`` the same pipeline in fp32; ``"hashing-<dim>"`` a model-free
bag-of-words embedder for tests; ``"minilm-tuned:<directory>"`` a model ``paperfeed train``
wrote there.  Importing this package loads neither torch nor onnxruntime.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from paperfeed.embed.base import Embedder, HashingEmbedder, l2_normalize
from paperfeed.embed.minilm import MiniLMEmbedder, prepare
from paperfeed.embed.tuned import PREFIX as TUNED_PREFIX
from paperfeed.embed.tuned import TunedMiniLMEmbedder

__all__ = [
    "DEFAULT_MODEL",
    "EMBEDDER_NAMES",
    "Embedder",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "TunedMiniLMEmbedder",
    "get_embedder",
    "l2_normalize",
    "prepare",
]

DEFAULT_MODEL = "minilm"
EMBEDDER_NAMES: tuple[str, ...] = ("minilm", "minilm-fp32", "hashing-<dim>", "minilm-tuned:<dir>")
"""Names :func:`get_embedder` accepts (each embedder's full ``name`` is accepted too)."""

_ALIASES = {"minilm": "minilm", "minilm-int8": "minilm", "minilm-fp32": "minilm-fp32"}
_HASHING = re.compile(r"hashing(?:-(\d+))?")

_registry: dict[tuple[str, Path | None], Embedder] = {}
_registry_lock = threading.Lock()


def _canonical(name: str) -> str:
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    m = _HASHING.fullmatch(key)
    if m:
        return f"hashing-{int(m.group(1) or 256)}"
    for alias in ("minilm", "minilm-fp32"):  # full cache-key names, e.g. from a store
        if name == MiniLMEmbedder(quantized=alias == "minilm").name:
            return alias
    raise ValueError(f"unknown embedder {name!r}; known: {', '.join(EMBEDDER_NAMES)}")


def get_embedder(name: str = DEFAULT_MODEL, *, cache_dir: Path | None = None) -> Embedder:
    """The embedder called ``name``, created once per process (and per ``cache_dir``).

    The model is loaded lazily, on the first ``embed()``; ``name`` and ``dim`` are
    available at once.  ``cache_dir`` defaults to ``paperfeed.settings.model_cache_dir()``.
    """
    if name.strip().lower().startswith(TUNED_PREFIX):
        return _tuned(name.strip()[len(TUNED_PREFIX) :])
    canon = _canonical(name)
    if canon.startswith("hashing-"):
        key: tuple[str, Path | None] = (canon, None)
    else:
        from paperfeed.settings import model_cache_dir

        key = (canon, Path(cache_dir or model_cache_dir()).expanduser().resolve())
    with _registry_lock:
        emb = _registry.get(key)
        if emb is None:
            if canon.startswith("hashing-"):
                emb = HashingEmbedder(int(canon.removeprefix("hashing-")))
            else:
                emb = MiniLMEmbedder(quantized=canon == "minilm", cache_dir=key[1])
            _registry[key] = emb
        return emb


def _tuned(directory: str) -> Embedder:
    """The fine-tuned model in ``directory``, once per process per directory and content."""
    from paperfeed.embed.tuned import read_manifest

    if not directory:
        raise ValueError(f"{TUNED_PREFIX} needs a directory: {TUNED_PREFIX}/path/to/model")
    path = Path(directory).expanduser().resolve()
    key: tuple[str, Path | None] = (TUNED_PREFIX + read_manifest(path)["sha256"], path)
    with _registry_lock:
        emb = _registry.get(key)
        if emb is None:
            emb = _registry[key] = TunedMiniLMEmbedder(path)
        return emb
