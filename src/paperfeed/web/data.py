"""The service calls a page and its JSON twin share: each takes the installation and the
user, holds the ranking lock while it runs, and turns "no such paper" into a 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.exceptions import HTTPException

from paperfeed.ids import is_arxiv_id, normalize_doi
from paperfeed.models import Paper, Recommendation
from paperfeed.services import ImportSummary, UserError
from paperfeed.services.trending import trending
from paperfeed.services.views import explain, profile_upload
from paperfeed.web.state import MAX_UPLOAD, WebState


def feed(
    state: WebState, user: str, since: date | None, days: int | None, top: int
) -> tuple[list[Recommendation], str]:
    """The user's recommendations in the window, and a note when there are none (an empty
    profile or store is a note, not an error)."""
    try:
        with state.rank_lock:
            recs = state.app.recommend(
                user, since=since.isoformat() if since else None, days=days, top=top
            )
    except UserError as exc:
        return [], str(exc).replace("`paperfeed profile add`", "the Profile page")
    return recs, "" if recs else "Nothing new in this window."


def trending_papers(
    state: WebState, user: str, shown: list[Recommendation]
) -> list[Recommendation]:
    """The user's "Trending in your interests" beside a feed ``shown`` (none when it is
    empty or the store has no upvote data)."""
    if not shown:
        return []
    with state.rank_lock:
        return trending(state.app, user, exclude={r.paper.id for r in shown})


def search(
    state: WebState, user: str, query: str, since: date | None, top: int
) -> list[Recommendation]:
    """Hybrid search as ``user`` sees the store; with ``since``, only papers listed on or
    after it (order kept)."""
    if not query.strip():
        raise HTTPException(400, "the search query is empty")
    with state.rank_lock:
        recs = state.app.search(query, top=top * 5 if since else top, viewer=user)
    if since:
        recs = [r for r in recs if r.paper.date and r.paper.date >= since.isoformat()][:top]
    return recs


def similar(state: WebState, user: str, paper_id: str, top: int) -> list[Recommendation]:
    try:
        with state.rank_lock:
            return state.app.similar(paper_id, top=top, viewer=user)
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None


def visible(state: WebState, user: str, paper_id: str) -> Paper:
    """The stored paper ``user`` may see (not one another user uploaded), else a 404."""
    found = state.app.visible_paper(paper_id, user)
    if found is None:
        raise HTTPException(404, f"{paper_id}: no such paper")
    return found


def paper(state: WebState, user: str, paper_id: str) -> tuple[Paper, Recommendation | None, str]:
    """A paper, why it suits ``user`` and ``user``'s rating of it ('' if none)."""
    with state.rank_lock:
        found = visible(state, user, paper_id)
        why = explain(state.app, user, found.id)
        rating = state.app.store.ratings(user).get(found.id, "")
    return found, why, rating


def toggle_rating(state: WebState, user: str, paper_id: str, value: str) -> tuple[str, list[str]]:
    """Give the paper the rating ``value`` (``up`` and ``down`` replace each other), or take
    it back if ``user`` gave it already: a second click undoes. The paper's id and the values
    ``user`` gave it after."""
    if value not in ("up", "down", "saved"):
        raise HTTPException(400, "the rating is up, down or saved")
    with state.rank_lock:
        found = visible(state, user, paper_id)
        if value in state.accounts.rated(user).get(found.id, frozenset()):
            state.app.store.unrate(user, found.id, value)
        else:
            state.app.rate(user, found.id, value)
        return found.id, sorted(state.accounts.rated(user).get(found.id, frozenset()))


def upload(state: WebState, user: str, filename: str, content: bytes) -> ImportSummary:
    """Add an uploaded file to the profile (413 above the size limit, 400 for a bad file)."""
    if len(content) > MAX_UPLOAD:
        raise HTTPException(413, f"the file is larger than {MAX_UPLOAD // 2**20} MB")
    if not content:
        raise HTTPException(400, "the file is empty")
    try:
        with state.rank_lock:
            return profile_upload(state.app, user, filename, content)
    except ValueError as exc:
        raise HTTPException(400, " ".join(str(exc).split())) from None


def add_json(state: WebState, user: str, body: Any) -> ImportSummary:
    """Add ``{"ids": [...]}`` (stored papers) or ``{"text": "..."}`` (pasted abstracts, ids,
    BibTeX …) to the profile."""
    if not isinstance(body, dict) or not ({"ids", "text"} & body.keys()):
        raise HTTPException(400, 'send {"ids": [...]} or {"text": "..."} or a file')
    ids, text = body.get("ids"), body.get("text")
    if ids is not None and not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
        raise HTTPException(400, '"ids" is a list of paper ids')
    if text is not None and not isinstance(text, str):
        raise HTTPException(400, '"text" is a string')
    if len(text or "") > MAX_UPLOAD or len(ids or []) > 10_000:
        raise HTTPException(413, "too much at once")
    return add(state, user, ids or [], text or "")


def add(state: WebState, user: str, ids: list[str], text: str) -> ImportSummary:
    """The profile addition behind the form and the API (a 400 with the reason if it fails)."""
    wanted = [i.strip() for i in ids if i.strip()]
    for i in wanted:  # never a path: profile_add reads files of the server's disk
        if not (is_arxiv_id(i) or normalize_doi(i) == i.lower()):
            raise HTTPException(400, f"{i}: not an arXiv id or DOI")
    items = wanted + (["-"] if text.strip() else [])
    if not items:
        raise HTTPException(400, "nothing to add")
    try:
        with state.rank_lock:
            summary = state.app.profile_add(user, items, stdin=text)
    except (ValueError, KeyError) as exc:
        raise HTTPException(400, " ".join(str(exc).split())) from None
    summary.source = ", ".join(wanted + (["pasted text"] if text.strip() else []))
    return summary
