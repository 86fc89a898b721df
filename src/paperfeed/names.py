"""Author names compared as people write them differently: one normalization. Pure.

Kept at the bottom layer so that the store (author lookup) and the author pages
(:mod:`paperfeed.authors`) agree on when two names are one name.
"""

from __future__ import annotations

import re
import unicodedata

from paperfeed.models import Paper

_WORD = re.compile(r"\w+")


def name_key(name: str) -> str:
    """A name for comparing: accents, case, punctuation and word order dropped
    (``"Liu, Qiang"`` and ``"QIANG LIU"`` → ``"liu qiang"``)."""
    norm = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in norm if not unicodedata.combining(c)).lower()
    return " ".join(sorted(_WORD.findall(folded.replace("_", " "))))


def has_author(paper: Paper, name: str) -> bool:
    """True if one of ``paper``'s authors is ``name`` (see :func:`name_key`)."""
    key = name_key(name)
    return bool(key) and any(name_key(a) == key for a in paper.authors)
