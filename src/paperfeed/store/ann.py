"""An approximate nearest-neighbour index beside a SQLite store (usearch HNSW, inner product),
one per embedding model, so semantic search and shortlists do not scan every vector.

The store stays the source of truth: an index covers the model's embedding rows up to a rowid
and catches up by adding the rows after it; a missing, stale, foreign or corrupt index is
rebuilt from the store. On disk it is ``vectors-<model>.usearch`` beside the store file and a
JSON of its labels (content hashes, in label order), format version and checksum; both are
written atomically (a temporary file renamed over the old one), never pickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ANN_MIN_VECTORS = 2_000
"""Below this many vectors of a model, :meth:`AnnIndexes.nearest` leaves it to an exact scan
(as fast there, and no file to keep)."""
FORMAT_VERSION = 1
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 256
"""Candidates a search keeps at ``BREADTH_BASE_SIZE`` vectors: recall@10 at 150,000 vectors
0.930 at 128, 0.958 at 200, 0.968 at 256 (benchmarks/README.md), for about a millisecond
more. Larger indexes search wider, see :func:`search_breadth`."""
BREADTH_BASE_SIZE = 150_000
BREADTH_GROWTH = 0.6
BREADTH_MAX = 1_000
BUILD_CHUNK = 20_000

Query = Callable[[str, Sequence[Any]], list[Any]]
"""Runs one SQL statement on the store and returns its rows."""


def search_breadth(n_vectors: int, base: int = EXPANSION_SEARCH) -> int:
    """How many candidates an HNSW search of an index of ``n_vectors`` keeps (usearch
    ``expansion_search``, pgvector ``hnsw.ef_search``; both backends use this): ``base`` up to
    150,000 vectors, then growing with the size to the power ``BREADTH_GROWTH``, at most
    1,000. A graph search of fixed breadth loses recall as the graph grows (recall@10 at
    breadth 256: 0.968 at 150k, 0.88 at 1M), while its cost grows about linearly with the
    breadth, so a larger index buys its recall back with a wider search: 799 at 1M, where 800
    gave 0.958 / 0.956 (usearch / pgvector) and the square root's 661 only 0.949 / 0.947
    (benchmarks/README.md, "Scale")."""
    scaled = round(base * (max(n_vectors, 0) / BREADTH_BASE_SIZE) ** BREADTH_GROWTH)
    return int(min(max(base, scaled), max(base, BREADTH_MAX)))


def index_paths(store_path: Path, model: str) -> tuple[Path, Path]:
    """The index file and its JSON beside ``store_path`` for ``model`` (a readable slug of the
    name plus a short hash of it, so two models never share a file)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model)[:60]
    tag = hashlib.sha256(model.encode()).hexdigest()[:8]
    stem = store_path.parent / f"vectors-{slug}-{tag}"
    return stem.with_suffix(".usearch"), stem.with_suffix(".json")


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            crc = zlib.crc32(chunk, crc)
    return crc


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """``write`` a temporary file beside ``path``, flush it to disk, rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class VectorIndex:
    """One model's HNSW index: label ``i`` is ``hashes[i]``; it covers the store's embedding
    rows of the model up to ``rowid``."""

    def __init__(self, dim: int, index: Any = None) -> None:
        from usearch.index import Index

        self.dim = dim
        self.index = index or Index(
            ndim=dim,
            metric="ip",
            dtype="f32",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )
        self.hashes: list[str] = []
        self.rowid = 0
        self.breadth: int | None = None
        """A fixed search breadth (benchmarks sweep it); None: :func:`search_breadth`."""

    def add(self, rows: Sequence[tuple[int, str, bytes]]) -> None:
        """Add embedding rows ``(rowid, hash, float32 blob)``, in rowid order."""
        if not rows:
            return
        vecs = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), -1)
        if vecs.shape[1] != self.dim:
            raise ValueError(f"vectors of size {vecs.shape[1]} in an index of size {self.dim}")
        labels = np.arange(len(self.hashes), len(self.hashes) + len(rows), dtype=np.uint64)
        self.index.add(labels, np.ascontiguousarray(vecs, dtype=np.float32))
        self.hashes.extend(r[1] for r in rows)
        self.rowid = int(rows[-1][0])

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest labels' hashes and inner products, best first."""
        k = min(k, len(self.hashes))
        if k <= 0:
            return []
        breadth = self.breadth or search_breadth(len(self.hashes))
        if self.index.expansion_search != breadth:
            self.index.expansion_search = breadth
        found = self.index.search(np.asarray(vector, dtype=np.float32), k)
        return [
            (self.hashes[int(label)], 1.0 - float(dist))
            for label, dist in zip(found.keys, found.distances, strict=True)
        ]

    def save(self, index_path: Path, meta_path: Path, model: str) -> None:
        """Write the index, then its JSON (which names the index file's size and checksum, so
        a pair that does not belong together is detected)."""
        _write_atomic(index_path, lambda p: self.index.save(str(p)))
        meta = {
            "version": FORMAT_VERSION,
            "model": model,
            "dim": self.dim,
            "rowid": self.rowid,
            "size": index_path.stat().st_size,
            "crc32": _crc(index_path),
            "hashes": self.hashes,
        }
        _write_atomic(meta_path, lambda p: p.write_text(json.dumps(meta), encoding="utf-8"))

    @classmethod
    def load(cls, index_path: Path, meta_path: Path, model: str) -> VectorIndex | None:
        """The index saved at these paths, or None if missing, of another version or model,
        or damaged (size, checksum or label count disagree, or usearch cannot read it)."""
        from usearch.index import Index

        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("version") != FORMAT_VERSION or meta.get("model") != model:
                return None
            if index_path.stat().st_size != meta["size"] or _crc(index_path) != meta["crc32"]:
                return None
            index = Index.restore(str(index_path))
        except (OSError, ValueError, KeyError, TypeError, RuntimeError):
            return None
        if index is None or len(index) != len(meta["hashes"]) or index.ndim != meta["dim"]:
            return None
        loaded = cls(int(meta["dim"]), index)
        loaded.hashes = [str(h) for h in meta["hashes"]]
        loaded.rowid = int(meta["rowid"])
        return loaded


