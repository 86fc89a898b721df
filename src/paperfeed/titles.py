"""Short readable titles for papers that have none (pasted abstracts): the phrase that names
what the paper contributes, taken from the sentence that states it. Pure."""

from __future__ import annotations

import re

MAX_WORDS = 11
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'`])")
_SUBJECT = (
    r"\b(?:we|this (?:paper|article|work|study|letter)|our (?:method|approach|framework|work))\b"
)
_VERB = (
    r"(?:propos|present|introduc|develop|design|address|stud|investigat|tackl|explor|"
    r"formulat|establish|show|demonstrat)(?:e|es|ed|ing|y|ies|s)?\b"
)
_CONTRIBUTION = re.compile(_SUBJECT + r"[^.]*?\b" + _VERB, re.IGNORECASE)
_LEAD = re.compile(
    r"^.*?" + _SUBJECT + r"[^.]*?\b" + _VERB + r"\s*(?:here\s+)?(?:that\s+)?", re.IGNORECASE
)
_NAME = re.compile(r"\w+[A-Z0-9]\w*")  # CamelCase or an acronym: a method's name
_ARTICLE = re.compile(r"^(?:a|an|the|novel|new)\s+", re.IGNORECASE)
_CLAUSE = re.compile(
    r"\s*(?:[,;:]|\s-\s|—|(?<=\s)(?:which|that|where|whose|based on|using|via|with|by)\b)\s*"
)
_DANGLING = {
    "a", "an", "the", "of", "for", "to", "in", "on", "and", "or", "with", "by", "from", "via",
    "based", "using", "as", "at", "into", "its", "their", "our",
}  # fmt: skip


def sentences(text: str) -> list[str]:
    """The sentences of an abstract (a light split on end punctuation before a capital)."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def contribution_sentence(abstract: str) -> str:
    """The sentence that states what the paper does ("we propose …", "this paper presents
    …"), else the first sentence; empty for an empty abstract."""
    found = sentences(abstract)
    for s in found:
        if _CONTRIBUTION.search(s):
            return s
    return found[0] if found else ""


def derive_title(abstract: str) -> str:
    """A short title for an untitled paper: the object of its contribution sentence ("we
    propose X, which …" → "X"), at most :data:`MAX_WORDS` words, first letter capitalized."""
    sentence = contribution_sentence(abstract)
    if not sentence:
        return ""
    phrase = sentence
    if _CONTRIBUTION.search(sentence):
        stripped = _LEAD.sub("", sentence, count=1)
        phrase = stripped if len(stripped.split()) >= 3 else sentence
    phrase = _ARTICLE.sub("", _ARTICLE.sub("", phrase.rstrip(".!?")))
    phrase = _head(phrase)
    words = phrase.split()[:MAX_WORDS]
    while len(words) > 3 and words[-1].lower().strip("(),") in _DANGLING:
        words.pop()
    title = " ".join(words).strip(" ,;:-")
    return title[:1].upper() + title[1:]


def _head(phrase: str) -> str:
    """The phrase up to its first clause boundary when that leaves at least two words or a
    system's name ("FlexGraph, a …"); a one-word head ("a new paradigm, CoRA (…), …") gives
    way to the clause after it."""
    parts = _CLAUSE.split(phrase, maxsplit=1)
    head = parts[0]
    if len(head.split()) >= 2 or _NAME.fullmatch(head.strip()):
        return head
    if len(parts) == 2:
        nxt = _CLAUSE.split(parts[1], maxsplit=1)[0]
        if nxt.split():
            return nxt
    return phrase
