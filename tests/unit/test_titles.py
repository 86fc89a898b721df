"""Derived titles for untitled (pasted) abstracts."""

from __future__ import annotations

from paperfeed.models import Paper
from paperfeed.titles import contribution_sentence, derive_title, sentences

ABSTRACT = (
    "Large language models face challenges with outdated knowledge. Knowledge editing has "
    "emerged as a remedy. To address this, we propose a novel editing framework termed "
    "FlexEdit, which adapts the edit to each layer. Experiments show gains."
)


def test_sentences_split_on_end_punctuation() -> None:
    assert len(sentences(ABSTRACT)) == 4
    assert sentences("  ") == []


def test_the_contribution_sentence_is_found_past_the_context() -> None:
    assert contribution_sentence(ABSTRACT).startswith("To address this, we propose")
    assert contribution_sentence("Graphs are everywhere. They matter.") == "Graphs are everywhere."


def test_derived_title_names_the_contribution() -> None:
    assert derive_title(ABSTRACT) == "Editing framework termed FlexEdit"
    this_paper = "This paper presents CoRA (Collaborative LoRA), a new paradigm for LLMs."
    assert derive_title(this_paper) == "CoRA (Collaborative LoRA)"
    long = "We propose " + " ".join(f"w{i}" for i in range(30)) + "."
    assert len(derive_title(long).split()) <= 11
    assert derive_title("") == ""


def test_derived_title_does_not_split_hyphenated_words() -> None:
    text = "We propose the unique idea of crowdsourcing passing-by vehicles to compute."
    assert "passing-by" in derive_title(text)


def test_display_title_marks_a_derived_title() -> None:
    assert (
        Paper(id="text:1", abstract=ABSTRACT).display_title == "[Editing framework termed FlexEdit]"
    )
    assert Paper(id="x", title="Real", abstract=ABSTRACT).display_title == "Real"
    assert Paper(id="text:2", title="").display_title == "text:2"
