"""The extractive TL;DR, the chat answer parser and the per-user filters (pure)."""

from __future__ import annotations

import pytest

from paperfeed.fetch.llm import parse_answer, tldr_prompt
from paperfeed.models import Explanation, Paper, Recommendation
from paperfeed.services.filters import keep_candidates, keep_recommendations, phrase_pattern
from paperfeed.settings import UserDelivery
from paperfeed.tldr import MAX_CHARS, extractive_tldr, first_sentence

ABSTRACT = (
    "Large language models have changed many fields. However, they hallucinate. "
    "In this paper, we propose FlexEdit, a framework that edits facts in place. "
    "Experiments show that FlexEdit outperforms the strongest baseline by 9 points. "
    "Code is available at https://github.com/x/y."
)


def test_the_tldr_is_the_contribution_sentence_not_the_first() -> None:
    assert extractive_tldr(ABSTRACT, "FlexEdit: editing facts").startswith("In this paper, we")
    assert first_sentence(ABSTRACT).startswith("Large language models")
    assert extractive_tldr("", "t") == ""


def test_a_result_sentence_wins_when_nothing_is_proposed() -> None:
    text = (
        "Sorting networks are old. Many variants exist. Our results show that a simple "
        "bitonic layout reaches the lower bound on eight inputs."
    )
    assert extractive_tldr(text).startswith("Our results show")


def test_a_long_sentence_is_cut_at_a_word() -> None:
    long = "We propose " + "a very long method name " * 40 + "."
    out = extractive_tldr(long)
    assert len(out) <= MAX_CHARS and out.endswith(" …")


def test_chat_answers_are_parsed_strictly() -> None:
    ok = {"choices": [{"message": {"content": ' "TL;DR: FlexEdit edits facts in place." '}}]}
    assert parse_answer(ok) == "FlexEdit edits facts in place."
    for bad in ({}, {"choices": []}, {"choices": [{"message": {"content": ""}}]}, []):
        with pytest.raises(ValueError):
            parse_answer(bad)
    with pytest.raises(ValueError, match="not one sentence"):
        parse_answer({"choices": [{"message": {"content": "word " * 200}}]})
    assert "German" in tldr_prompt("T", "A", "German")[1]["content"]


def _paper(pid: str, title: str, cats: tuple[str, ...] = ("cs.LG",)) -> Paper:
    return Paper(id=pid, title=title, abstract="An abstract.", categories=cats)


def test_keyword_phrase_and_category_filters_match_whole_words_in_any_case() -> None:
    papers = [
        _paper("1", "Diffusion models for text"),
        _paper("2", "A survey of diffusion"),
        _paper("3", "Large Language-Model agents", ("cs.CL",)),
        _paper("4", "Diffusions everywhere"),  # not the whole word
        _paper("5", "Diffusion in physics", ("physics.flu-dyn",)),
    ]
    user = UserDelivery(
        "u",
        "",
        include=("diffusion", "language model"),
        exclude=("SURVEY",),
        categories=("cs.LG", "cs.CL"),
    )
    assert [p.id for p in keep_candidates(papers, user)] == ["1", "3"]
    assert [p.id for p in keep_candidates(papers, user, shown={"1"})] == ["3"]
    again = UserDelivery("u", "", show_again=True)
    assert len(keep_candidates(papers, again, shown={"1", "2"})) == 5
    assert phrase_pattern([" "]) is None


def test_min_score_and_muted_interests_drop_recommendations() -> None:
    def rec(pid: str, score: float, interest: str) -> Recommendation:
        e = Explanation(pid, "t", 0.5, interest_name=interest)
        return Recommendation(_paper(pid, "t"), score, 1, e)

    recs = [rec("1", 0.9, "Optimizers + 3 more"), rec("2", 0.8, "Agents"), rec("3", 0.1, "x")]
    user = UserDelivery("u", "", min_score=0.2, muted=("optimizers",))
    assert [r.paper.id for r in keep_recommendations(recs, user)] == ["2"]
