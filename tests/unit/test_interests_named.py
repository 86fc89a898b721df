"""Named interests (issue 13.1) and explanations worded per command (issue 13.6)."""

from __future__ import annotations

import numpy as np

from paperfeed.digest.email import group_by_interest, interest_label
from paperfeed.digest.html import render_html
from paperfeed.models import Explanation, Paper, Recommendation
from paperfeed.rank.interests import describe_interests, short_title


def unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


PAPERS = [
    Paper(id="a1", title="Low-rank optimizer states for LLM training"),
    Paper(id="a2", title="Memory-efficient training with projected gradients"),
    Paper(id="a3", title="Subspace descent for large models"),
    Paper(id="b1", abstract="We propose FlexGraph, a graph network for molecules. " * 3),
]
VECS = np.stack([unit([1, 0.1, 0]), unit([1, 0.3, 0]), unit([1, 0.2, 0]), unit([0, 0, 1])])


def test_interests_are_named_by_their_most_central_paper() -> None:
    found = describe_interests(PAPERS, VECS, np.array([0, 0, 0, 1]))
    assert [it.index for it in found] == [0, 1]
    assert found[0].name == "Subspace descent for large models + 2 more"  # the middle one
    assert found[0].anchor == "a1" and found[0].paper_ids == ("a1", "a2", "a3")
    assert found[1].name == "FlexGraph"  # derived from the abstract, brackets dropped
    assert describe_interests([], np.zeros((0, 3)), np.zeros(0, dtype=int)) == []


def test_short_title_cuts_at_a_word() -> None:
    long = Paper(id="x", title="A " + "very " * 20 + "long title")
    cut = short_title(long, 30)
    assert len(cut) <= 31 and cut.endswith("…") and not cut.endswith(" …")


def rec(interest: int, name: str, rank: int) -> Recommendation:
    why = Explanation("a1", "Low-rank optimizer states", 0.7, ("memory",), interest, name)
    return Recommendation(Paper(id=f"p{rank}", title=f"Paper {rank}"), 5.0 - rank, rank, why)


def test_digest_sections_carry_names_in_order_of_relevance() -> None:
    recs = [rec(2, "Graphs for molecules", 1), rec(0, "Low-rank training", 2), rec(2, "", 3)]
    groups = group_by_interest(recs)
    assert [g.label for g in groups] == ["Graphs for molecules", "Low-rank training"]
    html = render_html(recs, title="t")
    assert "Graphs for molecules (2)" in html and "Interest" not in html
    assert interest_label(rec(4, "", 1)) == "near “Low-rank optimizer states”"


def test_each_command_explains_in_its_own_terms() -> None:
    base = Explanation("2608.12332", "A paper", 0.61, ("graph", "molecule"))
    assert base.sentence().startswith("closest to your paper “A paper”")
    query = Explanation("query:low-rank", "low-rank", 0.5, ("low-rank",), kind="query")
    assert query.sentence() == "matches your query: low-rank (similarity 0.50)"
    assert "your paper" not in query.sentence()
    paper = Explanation("2608.12332", "A paper", 0.61, ("graph",), kind="paper")
    assert paper.sentence() == "shares with 2608.12332: graph (similarity 0.61)"
