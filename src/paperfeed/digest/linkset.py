"""The links a digest or feed carries, as its renderers take them: per paper where to read it
and how to rate it, plus the user's feed and unsubscribe links (built by
:mod:`paperfeed.delivery.links`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ItemLinks:
    """Where one paper can be read and the two rating links for it."""

    abs: str | None
    pdf: str | None
    up: str
    down: str


@dataclass(frozen=True, slots=True)
class DigestLinks:
    """Every link of one user's digest; ``items`` by paper id."""

    unsubscribe: str
    feed: str
    items: Mapping[str, ItemLinks] = field(default_factory=dict)
