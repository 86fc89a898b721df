"""Explanations: the closest profile paper, the terms shared with it, the score's components."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paperfeed.models import Explanation, Paper
from paperfeed.rank.lexical import LexicalIndex
from paperfeed.rank.signals import Signals
from paperfeed.rank.terms import surface_forms, words_and_stems

LEXICAL_SHARE = 0.3  # weight of scaled BM25 next to the cosine when picking the closest paper


def closest_profile_papers(dense: np.ndarray, lexical_pairs: np.ndarray) -> np.ndarray:
    """Per candidate, the index of the profile paper it is closest to: mostly meaning
    (cosine, ``dense``), partly shared words (scaled BM25, ``lexical_pairs``), both (N, P)."""
    pair = dense + LEXICAL_SHARE * lexical_pairs
    return pair.argmax(axis=1)


def shared_terms(
    index: LexicalIndex, cand_feats: Sequence[str], prof_feats: Sequence[str], text: str, n: int
) -> tuple[str, ...]:
    """The ``n`` rarest features two papers share, as the candidate's ``text`` spells them."""
    common = set(cand_feats) & set(prof_feats)
    ranked = sorted(common, key=lambda f: (-index.term_weight(f), f))
    forms = surface_forms(text)
    picked: list[str] = []
    covered: set[str] = set()
    for f in ranked:
        parts = f.split(" ")
        if len(parts) == 1 and f in covered:
            continue
        picked.append(" ".join(forms.get(p, p) for p in parts))
        covered.update(parts)
        if len(picked) == n:
            break
    return tuple(picked)


def query_terms(query_feats: Sequence[str], text: str, n: int) -> tuple[str, ...]:
    """Up to ``n`` of a query's features (:func:`~paperfeed.rank.lexical.features` of its
    text, computed once per query) that ``text`` contains, as ``text`` spells them: word
    pairs first (a pair covers its words), then words, each in the query's order. What a
    search result shares with the query, without an index of the other results; one pass
    over the text's words, then substring tests."""
    words, stems = words_and_stems(text)
    joined = " " + " ".join(s for s in stems if s) + " "
    ordered = [f for f in query_feats if " " in f] + [f for f in query_feats if " " not in f]
    picked: list[str] = []
    covered: set[str] = set()
    for f in dict.fromkeys(ordered):
        parts = f.split(" ")
        if f" {f} " not in joined or (len(parts) == 1 and f in covered):
            continue
        picked.append(" ".join(words[stems.index(p)] for p in parts))
        covered.update(parts)
        if len(picked) == n:
            break
    return tuple(picked)


def explanation(
    closest: Paper, similarity: float, interest: int, terms: tuple[str, ...] = ()
) -> Explanation:
    """Why a candidate is recommended: its ``closest`` profile paper (cosine ``similarity``,
    in ``interest``) and the ``terms`` they share."""
    return Explanation(
        closest_id=closest.id,
        closest_title=closest.display_title,
        similarity=similarity,
        shared_terms=terms,
        interest=interest,
    )


def components(signals: Signals, i: int) -> dict[str, float]:
    """The raw signals of candidate ``i`` (0 for a classifier that was not fitted)."""
    s = signals
    return {
        "dense": float(s.dense_max[i]),
        "interest": float(s.interest[i]),
        "lexical": float(s.lexical[i]),
        "profile_lexical": float(s.profile_lexical[i]),
        "recency": float(s.recency[i]),
        "classifier": float(s.classifier[i]) if s.classifier is not None else 0.0,
        "lexical_classifier": (
            float(s.lexical_classifier[i]) if s.lexical_classifier is not None else 0.0
        ),
        **({"popularity": float(s.popularity[i])} if s.popularity is not None else {}),
    }
