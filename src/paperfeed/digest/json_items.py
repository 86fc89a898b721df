"""Recommendations as JSON: the item shape of ``paperfeed recommend --format json``, which the
JSON webhook channel posts too (with each item's links added). Pure."""

from __future__ import annotations

from typing import Any

from paperfeed.digest.content import Digest
from paperfeed.digest.email import sections
from paperfeed.models import Recommendation

FORMAT_VERSION = 1
"""Version of the JSON webhook's document (raised when a field changes meaning)."""


def recommendation_json(r: Recommendation) -> dict[str, Any]:
    """One recommendation: rank, score, the paper, its TL;DR, the explanation (with its
    sentence) and the score's components."""
    e = r.explanation
    return {
        "rank": r.rank,
        "score": round(r.score, 6),
        "paper": r.paper.to_json(),
        "tldr": r.tldr,
        "followed": list(r.followed),
        "explanation": {
            "closest_id": e.closest_id,
            "closest_title": e.closest_title,
            "similarity": round(e.similarity, 4),
            "shared_terms": list(e.shared_terms),
            "interest": e.interest,
            "interest_name": e.interest_name,
            "kind": e.kind,
            "text": e.sentence(),
        },
        "components": {k: round(v, 4) for k, v in r.components.items()},
        "reranked": "ranker_rank" in r.components,
    }


def digest_json(digest: Digest, *, ratings: bool = True) -> dict[str, Any]:
    """The digest as one JSON document: who and when, ``kind`` (digest or status), the
    notices, ``items`` and ``ask`` in the shape of :func:`recommendation_json` plus their
    ``links`` (abs, pdf and, with ``ratings``, the one-click up/down links), ``sections`` (the
    headings and the ids under each, as the e-mail groups them) and, for a status, its lines.
    Titles and abstracts are data here: whoever shows them must escape them."""

    def item(r: Recommendation) -> dict[str, Any]:
        links = digest.links.items[r.paper.id]
        out = {"abs": links.abs, "pdf": links.pdf}
        if ratings:
            out |= {"up": links.up, "down": links.down}
        return recommendation_json(r) | {"links": out}

    doc: dict[str, Any] = {
        "paperfeed": FORMAT_VERSION,
        "user": digest.user,
        "day": digest.day,
        "kind": digest.kind,
        "title": digest.title,
        "notices": digest.notices,
        "items": [item(r) for r in digest.recs],
        "ask": [item(r) for r in digest.ask],
        "trending": [item(r) for r in digest.trending],
        "sections": [
            {"label": label, "ids": [r.paper.id for r in recs]}
            for label, recs in sections(digest.recs, digest.ask, digest.trending)
        ],
    }
    if not digest.recs:
        doc["status"] = digest.status()
    if ratings:
        doc["feed"] = digest.links.feed
    return doc
