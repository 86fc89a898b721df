"""Hybrid search: the store's full-text index and its approximate nearest-neighbour index,
each asked for its top papers for the query (embedded once), fused by reciprocal-rank
fusion; only the papers returned are read in full and explained.

Why reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009: ``1 / (k + rank)``
summed over the lists, ``k = 60``) rather than z-scores over the union: the two lists' scores
are on unrelated scales that differ by backend (FTS5 bm25, PostgreSQL ``ts_rank``, cosine),
and a paper missing from one list has no score there, so z-scores would need the missing
scores fetched or guessed. Ranks need neither, and two backends whose lists agree fuse alike.

The keyword list asks for papers with every word of the query (an index intersection, cheap
at any size) and relaxes to all but one word, then two, while fewer than ``top`` match, but
never below more than half of the words: an any-word match would rank every paper holding a
common word (seconds at a million papers), and the semantic list already covers the loose end.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from paperfeed.embed import Embedder
from paperfeed.models import Explanation, Paper, Recommendation
from paperfeed.rank.explain import query_terms
from paperfeed.rank.lexical import features
from paperfeed.services.common import embed_papers
from paperfeed.store import AppStore
from paperfeed.store.text_query import query_words, word_groups

RRF_K = 60
SEARCH_DEPTH = 100
"""How many papers each list contributes (at least ``top``)."""
SHARED_TERMS = 5


_POOL: list[ThreadPoolExecutor] = []
_POOL_LOCK = threading.Lock()


def _keyword_pool() -> ThreadPoolExecutor:
    """The threads keyword searches run on beside the query's embedding (made once: starting
    a thread per search costs more than the search on a busy machine)."""
    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=4, thread_name_prefix="pf-keywords"))
        return _POOL[0]


def embed_query(embedder: Embedder, text: str) -> np.ndarray:
    """The query's vector: from the embedder's one-text path where it has one (MiniLM's
    one-thread session), else from :meth:`Embedder.embed`."""
    one = getattr(embedder, "embed_query", None)
    return np.asarray(one(text) if one is not None else embedder.embed([text])[0])


def rrf(lists: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal-rank fusion: each id's sum of ``1 / (k + rank)`` over the lists it is in
    (ranks from 1), in the order ids are first met."""
    fused: dict[str, float] = {}
    for ids in lists:
        for rank, pid in enumerate(ids, start=1):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (k + rank)
    return fused


def keyword_hits(store: AppStore, text: str, limit: int, enough: int) -> list[tuple[str, float]]:
    """The full-text top ``limit`` of papers with every word of ``text``; while fewer than
    ``enough`` have them all, of papers lacking one word, then two, as long as more than
    half of the words must still be there."""
    words = query_words(text)
    hits: list[tuple[str, float]] = []
    asked: list[list[list[str]]] = []
    for missing in range((len(words) - 1) // 2 + 1):
        groups = word_groups(words, match_all=True, missing=missing)
        if groups in asked:  # too many combinations: the store would ask the same again
            break
        asked.append(groups)
        hits = store.search_text(text, limit=limit, match_all=True, missing=missing)
        if len(hits) >= enough:
            break
    return hits


def _cosines(
    store: AppStore,
    embedder: Embedder,
    papers: Sequence[Paper],
    qvec: np.ndarray,
    known: dict[str, float],
) -> list[float]:
    """Each paper's cosine to the query: from the nearest-neighbour answer where the paper
    was in it, else from its cached (or, not cached, newly embedded) vector."""
    rest = [p for p in papers if p.content_hash not in known]
    if rest:
        vecs = embed_papers(store, embedder, rest)[0] @ np.asarray(qvec, dtype=np.float32)
        known = known | {p.content_hash: float(v) for p, v in zip(rest, vecs, strict=True)}
    return [known[p.content_hash] for p in papers]


def hybrid_search(
    store: AppStore,
    embedder: Embedder,
    query: str,
    *,
    top: int,
    depth: int = SEARCH_DEPTH,
    viewer: str | None = None,
) -> list[Recommendation]:
    """The ``top`` papers for ``query`` (0: every paper of both lists): keyword and semantic
    top ``depth`` fused by :func:`rrf`, best first, each explained by its cosine to the query
    and the query's terms it contains. The keyword search runs while the query is embedded.
    With a ``viewer``, papers other users uploaded (:meth:`private_to_others`) are left out."""
    depth = max(depth, top)
    pending = _keyword_pool().submit(keyword_hits, store, query, depth, top or depth)
    qvec = embed_query(embedder, query)
    near = store.nearest_papers(embedder.name, qvec, depth)
    keyword = pending.result()
    semantic = [pid for pid, _, _ in near]
    fused = rrf([[pid for pid, _ in keyword], semantic])
    if viewer is not None:
        for pid in store.private_to_others(viewer, list(fused)):
            del fused[pid]
    best = sorted(fused, key=lambda pid: -fused[pid])[: top or None]  # ties: first met first
    papers = store.get_papers(best)
    if not papers:
        return []
    cosines = _cosines(store, embedder, papers, qvec, {h: c for _, h, c in near})
    lexical, k_rank = dict(keyword), {pid: r for r, (pid, _) in enumerate(keyword, start=1)}
    s_rank = {pid: r for r, pid in enumerate(semantic, start=1)}
    qpaper = Paper(id="query:" + query, title=query)
    qfeats = features(query)
    top_score = 2.0 / (RRF_K + 1)  # first in both lists
    out = []
    for rank, (paper, cosine) in enumerate(zip(papers, cosines, strict=True), start=1):
        score = fused[paper.id] / top_score
        why = Explanation(
            closest_id=qpaper.id,
            closest_title=qpaper.display_title,
            similarity=float(cosine),
            shared_terms=query_terms(qfeats, paper.text, SHARED_TERMS),
            kind="query",
        )
        parts = {
            "relevance": score,
            "dense": float(cosine),
            "lexical": lexical.get(paper.id, 0.0),
            "keyword_rank": float(k_rank.get(paper.id, 0)),
            "semantic_rank": float(s_rank.get(paper.id, 0)),
        }
        out.append(Recommendation(paper, score, rank, why, parts))
    return out
