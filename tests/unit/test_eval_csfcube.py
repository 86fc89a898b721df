"""CSFCube loading, faceted queries and scoring on a tiny synthetic release."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperfeed.embed import HashingEmbedder
from paperfeed.evaluation.csfcube import (
    METHODS,
    CsfQuery,
    label_facet,
    load_csfcube,
    query_metrics,
    query_paper,
    run_csfcube,
)
from paperfeed.evaluation.harness import complete_order, markdown_table, to_json
from paperfeed.models import Paper

TOPICS = {
    "q": ("graph neural networks for molecules", "we use message passing", "accuracy improves"),
    "a": ("molecular graph learning", "message passing layers on atoms", "we beat baselines"),
    "b": ("speech recognition", "acoustic models with phonemes", "word error rate drops"),
    "c": ("image segmentation", "convolution over pixels", "higher intersection over union"),
    "d": ("query optimization", "cost models for joins", "plans run faster"),
}
LABELS = ["background_label", "method_label", "result_label"]


def write_release(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "abstracts.jsonl", "w") as fh:
        for pid, sents in TOPICS.items():
            labels = ["objective_label", "method_label", "result_label"] if pid == "q" else LABELS
            d = {"paper_id": pid, "year": "2020", "title": f"title {pid}", "abstract": list(sents)}
            fh.write(json.dumps({**d, "pred_labels": labels}) + "\n")
    pool = {"cands": ["b", "a", "c", "q", "d"], "relevance_adju": [0, 3, 1, 2, 0]}
    for facet in ("background", "method", "result"):
        (root / f"test-pid2anns-csfcube-{facet}.json").write_text(json.dumps({"q": pool}))
    (root / "queries-release.csv").write_text(
        "pid,facet,year,title,paper type\nq,method,2020,t,x\nq,background,2020,t,x\n"
        "q,result,2020,t,x\n"
    )
    return root


def test_label_facet() -> None:
    assert label_facet("objective_label") == "background"
    assert label_facet("method_label") == "method"
    assert label_facet("other_label") == "other"


def test_load_and_faceted_query(tmp_path: Path) -> None:
    data = load_csfcube(write_release(tmp_path / "csf"))
    assert [q.key for q in data.queries] == ["q_method", "q_background", "q_result"]
    assert data.queries[0].cands == ("b", "a", "c", "q", "d")
    q = query_paper(data.papers["q"], "background")  # objective counts as background
    assert q.abstract == TOPICS["q"][0] and q.title == ""
    assert q.id != "q"  # so the query paper in its own pool is still ranked
    assert query_paper(data.papers["q"], "method").abstract == TOPICS["q"][1]


def test_load_reports_a_missing_release(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a CSFCube directory"):
        load_csfcube(tmp_path)


def test_query_metrics_perfect_and_invalid() -> None:
    q = CsfQuery("q", "method", ("b", "a", "c", "q", "d"), (0, 3, 1, 2, 0))
    # k = int(0.2 * 5) = 1: the best candidate first gives 100.
    assert query_metrics(q, [1, 3, 2, 0, 4]) == {"MAP": 100.0, "NDCG%20": 100.0}
    worst = query_metrics(q, [0, 4, 2, 3, 1])
    assert worst["NDCG%20"] == 0.0
    assert worst["MAP"] == pytest.approx(100 * (1 / 4 + 2 / 5) / 2)
    with pytest.raises(ValueError, match="permutation"):
        query_metrics(q, [1, 3])


def test_run_scores_every_method(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    data = load_csfcube(write_release(tmp_path / "csf"))
    emb = HashingEmbedder(64)
    results = run_csfcube(data, lambda ps: emb.embed([p.text for p in ps]))
    assert set(results) == set(METHODS)
    for values in results.values():
        assert set(values) == {"MAP", "NDCG%20"}
        assert all(0.0 <= v <= 100.0 for v in values.values())
    # k = 1; the method query shares "message passing" with a (grade 3) and q (grade 2) only.
    assert results["bm25"]["NDCG%20"] > 0
    assert json.loads(to_json(results)).keys() == results.keys()
    table = markdown_table(results, ["MAP", "NDCG%20"], digits=2)
    assert table.splitlines()[0].startswith("| method")
    assert len(table.splitlines()) == 2 + len(METHODS)


def test_complete_order_puts_dropped_duplicates_after_their_twin() -> None:
    papers = [
        Paper(id="1", title="Same Title"),
        Paper(id="2", title="Other"),
        Paper(id="3", title="same title!"),
        Paper(id="4", title="Lost"),
    ]
    assert complete_order([1, 0], papers) == [1, 0, 2, 3]
    assert complete_order([2, 1, 0, 3], papers) == [2, 1, 0, 3]
    assert complete_order([], papers) == [0, 1, 2, 3]
