"""The embedder interface and a tiny model-free embedder for tests. Pure numpy."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors."""

    name: str
    """Identifies model and settings; the embedding-cache key (changes when results would)."""
    dim: int

    def embed(
        self, texts: Sequence[str], *, progress: bool = False, batch_size: int = 32
    ) -> np.ndarray:
        """Return ``(len(texts), dim)`` float32 with unit-norm rows, in input order.

        An empty text is embedded like any other and gives a valid unit vector, never zeros.
        """
        ...


def l2_normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows of ``x`` scaled to unit L2 norm (float32); all-zero rows stay zero."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norms, eps)).astype(np.float32, copy=False)


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic feature-hashed bag of words, L2-normalized.

    Meant for fast tests of components that must not load a model.  Each lower-cased word
    adds ``±1`` to bucket ``crc32(word) % dim`` (sign from another bit of the hash), so
    texts sharing words are close.  A text without words (or whose buckets cancel) falls
    back to the bucket of the empty word, so every row is a unit vector.
    """

    def __init__(self, dim: int = 256) -> None:
        if dim < 2:
            raise ValueError("dim must be >= 2")
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _bucket(self, word: str) -> tuple[int, float]:
        h = zlib.crc32(word.encode("utf-8"))
        return h % self.dim, (1.0 if (h >> 31) & 1 == 0 else -1.0)

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            idx, sign = self._bucket(word)
            vec[idx] += sign
        if not np.any(vec):
            idx, sign = self._bucket("")
            vec[idx] = sign
        return vec

    def embed(
        self, texts: Sequence[str], *, progress: bool = False, batch_size: int = 32
    ) -> np.ndarray:
        """Embed ``texts``; ``progress`` and ``batch_size`` are accepted and ignored."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._one(text)
        return l2_normalize(out)

    def __repr__(self) -> str:
        return f"HashingEmbedder(dim={self.dim})"
