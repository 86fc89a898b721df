"""The PostgreSQL store's embedding cache: pgvector ``vector`` rows, one HNSW index (cosine)
per model, and the nearest-neighbour query on it.

The column holds vectors of any size, so each model's index is a partial expression index
over ``vector::vector(dim)``; a query uses it when it orders by that same expression with the
model spelled as a literal (which :func:`nearest` does). A model's index is built once it has
``ann_threshold`` vectors, by :func:`build_index` (``paperfeed embed`` calls it at its end,
else the first search does): pgvector builds a graph from rows already there several times
faster than it inserts them one by one, so a backfill writes its vectors first and the index
after, and from then on each new vector is added to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from paperfeed.store.ann import search_breadth
from paperfeed.store.sqlite_papers import utc_now

HNSW_MAX_DIM = 2000  # pgvector indexes vectors of up to 2,000 dimensions; larger ones scan
EF_SEARCH = 256
"""``hnsw.ef_search`` of a search for up to this many neighbours (a larger ``k`` searches
``k`` deep) at 150,000 vectors, growing with the index (:func:`search_breadth`): chosen by
measurement, recall@10 against the exact top 10 at 150,000 papers 0.894 at 100, 0.948 at 200
(benchmarks/README.md), for a few milliseconds more."""
EF_SEARCH_MAX = 1000  # the largest hnsw.ef_search; a larger k scans exactly
HNSW_M = 16  # pgvector's defaults, spelled out: links per node
HNSW_EF_CONSTRUCTION = 64  # and candidates kept while linking a new node
INDEX_LOCK = 0x70665F766978  # "pf_vix": creating a model's index
ANN_MIN_VECTORS = 2_000
"""Below this many vectors of a model, :func:`nearest` scans them exactly (as fast there) and
builds no index."""


def as_vector(vec: Any) -> np.ndarray:
    """A float32 1-d copy of ``vec``; raises ``ValueError`` for anything else."""
    arr = np.asarray(vec, dtype=np.float32)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"an embedding must be a non-empty 1-d vector, got shape {arr.shape}")
    return arr


def index_name(model: str) -> str:
    """The name of ``model``'s HNSW index (a hash: model names may hold any character)."""
    return "embeddings_hnsw_" + hashlib.sha1(model.encode()).hexdigest()[:16]


def model_dims(conn: psycopg.Connection, model: str) -> int | None:
    """The vector size of ``model`` as recorded with its first vectors, or None before them."""
    row = conn.execute("SELECT dim FROM vector_indexes WHERE model = %s", (model,)).fetchone()
    return int(row[0]) if row else None


def ensure_index(conn: psycopg.Connection, model: str, dim: int) -> None:
    """Record ``model``'s vector size with its first vectors (its index comes later, from
    :func:`build_index`); inside the caller's transaction. A model whose vectors change size
    is refused: its index is of one size."""
    known = model_dims(conn, model)
    if known is not None:
        if known != dim:
            raise ValueError(f"model {model!r} has {known}-dimensional vectors, not {dim}")
        return
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
    if model_dims(conn, model) is not None:
        return ensure_index(conn, model, dim)
    conn.execute(
        "INSERT INTO vector_indexes (model, dim, index_name) VALUES (%s, %s, NULL)", (model, dim)
    )


def indexed(conn: psycopg.Connection, model: str) -> bool:
    """Whether ``model`` has its HNSW index."""
    row = conn.execute(
        "SELECT index_name IS NOT NULL FROM vector_indexes WHERE model = %s", (model,)
    ).fetchone()
    return bool(row and row[0])


def index_size(conn: psycopg.Connection, model: str) -> int:
    """About how many vectors ``model``'s HNSW index holds: the server's estimate (kept by
    ``ANALYZE`` and autovacuum), or a count when it has none yet."""
    row = conn.execute(
        "SELECT c.reltuples FROM vector_indexes v JOIN pg_class c "
        "ON c.oid = to_regclass(v.index_name) WHERE v.model = %s",
        (model,),
    ).fetchone()
    if row is not None and row[0] is not None and float(row[0]) >= 0:
        return int(row[0])
    count = conn.execute("SELECT count(*) FROM embeddings WHERE model = %s", (model,)).fetchone()
    return int(count[0]) if count else 0


