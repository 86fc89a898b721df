"""What both benchmarks share: paperfeed's own ranking of a pool, and result tables."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np

from paperfeed.ids import title_key
from paperfeed.models import Paper
from paperfeed.rank import CandidatePool, RankParams, rank_orders

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


def paperfeed_orders(
    profile: Sequence[Paper],
    profile_vecs: np.ndarray,
    pools: Mapping[bool, CandidatePool],
    variants: Mapping[str, RankParams],
    *,
    negatives: Sequence[Paper] = (),
    negative_vecs: np.ndarray | None = None,
) -> dict[str, list[int]]:
    """For each settings of ``variants``, pool indices in the order the product's ranker
    puts them (:func:`paperfeed.rank.rank`, all candidates scored; through
    :func:`paperfeed.rank.rank_orders`, which gives the same orders and computes the
    signals once for the variants that share them), completed by :func:`complete_order`.
    ``pools`` holds the candidates by ``use_bigrams`` (every pool the same papers);
    ``negatives`` are downvoted papers, as ``recommend`` passes them."""
    got = rank_orders(
        profile,
        profile_vecs,
        pools,
        variants,
        negatives=negatives,
        negative_vecs=negative_vecs,
    )
    papers = next(iter(pools.values())).papers
    return {name: complete_order(order, papers) for name, order in got.items()}


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
