"""A window's candidate pool, built once and shared by every user and every command: kept
in memory by the library object and in the store (as plain arrays, never pickles) for the
next process, keyed by a hash of the papers, the model and the settings it depends on."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, MutableMapping, Sequence

import numpy as np

from paperfeed.models import Paper
from paperfeed.rank import CandidatePool, RankParams, prepare_candidates
from paperfeed.rank.pool import POOL_FORMAT, pool_arrays, pool_from_arrays
from paperfeed.store import Store

IN_MEMORY = 4
"""Pools one library object keeps (the newest); a web app serves a few windows at most."""


def pool_key(model: str, params: RankParams, papers: Sequence[Paper]) -> str:
    """A hash of everything a pool is built from: its papers (ids and content, in order),
    the embedding model, the lexical settings and the pool format. A paper added, removed
    or edited in the window changes it, so a stale pool is never read."""
    h = hashlib.sha256(f"pool {POOL_FORMAT}\n{model}\nbigrams={params.use_bigrams}".encode())
    for p in papers:
        h.update(f"\n{p.id}\t{p.content_hash}".encode())
    return h.hexdigest()


def encode(arrays: dict[str, np.ndarray]) -> bytes:
    """``arrays`` as an uncompressed ``.npz`` (fast to read back)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def decode(payload: bytes) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` payload; object arrays (pickles) are refused."""
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def window_pool(
    store: Store,
    memory: MutableMapping[str, CandidatePool],
    *,
    model: str,
    span: str,
    papers: Sequence[Paper],
    vectors: Callable[[Sequence[Paper]], np.ndarray],
    params: RankParams,
) -> CandidatePool:
    """The pool of ``papers`` (a window, labelled ``span``): from ``memory``, else from the
    store's cache, else prepared, and then kept in both. ``vectors`` embeds papers (through
    the embedding cache); it is called only when the pool is not in memory."""
    key = pool_key(model, params, papers)
    pool = memory.pop(key, None)
    if pool is not None:
        memory[key] = pool  # the most recently used goes last
        return pool
    vecs = vectors(papers)
    payload = store.get_cached_pool(key)
    pool = None
    if payload is not None:
        try:
            pool = pool_from_arrays(papers, vecs, decode(payload), params)
        except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile):  # rebuilt below
            pool = None
    if pool is None:
        pool = prepare_candidates(papers, vecs, params)
        store.put_cached_pool(key, model, span, encode(pool_arrays(pool)))
    memory[key] = pool
    for old in list(memory)[:-IN_MEMORY]:
        del memory[old]
    return pool
