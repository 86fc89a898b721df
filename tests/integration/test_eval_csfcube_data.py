"""CSFCube on a fixed slice with the real model: the product's ranker against BM25."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed.embed import get_embedder
from paperfeed.evaluation.csfcube import load_csfcube, run_csfcube
from paperfeed.services import embed_papers
from paperfeed.store import open_store

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "csfcube"

if not DATA.exists():
    pytest.skip("../shared/data/csfcube is not beside the repository", allow_module_level=True)
pytest.importorskip("sklearn")


def test_paperfeed_beats_bm25_on_the_five_smallest_pools(tmp_path: Path) -> None:
    data = load_csfcube(DATA)
    queries = sorted(data.queries, key=lambda q: (len(q.cands), q.key))[:5]
    assert sum(len(q.cands) for q in queries) < 500  # keeps the cold embedding short
    embedder = get_embedder()
    with open_store(tmp_path / "paperfeed.db") as store:
        results = run_csfcube(data, lambda ps: embed_papers(store, embedder, ps)[0], queries)
    for values in results.values():
        assert 0.0 <= values["MAP"] <= 100.0 and 0.0 <= values["NDCG%20"] <= 100.0
    assert results["paperfeed"]["NDCG%20"] > results["bm25"]["NDCG%20"]
    assert results["paperfeed"]["MAP"] > results["bm25"]["MAP"]
