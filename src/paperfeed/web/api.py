"""The JSON API under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``): the pages' data, for
a personal API token (``Authorization: Bearer``) or the browser session. Every call is scoped
to its user: someone else's profile entry, rating or token is a 404."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from paperfeed.display import readable
from paperfeed.services import UserError
from paperfeed.services.views import interests, mark_seen
from paperfeed.web import data
from paperfeed.web.auth import api_user
from paperfeed.web.state import (
    MAX_UPLOAD,
    item_json,
    items_json,
    paper_json,
    state_of,
    trend_json,
)

router = APIRouter(prefix="/api/v1", tags=["api"])
User = Annotated[str, Depends(api_user)]
Top = Annotated[int, Query(ge=0, le=200, description="How many items (0: none)")]
_PROFILE_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "ids": {"type": "array", "items": {"type": "string"}},
                        "text": {"type": "string"},
                    },
                }
            },
        }
    }
}


class RatingIn(BaseModel):
    paper_id: str = Field(min_length=1, max_length=300)
    value: Literal["up", "down", "saved"]


class SeenIn(BaseModel):
    ids: list[str] = Field(max_length=500)


@router.get("/feed")
def feed(
    request: Request,
    user: User,
    since: date | None = None,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    top: Top = 20,
) -> dict[str, Any]:
    """The user's ranked feed since a date (default: the last ``days``, else 7, of listings)
    and ``trending``: papers with many or fast-rising Hugging Face upvotes that suit the user
    (empty without upvote data), each with its ``upvotes`` and ``upvotes_per_day``."""
    recs, note = data.feed(state_of(request), user, since, days, top)
    hot = data.trending_papers(state_of(request), user, recs)
    return {**items_json(recs), "note": note, "trending": [trend_json(r) for r in hot]}


@router.get("/search")
def search(
    request: Request,
    user: User,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    since: date | None = None,
    top: Top = 20,
) -> dict[str, Any]:
    """Keyword and semantic search over every stored paper, optionally listed since a date."""
    return items_json(data.search(state_of(request), user, q, since, top))


@router.get("/papers/{paper_id:path}/similar")
def similar(request: Request, user: User, paper_id: str, top: Top = 10) -> dict[str, Any]:
    """Papers like this one, best first."""
    return items_json(data.similar(state_of(request), user, paper_id, top))


@router.get("/papers/{paper_id:path}")
def paper(request: Request, user: User, paper_id: str) -> dict[str, Any]:
    """One paper, the user's rating of it and why it suits the user (null if not ranked)."""
    found, why, rating = data.paper(state_of(request), user, paper_id)
    return {
        "paper": paper_json(found),
        "rating": rating,
        "why": item_json(why)["explanation"] if why else None,
    }


@router.get("/ratings")
def ratings(request: Request, user: User) -> dict[str, Any]:
    """The user's ratings, the latest first."""
    state = state_of(request)
    with state.rank_lock:
        history = state.accounts.history(user)
    return {
        "items": [
            {"paper": paper_json(h.paper), "value": h.event.value, "at": h.event.at}
            for h in history
        ]
    }


@router.post("/ratings", status_code=201)
def rate(request: Request, user: User, body: RatingIn) -> dict[str, str]:
    """Rate a paper: ``up``, ``down`` (they replace each other) or ``saved``."""
    state = state_of(request)
    with state.rank_lock:
        data.visible(state, user, body.paper_id)
        rated = state.app.rate(user, body.paper_id, body.value)
    return {"paper_id": rated.id, "value": body.value}


@router.delete("/ratings/{paper_id:path}", status_code=204)
def unrate(request: Request, user: User, paper_id: str) -> Response:
    """Withdraw every rating the user gave this paper (undo); 404 if there is none."""
    state = state_of(request)
    with state.rank_lock:
        if not state.accounts.undo(user, paper_id):
            raise HTTPException(404, f"{paper_id}: you have not rated it")
    return Response(status_code=204)


@router.post("/seen")
def seen(request: Request, user: User, body: SeenIn) -> dict[str, int]:
    """Hide papers from the next feeds without rating them."""
    state = state_of(request)
    with state.rank_lock:
        return {"hidden": mark_seen(state.app, user, body.ids)}


@router.get("/profile")
def profile(request: Request, user: User) -> dict[str, Any]:
    """The user's profile papers, oldest addition first."""
    state = state_of(request)
    with state.rank_lock:
        papers = state.app.profile(user)
    return {"papers": [paper_json(p) for p in papers]}


@router.post("/profile", status_code=201, openapi_extra=_PROFILE_BODY)
async def profile_add(request: Request, user: User) -> dict[str, Any]:
    """Add to the profile: an uploaded file (multipart field ``file``, any supported format,
    up to 20 MB), or ``{"ids": [...]}`` of stored papers, or ``{"text": "..."}`` pasted."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_part_size=MAX_UPLOAD)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "send the file in the multipart field 'file'")
        content = await upload.read(MAX_UPLOAD + 1)
        summary = data.upload(state_of(request), user, upload.filename or "upload", content)
    else:
        try:
            body = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError):
            raise HTTPException(400, "the body is not JSON") from None
        summary = data.add_json(state_of(request), user, body)
    return {**summary.to_json(), "line": summary.line()}


@router.delete("/profile/{paper_id:path}", status_code=204)
def profile_remove(request: Request, user: User, paper_id: str) -> Response:
    """Take a paper out of the profile (it stays in the store); 404 if it is not in it."""
    state = state_of(request)
    try:
        with state.rank_lock:
            state.app.profile_remove(user, paper_id)
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(status_code=204)


@router.get("/interests")
def interests_(request: Request, user: User) -> dict[str, Any]:
    """The profile's papers grouped into the interests the ranker sees."""
    state = state_of(request)
    with state.rank_lock:
        groups = interests(state.app, user)
    return {
        "interests": [
            {"number": g.number + 1, "name": g.name, "papers": [paper_json(p) for p in g.papers]}
            for g in groups
        ]
    }


@router.get("/map")
def map_(request: Request, user: User) -> dict[str, Any]:
    """The interest map: profile, upvoted and this week's top feed papers in 2-D, and the
    names of the interests they are coloured by."""
    state = state_of(request)
    with state.rank_lock:
        found = state.maps.map(state.app, user)
    return {
        "interests": [{"number": i + 1, "name": readable(name)} for i, name in found.interests],
        "points": [
            {
                "id": p.paper.id,
                "title": readable(p.paper.display_title),
                "x": round(p.x, 4),
                "y": round(p.y, 4),
                "interest": p.interest + 1,
                "kind": p.kind,
            }
            for p in found.points
        ],
    }
