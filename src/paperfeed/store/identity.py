"""One paper across sources: the title and abstract keys and the rules for merging records by
them. Pure.

A paper seen on arXiv, on Hugging Face and in a BibTeX file may arrive with three ids
(``2406.12345``, ``text:…``, ``doi:…``). Records whose normalized titles agree are merged
into the strongest id: an arXiv id, else a DOI, else whatever came first.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from typing import Any

from paperfeed import ids
from paperfeed.latex import latex_to_text
from paperfeed.models import Paper
from paperfeed.store.merge import MERGED_FIELDS, is_empty

MIN_TITLE_WORDS = 4  # shorter titles ("Introduction", "Deep Learning") never match
MIN_KEY_CHARS = 16
MIN_ABSTRACT_WORDS = 20  # short texts ("See the paper.", a one-line note) never match
_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    """Accents and compatibility forms away: ``Müller 𝒪(n)`` → ``Muller O(n)``."""
    if text.isascii():  # nothing to fold (most titles and abstracts)
        return text
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def match_key(title: str) -> str | None:
    """The key two records of one paper share (:func:`paperfeed.ids.title_key` of the title
    rendered from LaTeX and folded), or None when the title is too short to match on."""
    if not title:
        return None
    # only commands and math change the letters; braces, dashes and quotes are dropped anyway
    text = _fold(latex_to_text(title) if "\\" in title or "$" in title else title)
    if len(_WORD.findall(text)) < MIN_TITLE_WORDS:
        return None
    key = ids.title_key(text)
    return key if len(key) >= MIN_KEY_CHARS else None


@functools.lru_cache(maxsize=65536)
def abstract_key(abstract: str) -> str | None:
    """The key two records with the same abstract share (the abstract rendered from LaTeX,
    folded, reduced to letters and digits, hashed), or None for a short or missing one: an
    abstract pasted without its title is the same paper as its arXiv record."""
    if not abstract:
        return None
    text = _fold(latex_to_text(abstract) if "\\" in abstract or "$" in abstract else abstract)
    if len(_WORD.findall(text)) < MIN_ABSTRACT_WORDS:
        return None
    return "a" + hashlib.sha1(ids.title_key(text).encode()).hexdigest()[:24]


def id_strength(paper_id: str) -> int:
    """3 for an arXiv id, 2 for ``doi:…``, 1 for anything else (``text:``, ``conf:``, …)."""
    if ids.is_arxiv_id(paper_id):
        return 3
    if paper_id.startswith("doi:"):
        return 2
    return 1


def _surnames(authors: tuple[str, ...]) -> set[str]:
    out = set()
    for name in authors:
        words = _WORD.findall(_fold(name).lower())
        if words:
            out.add(words[-1])
    return out


def compatible(a: Paper, b: Paper) -> bool:
    """May two records with the same title key be one paper? Not when both carry strong
    ids of the same kind (two arXiv ids, two DOIs), different DOIs, or author lists that
    share no surname."""
    sa, sb = id_strength(a.id), id_strength(b.id)
    if sa == sb and sa >= 2:
        return False
    if a.doi and b.doi and a.doi != b.doi:
        return False
    if a.authors and b.authors:
        na, nb = _surnames(a.authors), _surnames(b.authors)
        if na and nb and not na & nb:
            return False
    return True


def survivor(a: Paper, b: Paper) -> tuple[Paper, Paper]:
    """``(kept, merged_away)``: the stronger id wins; on a tie the first (existing) one."""
    return (b, a) if id_strength(b.id) > id_strength(a.id) else (a, b)


def fill_merge(kept: Paper, other: Paper) -> Paper:
    """``kept`` with its empty fields filled from ``other``; sources united, ``extra``
    merged (``kept`` wins on a clash). The id is ``kept.id``."""
    changes: dict[str, Any] = {}
    for name in MERGED_FIELDS:
        value = getattr(kept, name)
        changes[name] = getattr(other, name) if is_empty(value) else value
    changes["extra"] = {**other.extra, **kept.extra}
    changes["sources"] = tuple(dict.fromkeys(kept.sources + other.sources))
    return kept.with_(**changes)
