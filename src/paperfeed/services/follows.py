"""Following people: ``paperfeed follow`` picks one of the people behind a name (``paperfeed
author``'s disambiguation over the store) and keeps what tells them apart from the others of
that name; rankings then show their new papers (:mod:`paperfeed.services.selection`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paperfeed import ids
from paperfeed.authors import Person, follow_evidence
from paperfeed.models import FollowedAuthor
from paperfeed.names import name_key
from paperfeed.services.app import Paperfeed
from paperfeed.services.common import UserError
from paperfeed.services.papers import author_people


class AmbiguousName(UserError):
    """The name is several people in the store and no paper said which one to follow."""

    def __init__(self, name: str, people: Sequence[Person]) -> None:
        self.name = name
        self.people = list(people)
        super().__init__(
            f"{name!r} is {len(people)} people in the store: pick one with "
            f'`paperfeed follow "{name}" --paper ID`, ID one of their papers'
        )


@dataclass(frozen=True)
class Followed:
    """A follow made: the person as stored, who they are among the name's people, and
    whether the name was followed before (then this person replaced the earlier one)."""

    person: FollowedAuthor
    label: str
    people: int
    new: bool


def follow(app: Paperfeed, user: str, name: str, paper: str | None = None) -> Followed:
    """Make ``user`` follow the person called ``name`` who wrote ``paper`` (an id of the
    store), or the only person of that name; :class:`AmbiguousName` when the name is several
    people and no paper picks one."""
    found = author_people(app, name)
    people = found.people
    if paper is not None:
        wanted = _paper_id(app, paper)
        chosen = next((p for p in people if any(q.id == wanted for q in p.papers)), None)
        if chosen is None:
            raise UserError(f"{paper}: not a paper by {name!r} in the store")
    elif len(people) > 1:
        raise AmbiguousName(name, people)
    else:
        chosen = people[0]
    person = follow_evidence(chosen, people, name)
    new = app.store.follow_author(user, person)
    return Followed(person, chosen.label, len(people), new)


def unfollow(app: Paperfeed, user: str, name: str) -> FollowedAuthor:
    """Stop ``user`` following ``name`` (any spelling of it); the person they followed."""
    key = name_key(name)
    person = next((p for p in app.store.followed_authors(user) if p.key == key), None)
    if person is None or not app.store.unfollow_author(user, key):
        raise UserError(f"{user!r} does not follow {name!r} (see `paperfeed following`)")
    return person


def following(app: Paperfeed, user: str) -> list[FollowedAuthor]:
    """The people ``user`` follows, by name."""
    return app.store.followed_authors(user)


def _paper_id(app: Paperfeed, paper: str) -> str:
    """The stored id an arXiv id (any version), a DOI or a stored id names."""
    text = paper.strip()
    if ids.is_arxiv_id(text):
        text = ids.canonical_arxiv_id(text) or text
    elif text.lower().startswith(("10.", "doi:")) and (doi := ids.normalize_doi(text)):
        text = f"doi:{doi}"
    return app.store.resolve_id(text)
