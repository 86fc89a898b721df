"""Plain data: papers, ratings and recommendations. Pure, frozen, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from paperfeed.titles import derive_title

RatingValue = Literal["up", "down", "saved", "opened"]
RATING_VALUES: tuple[str, ...] = ("up", "down", "saved", "opened")


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper, whatever source it came from.

    ``id`` is the canonical identity: a bare arXiv id without version (``2401.01234``,
    ``hep-th/9901001``), ``doi:10.x/y``, or ``text:<hash>`` for pasted abstracts that carry
    no identifier.  ``date`` is an ISO ``YYYY-MM-DD`` (listing or publication date).
    """

    id: str
    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date: str | None = None
    version: int | None = None
    doi: str | None = None
    comment: str | None = None
    url: str | None = None
    venue: str | None = None
    sources: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def text(self) -> str:
        """The text a model reads: title and abstract."""
        if self.title and self.abstract:
            return f"{self.title}. {self.abstract}"
        return self.title or self.abstract

    @property
    def content_hash(self) -> str:
        """Key of the embedding cache: unchanged text is never embedded twice."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]

    @property
    def display_title(self) -> str:
        """A title for people: the real one, or one derived from the abstract (the phrase
        naming its contribution), in square brackets to mark it as supplied."""
        if self.title:
            return self.title
        derived = derive_title(self.abstract)
        return f"[{derived}]" if derived else self.id

    def with_(self, **changes: Any) -> Paper:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """Every field that carries something, JSON-ready."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "abstract": self.abstract}
        for key in ("authors", "categories", "sources"):
            value = getattr(self, key)
            if value:
                out[key] = list(value)
        for key in ("date", "version", "doi", "comment", "url", "venue"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.extra:
            out["extra"] = dict(self.extra)
        return out


ExplanationKind = Literal["profile", "query", "paper"]
"""What a ranking was measured against: a user's profile (``recommend``, digests), a search
query (``search``) or one paper (``similar``)."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a paper was ranked where it is: the paper (or query) it is closest to, shared terms,
    and the interest of the profile it serves, worded for what it was ranked against."""

    closest_id: str
    closest_title: str
    similarity: float
    shared_terms: tuple[str, ...] = ()
    interest: int = 0
    interest_name: str = ""
    kind: ExplanationKind = "profile"

    def sentence(self) -> str:
        sim = f"similarity {self.similarity:.2f}"
        terms = ", ".join(self.shared_terms)
        if self.kind == "query":
            return (
                f"matches your query: {terms} ({sim})" if terms else f"matches your query ({sim})"
            )
        if self.kind == "paper":
            return (
                f"shares with {self.closest_id}: {terms} ({sim})"
                if terms
                else (f"close to {self.closest_id} ({sim})")
            )
        s = f"closest to your paper “{self.closest_title}” ({sim})"
        return s + ("; shared terms: " + terms if terms else "")


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ranked paper; ``tldr`` is its one-line summary once services added one."""

    paper: Paper
    score: float
    rank: int
    explanation: Explanation
    components: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    tldr: str = ""
    followed: tuple[str, ...] = ()
    """The names of the people the user follows who wrote this paper (it is shown whatever
    its score: "by NAME, whom you follow")."""

    @property
    def followed_note(self) -> str:
        """The line "by NAME, whom you follow" (names joined); "" for nobody followed."""
        if not self.followed:
            return ""
        names = list(self.followed)
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"by {joined}, whom you follow"


@dataclass(frozen=True, slots=True)
class FollowedAuthor:
    """A person a user follows, as stored: the name as shown, its key (``names.name_key``)
    and the evidence that tells this person from others of the same name in papers to come:
    their papers and coauthors when followed, and the papers of the name's other people."""

    name: str
    key: str
    paper_ids: tuple[str, ...] = ()
    coauthors: tuple[str, ...] = ()
    """Name keys of everyone who wrote a paper with them."""
    other_ids: tuple[str, ...] = ()
    followed_at: str = ""