class AnnIndexes:
    """The indexes of one SQLite store, loaded on first use, kept in step with its embeddings
    table and saved when changed (at the next search or at :meth:`close`). A search checks
    the store again only after a write: its own (:meth:`added`) or another connection's
    (SQLite's ``data_version`` moved), so an unchanged store costs no count per query."""

    def __init__(self, store_path: Path | None, query: Query, min_vectors: int) -> None:
        self.store_path = store_path
        self.query = query
        self.min_vectors = min_vectors
        self._loaded: dict[str, VectorIndex] = {}
        self._dirty: set[str] = set()
        self._checked: dict[str, int] = {}  # model -> data_version when last brought up to date
        self._lock = threading.RLock()

    def _paths(self, model: str) -> tuple[Path, Path] | None:
        return None if self.store_path is None else index_paths(self.store_path, model)

    def nearest(self, model: str, vector: np.ndarray, k: int) -> list[tuple[str, float]] | None:
        """The ``k`` stored papers' text hashes nearest to ``vector``, from the index; None
        when the model has fewer than ``min_vectors`` vectors (the caller scans exactly)."""
        with self._lock:
            index = self._current(model)
        if index is None:
            return None
        want = k
        while True:
            found = index.search(vector, want)
            kept = self._of_papers(found)
            if len(kept) >= k or want >= len(index.hashes):
                return kept[:k]
            want *= 4

    def build(self, model: str) -> bool:
        """Bring ``model``'s index up to date and save it; whether the model has one."""
        with self._lock:
            return self._current(model) is not None

    def _current(self, model: str) -> VectorIndex | None:
        """``model``'s index as of the store's last commit (saved if it changed), or None
        below ``min_vectors`` vectors."""
        version = int(self.query("PRAGMA data_version", [])[0][0])
        if self._checked.get(model) == version:
            return self._loaded.get(model)
        count = int(self.query("SELECT count(*) FROM embeddings WHERE model = ?", [model])[0][0])
        index = None
        if count >= max(self.min_vectors, 1):
            index = self._synced(model, count)
            self._save(model)
        else:
            self._loaded.pop(model, None)
        self._checked[model] = version
        return index

    def changed(self, model: str) -> None:
        """This connection wrote vectors of ``model`` (perhaps inside a transaction not
        committed yet): the next search counts them again."""
        with self._lock:
            self._checked.pop(model, None)

    def _of_papers(self, found: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """``found`` without the hashes no stored paper has (texts since edited)."""
        rows = self.query(
            "SELECT DISTINCT content_hash FROM papers "
            "WHERE content_hash IN (SELECT value FROM json_each(?))",
            [json.dumps([h for h, _ in found])],
        )
        live = {r[0] for r in rows}
        return [(h, s) for h, s in found if h in live]

    def added(self, model: str) -> None:
        """New vectors of ``model`` were stored: add them to its index if one is loaded or
        saved (the file is rewritten at the next search or at close)."""
        with self._lock:
            self._checked.pop(model, None)
            paths = self._paths(model)
            if model not in self._loaded and (paths is None or not paths[1].exists()):
                return
            count = self.query("SELECT count(*) FROM embeddings WHERE model = ?", [model])[0][0]
            self._synced(model, int(count))

    def _synced(self, model: str, count: int) -> VectorIndex:
        """``model``'s index, loaded or rebuilt and caught up with the store's rows."""
        index = self._loaded.get(model)
        paths = self._paths(model)
        if index is None and paths is not None:
            index = VectorIndex.load(*paths, model)
        if index is not None and not self._consistent(model, index, count):
            index = None
        if index is None:
            index = self._empty(model)
            self._dirty.add(model)
        self._catch_up(model, index)
        if len(index.hashes) != count:  # rows went away or came in below its rowid: rebuild
            index = self._empty(model)
            self._catch_up(model, index)
        self._loaded[model] = index
        return index

    def _consistent(self, model: str, index: VectorIndex, count: int) -> bool:
        """Whether ``index`` is a prefix of this store's rows (its last label is the row at its
        rowid, and it does not hold more than the store)."""
        if not index.hashes:
            return index.rowid == 0
        rows = self.query(
            "SELECT content_hash, dim FROM embeddings WHERE rowid = ? AND model = ?",
            [index.rowid, model],
        )
        return (
            bool(rows)
            and rows[0][0] == index.hashes[-1]
            and rows[0][1] == index.dim
            and len(index.hashes) <= count
        )

    def _empty(self, model: str) -> VectorIndex:
        dim = self.query("SELECT dim FROM embeddings WHERE model = ? LIMIT 1", [model])
        return VectorIndex(int(dim[0][0]) if dim else 1)

    def _catch_up(self, model: str, index: VectorIndex) -> None:
        """Add the store's rows of ``model`` after ``index``'s rowid, a chunk at a time."""
        while rows := self.query(
            "SELECT rowid, content_hash, vector FROM embeddings WHERE model = ? AND rowid > ? "
            "ORDER BY rowid LIMIT ?",
            [model, index.rowid, BUILD_CHUNK],
        ):
            index.add(rows)
            self._dirty.add(model)

    def _save(self, model: str) -> None:
        paths = self._paths(model)
        if model in self._dirty and paths is not None:
            self._loaded[model].save(*paths, model)
        self._dirty.discard(model)

    def close(self) -> None:
        """Save every changed index; forget them."""
        with self._lock:
            for model in list(self._dirty):
                self._save(model)
            self._loaded.clear()
            self._checked.clear()
