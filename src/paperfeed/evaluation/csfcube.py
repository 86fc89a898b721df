"""CSFCube faceted query-by-example (Mysore et al., NeurIPS 2021 Datasets and Benchmarks).

50 (query paper, facet) pairs — facet ∈ background / method / result — each with a pool of
~90–250 candidate papers judged 0–3 (``relevance_adju``). A method re-ranks each pool;
the figures are MAP (grade ≥ 2 relevant) and NDCG%20 (linear gains over the top 20% of
the pool), averaged over all 50 pairs and given in percent, as published.

The facet is part of the query: the query is the sentences of the query paper's abstract
that the dataset's sentence labels assign to that facet (``objective_label`` counts as
background, as in the Aspire code); candidates are whole papers (title + abstract).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from paperfeed.evaluation import baselines
from paperfeed.evaluation.harness import PAPERFEED, Results, complete_order
from paperfeed.evaluation.metrics import average_precision, mean, ndcg_at_fraction
from paperfeed.models import Paper
from paperfeed.rank import (
    DEFAULT_PARAMS,
    CandidatePool,
    RankParams,
    prepare_candidates,
    rank_similar,
)

FACETS: tuple[str, ...] = ("background", "method", "result")
METRICS: tuple[str, ...] = ("MAP", "NDCG%20")
RELEVANT_GRADE = 2
METHODS: tuple[str, ...] = (PAPERFEED, "bm25", "tfidf-cosine", "minilm-cosine")
"""paperfeed's query by example (``similar``, :func:`paperfeed.rank.rank_similar`); BM25
and tf-idf cosine (idf from the whole collection); plain cosine of the same MiniLM
embeddings paperfeed uses (a reference for the dense part)."""

Embed = Callable[[Sequence[Paper]], np.ndarray]


@dataclass(frozen=True, slots=True)
class CsfPaper:
    id: str
    title: str
    sentences: tuple[str, ...]
    labels: tuple[str, ...]
    """One facet per sentence: background, method, result or other."""
    year: str = ""

    def paper(self) -> Paper:
        """The candidate as a paper: title and the whole abstract, no date."""
        return Paper(id=self.id, title=self.title, abstract=" ".join(self.sentences))

    def facet_sentences(self, facet: str) -> list[str]:
        return [s for s, lab in zip(self.sentences, self.labels, strict=True) if lab == facet]


@dataclass(frozen=True, slots=True)
class CsfQuery:
    pid: str
    facet: str
    cands: tuple[str, ...]
    relevance: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.pid}_{self.facet}"


@dataclass(frozen=True, slots=True)
class CSFCube:
    papers: dict[str, CsfPaper]
    queries: tuple[CsfQuery, ...]


def label_facet(label: str) -> str:
    """Sentence label → facet: ``objective_label`` is background (as Aspire's evaluation
    code maps it), others lose their ``_label`` suffix."""
    name = label.removesuffix("_label")
    return "background" if name == "objective" else name


def load_csfcube(data_dir: str | Path) -> CSFCube:
    """Read the released files; queries in ``queries-release.csv`` order."""
    root = Path(data_dir)
    need = ["abstracts.jsonl", "queries-release.csv"] + [
        f"test-pid2anns-csfcube-{f}.json" for f in FACETS
    ]
    missing = [n for n in need if not (root / n).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{root}: not a CSFCube directory (missing {', '.join(missing)}); "
            "pass the folder holding the released files with --data"
        )
    papers: dict[str, CsfPaper] = {}
    with open(root / "abstracts.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            papers[str(d["paper_id"])] = CsfPaper(
                id=str(d["paper_id"]),
                title=d.get("title") or "",
                sentences=tuple(d["abstract"]),
                labels=tuple(label_facet(x) for x in d["pred_labels"]),
                year=str(d.get("year") or ""),
            )
    anns: dict[str, dict[str, dict[str, list]]] = {}
    for facet in FACETS:
        with open(root / f"test-pid2anns-csfcube-{facet}.json", encoding="utf-8") as fh:
            anns[facet] = json.load(fh)
    with open(root / "queries-release.csv", encoding="utf-8", newline="") as fh:
        order = [(row["pid"], row["facet"]) for row in csv.DictReader(fh)]
    queries = []
    for pid, facet in order:
        ann = anns[facet][pid]
        queries.append(
            CsfQuery(pid, facet, tuple(map(str, ann["cands"])), tuple(ann["relevance_adju"]))
        )
    n_ann = sum(len(a) for a in anns.values())
    if len(queries) != n_ann:
        raise ValueError(f"{root}: {len(queries)} queries listed but {n_ann} annotated")
    unknown = {c for q in queries for c in (q.pid, *q.cands) if c not in papers}
    if unknown:
        raise ValueError(f"{root}: {len(unknown)} pool papers have no abstract")
    return CSFCube(papers, tuple(queries))


def query_paper(paper: CsfPaper, facet: str) -> Paper:
    """The query as a one-paper profile: the abstract's sentences of ``facet`` (the whole
    title + abstract if none is labelled so). Its id is not the paper's, so that the query
    paper itself, when it is in its own pool (it is, twice), is ranked like any candidate."""
    sents = paper.facet_sentences(facet)
    if not sents:
        return Paper(
            id=f"query:{paper.id}:{facet}", title=paper.title, abstract=" ".join(paper.sentences)
        )
    return Paper(id=f"query:{paper.id}:{facet}", abstract=" ".join(sents))


def query_metrics(query: CsfQuery, order: Sequence[int]) -> dict[str, float]:
    """MAP and NDCG%20 (percent) of one re-ranked pool (``order``: pool indices)."""
    gains = [query.relevance[i] for i in order]
    if sorted(order) != list(range(len(query.cands))):
        raise ValueError(f"{query.key}: the ranking is not a permutation of the pool")
    return {
        "MAP": 100.0 * average_precision([g >= RELEVANT_GRADE for g in gains]),
        "NDCG%20": 100.0 * ndcg_at_fraction(gains, 0.2),
    }


def similar_order(
    query: Paper,
    query_vec: np.ndarray,
    pool: CandidatePool,
    positions: dict[str, int],
    params: RankParams = DEFAULT_PARAMS,
) -> list[int]:
    """Pool indices in the order the product's query by example (``similar``,
    :func:`paperfeed.rank.rank_similar`) puts them, completed by :func:`complete_order`
    (the pool's duplicates placed after the copy that was ranked)."""
    recs = rank_similar(query, query_vec, pool, top=0, params=params, explain=0)
    return complete_order([positions[r.paper.id] for r in recs], pool.papers)


def rank_pools(
    data: CSFCube,
    embed: Embed,
    queries: Sequence[CsfQuery] | None = None,
    *,
    params: RankParams = DEFAULT_PARAMS,
    progress: bool = False,
    make_query: Callable[[CsfPaper, str], Paper] | None = None,
) -> dict[str, dict[str, list[int]]]:
    """``{method: {query key: pool indices best first}}`` for every method of :data:`METHODS`.
    ``make_query`` turns (query paper, facet) into the query (default :func:`query_paper`)."""
    queries = list(data.queries if queries is None else queries)
    pool_ids = list(dict.fromkeys(c for q in queries for c in q.cands))
    cand_papers = {pid: data.papers[pid].paper() for pid in pool_ids}
    make_query = make_query or query_paper
    qpapers = [make_query(data.papers[q.pid], q.facet) for q in queries]
    vecs = embed([*cand_papers.values(), *qpapers])
    cand_vec = dict(zip(pool_ids, vecs[: len(pool_ids)], strict=True))
    qvecs = vecs[len(pool_ids) :]

    # Lexical baselines: statistics from the whole collection, scores read off for each pool.
    collection = list(data.papers)
    position = {pid: i for i, pid in enumerate(collection)}
    texts = [data.papers[pid].paper().text for pid in collection]
    stop = baselines.english_stop_words()
    bm25 = baselines.bm25_scores(
        [baselines.bm25_tokenize(t, stop) for t in texts],
        [baselines.bm25_tokenize(q.text, stop) for q in qpapers],
    )
    tfidf = baselines.tfidf_cosine_scores([q.text for q in qpapers], texts, texts)

    out: dict[str, dict[str, list[int]]] = {m: {} for m in METHODS}
    bar = tqdm(queries, desc="ranking", unit="query", disable=not progress, file=sys.stderr)
    for j, q in enumerate(bar):
        papers = [cand_papers[c] for c in q.cands]
        cvecs = np.stack([cand_vec[c] for c in q.cands])
        pool = prepare_candidates(papers, cvecs, params)
        positions = {p.id: i for i, p in enumerate(papers)}
        out[PAPERFEED][q.key] = similar_order(qpapers[j], qvecs[j], pool, positions, params)
        rows = [position[c] for c in q.cands]
        out["bm25"][q.key] = baselines.order_by(bm25[rows, j])
        out["tfidf-cosine"][q.key] = baselines.order_by(tfidf[rows, j])
        out["minilm-cosine"][q.key] = baselines.order_by(cvecs @ qvecs[j])
    bar.close()
    return out


def evaluate(
    queries: Sequence[CsfQuery], orders: dict[str, dict[str, list[int]]]
) -> tuple[Results, dict[str, dict[str, dict[str, float]]]]:
    """(mean metrics per method, per-query metrics per method)."""
    per_query = {
        m: {q.key: query_metrics(q, by_query[q.key]) for q in queries}
        for m, by_query in orders.items()
    }
    results = {
        m: {metric: mean(v[metric] for v in pq.values()) for metric in METRICS}
        for m, pq in per_query.items()
    }
    return results, per_query


def run_csfcube(
    data: CSFCube,
    embed: Embed,
    queries: Sequence[CsfQuery] | None = None,
    *,
    params: RankParams = DEFAULT_PARAMS,
    progress: bool = False,
) -> Results:
    """The whole protocol: ``{method: {"MAP": %, "NDCG%20": %}}`` over ``queries`` (all 50
    by default)."""
    queries = list(data.queries if queries is None else queries)
    orders = rank_pools(data, embed, queries, params=params, progress=progress)
    return evaluate(queries, orders)[0]
