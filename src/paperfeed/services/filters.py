"""A user's filters (config.toml ``[users.NAME]``): keywords and phrases to include or
exclude (title and abstract, whole words, any case), arXiv categories, papers already shown
in a digest; and after ranking a minimum score and muted interests. Pure: applied by the one
ranking path of :class:`~paperfeed.services.Paperfeed`, so CLI, daily and feeds agree."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from paperfeed.models import Paper, Recommendation
from paperfeed.settings import UserDelivery


def phrase_pattern(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive whole-word pattern matching any of ``phrases`` (the words of a
    phrase may be separated by any white space or hyphen); None for no phrases."""
    parts = [r"[\s\-]+".join(re.escape(w) for w in p.split()) for p in phrases if p.strip()]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def keep_candidates(
    papers: Sequence[Paper], user: UserDelivery, shown: Collection[str] = ()
) -> list[Paper]:
    """The ``papers`` that pass ``user``'s keyword and category filters and were not in
    ``shown`` (unless the user asked to see papers again)."""
    include = phrase_pattern(user.include)
    exclude = phrase_pattern(user.exclude)
    cats = {c.lower() for c in user.categories}
    kept = []
    for p in papers:
        text = f"{p.title}\n{p.abstract}"
        if include and not include.search(text):
            continue
        if exclude and exclude.search(text):
            continue
        if cats and not cats & {c.lower() for c in p.categories}:
            continue
        if not user.show_again and p.id in shown:
            continue
        kept.append(p)
    return kept


def vetoed(papers: Sequence[Paper], user: UserDelivery, shown: Collection[str] = ()) -> list[Paper]:
    """The ``papers`` that ``user``'s exclude keywords or earlier digests (``shown``, unless
    the user asked to see papers again) rule out: the filters that even a paper by someone
    the user follows obeys."""
    exclude = phrase_pattern(user.exclude)
    again = user.show_again
    return [
        p
        for p in papers
        if (exclude and exclude.search(f"{p.title}\n{p.abstract}")) or (not again and p.id in shown)
    ]


def keep_recommendations(
    recs: Sequence[Recommendation], user: UserDelivery
) -> list[Recommendation]:
    """``recs`` without those under ``user``'s minimum score or serving a muted interest."""
    muted = {_name_key(m) for m in user.muted}
    return [
        r
        for r in recs
        if r.score >= user.min_score and _name_key(r.explanation.interest_name) not in muted
    ]


def _name_key(name: str) -> str:
    """An interest name compared loosely: any case and spacing, without "+ N more"."""
    return _MORE.sub("", " ".join(name.lower().split()))


_MORE = re.compile(r"\s*\+\s*\d+ more$")
