"""Free text to a full-text query, the same words for every backend: each word quoted (so no
query syntax can leak through), common English words dropped when others remain, and the
words grouped as the match asks — any word, every word, or every word but ``missing`` of them
(the "minimum should match" of Lucene's boolean queries: an OR of the AND of each combination
of the words, so only papers with that many of them match, and the index can skip the rest)."""

from __future__ import annotations

import math
import re
from itertools import combinations

MAX_QUERY_TERMS = 64
MAX_GROUPS = 16
"""The most AND groups a partial match may be spelled with; a query with more combinations
asks for fewer missing words (every word, at the end)."""
_TOKEN = re.compile(r"\w+")
_STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have",
        "in", "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to",
        "was", "we", "were", "which", "with",
    )
)  # fmt: skip


def query_words(text: str) -> list[str]:
    """The distinct lowercased words of ``text`` in order, without the common English ones
    unless nothing else is left, at most ``MAX_QUERY_TERMS``."""
    words = list(dict.fromkeys(w.lower() for w in _TOKEN.findall(text)))
    content = [w for w in words if w not in _STOPWORDS]
    return (content or words)[:MAX_QUERY_TERMS]


def word_groups(words: list[str], *, match_all: bool = False, missing: int = 0) -> list[list[str]]:
    """The query as an OR of AND groups: one group per word (any word), one group of all of
    them (``match_all``), or with ``missing`` > 0 one group per combination of all but
    ``missing`` words (fewer missing while that would exceed ``MAX_GROUPS`` groups)."""
    if not words:
        return []
    if not match_all:
        return [[w] for w in words]
    missing = max(0, min(missing, len(words) - 1))
    while missing and math.comb(len(words), len(words) - missing) > MAX_GROUPS:
        missing -= 1
    return [list(g) for g in combinations(words, len(words) - missing)]


def fts_query(text: str, *, match_all: bool = False, missing: int = 0) -> str | None:
    """An FTS5 query for free text (see :func:`word_groups`), or None without words."""
    found = fts_match(text, match_all=match_all, missing=missing)
    return found[0] if found else None


def fts_match(text: str, *, match_all: bool = False, missing: int = 0) -> tuple[str, int] | None:
    """The FTS5 query for free text and how often it names each word (bm25 sums over every
    phrase of a query, so a paper's score divided by that is its score for the words once),
    or None without words."""
    groups = word_groups(query_words(text), match_all=match_all, missing=missing)
    if not groups:
        return None
    repeats = sum(1 for g in groups if groups[0][0] in g)
    spelled = [" AND ".join(f'"{w}"' for w in g) for g in groups]
    if len(spelled) == 1:
        return spelled[0], repeats
    joined = " OR ".join(
        f"({s})" if len(g) > 1 else s for s, g in zip(spelled, groups, strict=True)
    )
    return joined, repeats
