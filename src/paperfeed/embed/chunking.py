"""Window planning, length-sorted batching and window pooling. Pure numpy, no model."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paperfeed.embed.base import l2_normalize

MAX_WINDOWS = 32
"""Default cap on the windows embedded per text (about 7,000 word pieces at MiniLM's 254 with
32 overlap; an abstract takes one to three): a huge text costs bounded time, its head is
embedded."""


def split_windows(n_tokens: int, max_tokens: int, overlap: int = 0) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` windows covering ``range(n_tokens)``.

    A text that fits gives one window (``(0, 0)`` for an empty one).  A longer text gives
    the fewest windows of at most ``max_tokens`` with neighbours overlapping by at least
    ``overlap`` tokens; all its windows have the same size and are spread evenly, so no
    window is a short leftover.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be >= 1")
    if not 0 <= overlap < max_tokens:
        raise ValueError("overlap must be in [0, max_tokens)")
    if n_tokens < 0:
        raise ValueError("n_tokens must be >= 0")
    if n_tokens <= max_tokens:
        return [(0, n_tokens)]
    k = math.ceil((n_tokens - overlap) / (max_tokens - overlap))
    size = math.ceil((n_tokens + (k - 1) * overlap) / k)  # <= max_tokens by choice of k
    span = n_tokens - size
    starts = [(i * span + (k - 1) // 2) // (k - 1) for i in range(k)]  # rounded, exact ends
    return [(s, s + size) for s in starts]


@dataclass(frozen=True, slots=True)
class ChunkPlan:
    """Every window of every text, flattened.

    ``owner[j]`` is the index of the text window ``j`` belongs to, ``start[j]:end[j]`` its
    slice of that text's token ids (special tokens excluded).
    """

    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray
    n_texts: int

    @property
    def n_windows(self) -> int:
        return int(self.owner.shape[0])

    @property
    def lengths(self) -> np.ndarray:
        return self.end - self.start


def plan_chunks(
    token_counts: Sequence[int], max_tokens: int, overlap: int = 0, max_windows: int = MAX_WINDOWS
) -> ChunkPlan:
    """Split texts of ``token_counts`` tokens into windows (see :func:`split_windows`); a
    text longer than ``max_windows`` windows can cover keeps only the tokens they cover
    from its start."""
    if max_windows < 1:
        raise ValueError("max_windows must be >= 1")
    covered = max_windows * max_tokens - (max_windows - 1) * overlap
    owner: list[int] = []
    start: list[int] = []
    end: list[int] = []
    for i, n in enumerate(token_counts):
        for s, e in split_windows(min(int(n), covered), max_tokens, overlap):
            owner.append(i)
            start.append(s)
            end.append(e)
    return ChunkPlan(
        owner=np.asarray(owner, dtype=np.int64),
        start=np.asarray(start, dtype=np.int64),
        end=np.asarray(end, dtype=np.int64),
        n_texts=len(token_counts),
    )


def length_sorted_batches(lengths: Sequence[int] | np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Index batches of items sorted by length, longest first (stable among equal lengths).

    Each batch pads only to its own longest item; concatenated, the batches are a
    permutation of ``range(len(lengths))``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = np.argsort(-np.asarray(lengths, dtype=np.int64), kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def pad_batch(seqs: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad id sequences to the longest one: ``(input_ids, attention_mask)`` int64."""
    width = max((len(s) for s in seqs), default=0)
    ids = np.full((len(seqs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for row, seq in enumerate(seqs):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return ids, mask


def pool_windows(
    window_vecs: np.ndarray, owner: np.ndarray, weights: np.ndarray, n_texts: int
) -> np.ndarray:
    """Weighted mean of each text's (normalized) window vectors, then L2-normalized.

    ``window_vecs`` row ``j`` belongs to text ``owner[j]`` and counts with ``weights[j]``
    (its token count).  A text with a single window gets that window's vector back.
    """
    vecs = l2_normalize(window_vecs)
    w = np.asarray(weights, dtype=np.float32)
    w = np.where(w > 0, w, 1.0).astype(np.float32)  # empty text: its one window still counts
    out = np.zeros((n_texts, vecs.shape[1]), dtype=np.float32)
    np.add.at(out, owner, vecs * w[:, None])
    return l2_normalize(out)
