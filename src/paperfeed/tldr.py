"""One-line TL;DRs chosen from an abstract (extractive, offline): each sentence is scored on
cues that it states the paper's contribution or main result, and the best one is the TL;DR.
Pure. ``benchmarks/bench_tldr.py`` measures the choice against hand labels."""

from __future__ import annotations

import re

from paperfeed.titles import sentences

MAX_CHARS = 300
"""A TL;DR longer than this is cut at a word boundary and ends with an ellipsis."""

_FIRST_PERSON = re.compile(
    r"\b(?:we|this (?:paper|article|work|study|letter|report)|our (?:work|paper|study)|"
    r"in this (?:paper|work|study))\b",
    re.IGNORECASE,
)
_PROPOSE = re.compile(r"(?<!the )(?<!our )\b(?:propos|present|introduc)\w*", re.IGNORECASE)
_BUILD = re.compile(r"\b(?:develop|design|construct|creat|buil[dt])\w*", re.IGNORECASE)
_STUDY = re.compile(
    r"\b(?:stud(?:y|ies|ied)|investigat\w*|examin\w*|evaluat\w*|address\w*|argu\w*|"
    r"test(?:s|ed)?|assess\w*|measur\w*|explor\w*|analy[sz]\w*|"
    r"find|found|show\w*|reveal\w*|demonstrat\w*)\b",
    re.IGNORECASE,
)
_RESULT = re.compile(
    r"\b(?:results? (?:show|suggest|demonstrate|reveal|indicate)\w*|outperform\w*|"
    r"achiev\w*|improv\w*|reduc\w*|speed-?up|state-of-the-art|we find|we show)\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"^(?:however|recent(?:ly)?|existing|despite|although|while|current|traditional|"
    r"conventional|most|many|prior|previous)\b",
    re.IGNORECASE,
)
_FOLLOW_UP = re.compile(
    r"^(?:we (?:further|also|then)|further(?:more)?|additionally|moreover|specifically|"
    r"technically|finally|it|this|these|they|our (?:analysis|results|findings))\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"https?://|\bgithub\b|\bavailable (?:at|online)\b|\bproject page\b|\bcode (?:and|is)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"[A-Za-z][\w-]*[A-Z0-9][\w-]*")  # an acronym or CamelCase: a method's name
_WORD = re.compile(r"[a-z][a-z0-9-]{3,}")
_STOP = frozenset(
    {
        "with", "from", "that", "this", "their", "these", "those", "into", "over", "under",
        "using", "based", "towards", "toward", "large", "model", "models", "language",
        "learning", "method", "approach", "framework", "study", "paper",
    }
)  # fmt: skip


def _title_names(title: str) -> set[str]:
    """The names a title gives (``RAG-R1``, ``InstaInpaint``), lower-cased."""
    return {m.lower().strip("-") for m in _NAME.findall(title) if len(m) > 2}


def _title_words(title: str) -> set[str]:
    return {w for w in _WORD.findall(title.lower()) if w not in _STOP}


def sentence_score(sentence: str, position: int, title: str = "") -> float:
    """How likely ``sentence`` (the ``position``-th of its abstract, from 0) states what the
    paper contributes or finds: contribution and result cues up, background, follow-up
    detail and links down, words and names shared with the ``title`` up."""
    score = 0.0
    lead = sentence.lstrip("([ ")
    first_person = bool(_FIRST_PERSON.search(sentence))
    if first_person and _PROPOSE.search(sentence):
        score += 4.0
    elif first_person and _BUILD.search(sentence):
        score += 2.5
    elif first_person and _STUDY.search(sentence):
        score += 2.0
    elif _PROPOSE.search(sentence) or _BUILD.search(sentence) or _STUDY.search(sentence):
        score += 0.5
    if _RESULT.search(sentence):
        score += 1.0
    if _BACKGROUND.match(lead):
        score -= 1.5
    if _FOLLOW_UP.match(lead):
        score -= 1.0
    if _BOILERPLATE.search(sentence):
        score -= 5.0
    names = _title_names(title)
    if names and names & {m.lower().strip("-") for m in _NAME.findall(sentence)}:
        score += 2.0
    words = _title_words(title)
    if words:
        score += 1.5 * len(words & set(_WORD.findall(sentence.lower()))) / len(words)
    n_words = len(sentence.split())
    if n_words < 8 or n_words > 70:
        score -= 1.0
    return score - 0.05 * position


def extractive_tldr(abstract: str, title: str = "") -> str:
    """The abstract's sentence that best states its contribution or result (see
    :func:`sentence_score`), at most :data:`MAX_CHARS` characters; empty without an
    abstract."""
    found = sentences(abstract)
    return shorten_tldr(found[best_sentence(found, title)]) if found else ""


def best_sentence(found: list[str], title: str = "") -> int:
    """The index of the best-scoring of an abstract's ``found`` sentences (the earlier one on
    a tie); ``found`` must not be empty."""
    return max(range(len(found)), key=lambda i: (sentence_score(found[i], i, title), -i))


def first_sentence(abstract: str) -> str:
    """The baseline TL;DR: the abstract's first sentence."""
    found = sentences(abstract)
    return shorten_tldr(found[0]) if found else ""


def shorten_tldr(text: str) -> str:
    """``text`` on one line, cut at a word boundary to :data:`MAX_CHARS` characters."""
    text = " ".join(text.split())
    if len(text) <= MAX_CHARS:
        return text
    return text[: MAX_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + " …"