def build_index(conn: psycopg.Connection, model: str, min_vectors: int = ANN_MIN_VECTORS) -> bool:
    """Build ``model``'s HNSW index (cosine) if it has none, ``min_vectors`` vectors or more
    and vectors pgvector can index; whether it has one now. One transaction, holding the
    index lock (so two processes build it once); writers of vectors wait for the build."""
    if indexed(conn, model):
        return True
    dim = model_dims(conn, model)
    if dim is None or dim > HNSW_MAX_DIM:
        return False
    count = conn.execute("SELECT count(*) FROM embeddings WHERE model = %s", (model,)).fetchone()
    if count is None or int(count[0]) < max(min_vectors, 1):
        return False
    name = index_name(model)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
        if indexed(conn, model):
            return True
        conn.execute(
            sql.SQL(
                "CREATE INDEX IF NOT EXISTS {} ON embeddings USING hnsw "
                "((vector::vector({})) vector_cosine_ops) WITH (m = {}, ef_construction = {}) "
                "WHERE model = {}"
            ).format(
                sql.Identifier(name),
                sql.Literal(dim),
                sql.Literal(HNSW_M),
                sql.Literal(HNSW_EF_CONSTRUCTION),
                sql.Literal(model),
            )
        )
        conn.execute("UPDATE vector_indexes SET index_name = %s WHERE model = %s", (name, model))
        conn.execute("ANALYZE embeddings")  # a bulk load leaves no statistics to plan with
    return True


def put_vectors(conn: psycopg.Connection, model: str, items: Iterable[tuple[str, Any]]) -> int:
    """Insert ``(content_hash, vector)`` pairs not cached yet, inside the caller's
    transaction; returns how many were new. Every vector is checked before anything is written."""
    now = utc_now()
    rows = [(model, h, int(v.size), v, now) for h, vec in items for v in [as_vector(vec)]]
    if not rows:
        return 0
    for dim in sorted({r[2] for r in rows}):
        ensure_index(conn, model, dim)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO embeddings (model, content_hash, dim, vector, created_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            rows,
        )
        return max(cur.rowcount, 0)


def get_vectors(
    conn: psycopg.Connection, model: str, hashes: Sequence[str]
) -> dict[str, np.ndarray]:
    with conn.cursor(binary=True) as cur:  # vectors as binary floats, not text to parse
        rows = cur.execute(
            "SELECT content_hash, vector FROM embeddings "
            "WHERE model = %s AND content_hash = ANY(%s)",
            (model, list(dict.fromkeys(hashes))),
        ).fetchall()
    return {h: v.to_numpy().astype(np.float32) for h, v in rows}


def all_vectors(
    conn: psycopg.Connection, model: str, papers_only: bool
) -> tuple[list[str], np.ndarray]:
    """Every cached vector of ``model`` (of stored papers' text only, by default), in the
    order they were cached, as a list of hashes and a float32 matrix."""
    query = "SELECT e.content_hash, e.dim, e.vector FROM embeddings e WHERE e.model = %s"
    if papers_only:
        query += " AND EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = e.content_hash)"
    with conn.cursor(binary=True) as cur:
        rows = cur.execute(query + " ORDER BY e.seq", (model,)).fetchall()  # type: ignore[arg-type]
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    dims = {r[1] for r in rows}
    if len(dims) > 1:
        raise ValueError(f"model {model!r} has vectors of several sizes: {sorted(dims)}")
    matrix = np.vstack([r[2].to_numpy() for r in rows]).astype(np.float32)
    return [r[0] for r in rows], matrix


