"""What both benchmarks share: paperfeed's own ranking of a pool, and result tables."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np

from paperfeed.ids import title_key
from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, CandidatePool, RankParams, rank

Results = dict[str, dict[str, float]]
"""``{method: {metric: value}}``."""

PAPERFEED = "paperfeed"


def complete_order(ranked: Sequence[int], papers: Sequence[Paper]) -> list[int]:
    """Extend a ranking of some of ``papers`` (indices) to all of them.

    The product shows a paper once even if the pool holds it twice (same normalized title),
    but a benchmark judges every pool entry: a left-out duplicate is placed right after
    the copy that was ranked; anything else left out goes last, in pool order.
    """
    placed = set(ranked)
    by_title: dict[str, list[int]] = {}
    tail: list[int] = []
    ranked_titles = {title_key(papers[i].title) for i in ranked if papers[i].title}
    for i, p in enumerate(papers):
        if i in placed:
            continue
        key = title_key(p.title) if p.title else ""
        if key and key in ranked_titles:
            by_title.setdefault(key, []).append(i)
        else:
            tail.append(i)
    out: list[int] = []
    for i in ranked:
        out.append(i)
        key = title_key(papers[i].title) if papers[i].title else ""
        out.extend(by_title.pop(key, []))
    return out + tail


def paperfeed_order(
    profile: Sequence[Paper],
    profile_vecs: np.ndarray,
    pool: CandidatePool,
    positions: Mapping[str, int],
    params: RankParams = DEFAULT_PARAMS,
    *,
    negatives: Sequence[Paper] = (),
    negative_vecs: np.ndarray | None = None,
) -> list[int]:
    """Pool indices in the order the product's ranker (:func:`paperfeed.rank.rank`, all
    candidates scored, no explanations) puts them, completed by :func:`complete_order`.
    ``positions`` maps each pool paper's id to its index; ``negatives`` are downvoted
    papers, as ``recommend`` passes them."""
    recs = rank(
        profile,
        profile_vecs,
        pool,
        negatives=negatives,
        negative_vecs=negative_vecs,
        top=0,
        params=params,
        explain=0,
    )
    return complete_order([positions[r.paper.id] for r in recs], pool.papers)


def to_json(results: Results) -> str:
    """One JSON object ``{method: {metric: value}}``."""
    return json.dumps({m: {k: round(v, 6) for k, v in ms.items()} for m, ms in results.items()})


def markdown_table(results: Results, metrics: Sequence[str], *, digits: int = 3) -> str:
    """A markdown table, methods as rows and ``metrics`` as columns."""
    cells = {
        m: [f"{v.get(k, float('nan')):.{digits}f}" for k in metrics] for m, v in results.items()
    }
    width = max([len("method"), *(len(m) for m in results)])
    cols = [max([len(k), *(len(c[i]) for c in cells.values())]) for i, k in enumerate(metrics)]
    rows = [
        f"| {'method':<{width}} | "
        + " | ".join(f"{k:>{w}}" for k, w in zip(metrics, cols, strict=True))
        + " |",
        f"|{'-' * (width + 2)}|" + "|".join("-" * (w + 1) + ":" for w in cols) + "|",
    ]
    for method, row in cells.items():
        rows.append(
            f"| {method:<{width}} | "
            + " | ".join(f"{c:>{w}}" for c, w in zip(row, cols, strict=True))
            + " |"
        )
    return "\n".join(rows)