def nearest(
    conn: psycopg.Connection,
    model: str,
    vector: Any,
    k: int,
    min_vectors: int = ANN_MIN_VECTORS,
    ef_search: int | None = None,
    indexed_dims: dict[str, tuple[int, int]] | None = None,
) -> list[tuple[str, float]]:
    """The ``k`` cached vectors of stored papers' text closest to ``vector`` by cosine,
    ``(content_hash, cosine similarity)`` best first, through ``model``'s HNSW index (built
    here if due, see :func:`build_index`; an exact scan where the model has too few vectors
    for one or ``k`` is beyond what the index returns). ``ef_search``: how many candidates
    the index search keeps (at least ``k``; None: :func:`search_breadth` of the index's size).
    ``indexed_dims``: the caller's memory of the models known to have an index (model ->
    vector size, search breadth), read and filled here, so a search of an indexed model costs
    one round trip to the server."""
    rows = _nearest_rows(conn, model, vector, k, min_vectors, ef_search, indexed_dims, False)
    return [(h, s) for h, s, _ in rows]


def nearest_papers(
    conn: psycopg.Connection,
    model: str,
    vector: Any,
    k: int,
    min_vectors: int = ANN_MIN_VECTORS,
    indexed_dims: dict[str, tuple[int, int]] | None = None,
) -> list[tuple[str, str, float]]:
    """:func:`nearest` with the papers of each text, in the same round trip: ``(paper_id,
    content_hash, cosine similarity)`` best first (papers sharing a text: by id)."""
    rows = _nearest_rows(conn, model, vector, k, min_vectors, None, indexed_dims, True)
    return [(str(pid), h, s) for h, s, pid in sorted(rows, key=lambda r: (-r[1], str(r[2])))]


def _nearest_rows(
    conn: psycopg.Connection,
    model: str,
    vector: Any,
    k: int,
    min_vectors: int,
    ef_search: int | None,
    indexed_dims: dict[str, tuple[int, int]] | None,
    with_ids: bool,
) -> list[tuple[str, float, str | None]]:
    """``(content_hash, similarity, paper id or None)`` of :func:`nearest`, best first."""
    query = as_vector(vector)
    known = indexed_dims if indexed_dims is not None else {}
    dim, breadth = known.get(model, (None, EF_SEARCH))
    use_index = dim is not None
    if dim is None:
        dim = model_dims(conn, model)
        if dim is None or k <= 0:
            return []
        use_index = k <= EF_SEARCH_MAX and build_index(conn, model, min_vectors)
        if use_index:
            breadth = search_breadth(index_size(conn, model), EF_SEARCH)
            known[model] = (dim, breadth)
    if k <= 0:
        return []
    if dim != query.size:
        raise ValueError(f"model {model!r} has {dim}-dimensional vectors, not {query.size}")
    use_index = use_index and k <= EF_SEARCH_MAX
    distance = sql.SQL("(e.vector::vector({dim})) <=> %(q)s::vector({dim})").format(
        dim=sql.Literal(dim)
    )
    statement = sql.SQL(
        "SELECT e.content_hash, 1 - ({d}) FROM embeddings e WHERE e.model = {model} "
        "AND EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = e.content_hash) "
        "ORDER BY {d} LIMIT %(k)s"
    ).format(d=distance, model=sql.Literal(model))
    if with_ids:  # the nearest texts first (their subquery keeps the index scan), then papers
        statement = sql.SQL(
            "SELECT n.h, n.s, p.id FROM ({}) AS n(h, s) JOIN papers p ON p.content_hash = n.h"
        ).format(statement)
    if use_index:
        # the index, with iterative scans, not the model's rows read and sorted (which a
        # small table, or statistics not yet gathered after a bulk load, can make look
        # cheaper): sorting is what only the index can do without
        settings = (
            "SELECT set_config('hnsw.ef_search', %s, true), "
            "set_config('hnsw.iterative_scan', 'relaxed_order', true), "
            "set_config('enable_sort', 'off', true)"
        )
        ef = ef_search or breadth
        params: tuple[str, ...] = (str(min(max(k, ef), EF_SEARCH_MAX)),)
    else:
        settings, params = "SELECT set_config('enable_indexscan', 'off', true)", ()
    with conn.pipeline(), conn.transaction():  # one round trip: settings and query together
        conn.execute(settings, params)  # type: ignore[arg-type]
        cur = conn.execute(statement, {"q": query, "k": int(k)})
    found = [(str(r[0]), float(r[1]), r[2] if with_ids else None) for r in cur.fetchall()]
    return sorted(found, key=lambda row: -row[1])
