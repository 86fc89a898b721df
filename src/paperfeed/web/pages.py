"""The HTML pages: feed, search, paper, profile, interest map, settings and ratings. Each
renders the same service call as its JSON twin in :mod:`paperfeed.web.api`; every form that
changes something carries the session's CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from paperfeed.digest.email import TRENDING_INTRO, TRENDING_LABEL, group_by_interest, trend_note
from paperfeed.services import UserError
from paperfeed.services.follows import following, unfollow
from paperfeed.services.views import interests, mark_seen
from paperfeed.web import data
from paperfeed.web.auth import check_csrf, csrf_token, keep_signed_in, local_path, page_user
from paperfeed.web.state import MAX_UPLOAD, WebState, state_of, view_paper

router = APIRouter(include_in_schema=False)
User = Annotated[str, Depends(page_user)]
WINDOWS = {"today": 1, "week": 7}


def render(request: Request, name: str, user: str, status: int = 200, **context: Any) -> Response:
    state = state_of(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return state.templates.TemplateResponse(
        request,
        name,
        {"user": user, "csrf": csrf_token(request), "view": view_paper, "here": here, **context},
        status_code=status,
    )


async def checked_form(request: Request) -> Any:
    """The submitted form, after its CSRF token was checked."""
    form = await request.form(max_part_size=MAX_UPLOAD)
    check_csrf(request, str(form.get("csrf") or ""))
    return form


@router.get("/")
def feed_page(
    request: Request,
    user: User,
    when: str = "week",
    since: Annotated[date | None, Query()] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 30,
) -> Response:
    state = state_of(request)
    days = None if since else WINDOWS.get(when, 7)
    recs, note = data.feed(state, user, since, days, top)
    hot = data.trending_papers(state, user, recs)
    ratings = _ratings(state, user)
    return render(
        request,
        "feed.html",
        user,
        groups=group_by_interest(recs),
        trending=[(r, trend_note(r)) for r in hot],
        trending_label=TRENDING_LABEL,
        trending_intro=TRENDING_INTRO,
        note=note,
        when="since" if since else when,
        since=since.isoformat() if since else "",
        ratings=ratings,
        shown=[r.paper.id for r in recs],
    )


def _ratings(state: WebState, user: str) -> dict[str, frozenset[str]]:
    with state.rank_lock:
        return state.accounts.rated(user)


@router.get("/search")
def search_page(
    request: Request,
    user: User,
    q: Annotated[str, Query(max_length=500)] = "",
    since: Annotated[date | None, Query()] = None,
) -> Response:
    state = state_of(request)
    recs = data.search(state, user, q, since, 30) if q.strip() else []
    return render(
        request,
        "search.html",
        user,
        q=q,
        since=since.isoformat() if since else "",
        recs=recs,
        ratings=_ratings(state, user),
    )


@router.get("/papers/{paper_id:path}")
def paper_page(request: Request, user: User, paper_id: str) -> Response:
    state = state_of(request)
    found, why, _ = data.paper(state, user, paper_id)
    return render(
        request,
        "paper.html",
        user,
        paper=found,
        why=why,
        similar=data.similar(state, user, found.id, 10),
        ratings=_ratings(state, user),
    )


@router.get("/profile")
def profile_page(request: Request, user: User, summary: str = "", error: str = "") -> Response:
    state = state_of(request)
    with state.rank_lock:
        groups = interests(state.app, user)
    return render(request, "profile.html", user, groups=groups, summary=summary, error=error)


@router.post("/profile/add")
async def profile_add(request: Request, user: User) -> Response:
    """A file upload, pasted text or arXiv ids; back to the profile with the summary line."""
    state = state_of(request)
    form = await checked_form(request)
    upload = form.get("file")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_UPLOAD + 1)
            summary = data.upload(state, user, upload.filename, content)
        else:
            ids = str(form.get("ids") or "").split()
            summary = data.add(state, user, ids, str(form.get("text") or ""))
    except HTTPException as exc:
        if exc.status_code == 413:
            raise
        return profile_page(request, user, error=str(exc.detail))
    return profile_page(request, user, summary=summary.line())


@router.post("/profile/remove")
async def profile_remove(request: Request, user: User) -> Response:
    state = state_of(request)
    form = await checked_form(request)
    try:
        with state.rank_lock:
            state.app.profile_remove(user, str(form.get("paper_id") or ""))
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/profile", status_code=303)


@router.get("/map")
def map_page(request: Request, user: User) -> Response:
    return render(request, "map.html", user)


@router.get("/settings")
def settings_page(
    request: Request, user: User, new_token: str = "", error: str = "", notice: str = ""
) -> Response:
    state = state_of(request)
    with state.rank_lock:
        account = state.accounts.get(user)
        api_tokens = state.accounts.tokens(user)
        people = following(state.app, user)
        feed = f"{str(request.base_url).rstrip('/')}/feed/{state.feed_token(user)}"
    return render(
        request,
        "settings.html",
        user,
        account=account,
        tokens=api_tokens,
        following=people,
        atom=f"{feed}.xml",
        rss=f"{feed}.rss",
        new_token=new_token,
        error=error,
        notice=notice,
    )


@router.post("/settings")
async def settings_save(request: Request, user: User) -> Response:
    """The e-mail address, digest frequency and size; the password; rotating the feed; API
    tokens; people no longer followed."""
    state = state_of(request)
    form = await checked_form(request)
    action = str(form.get("action") or "save")
    new_token = ""
    try:
        with state.rank_lock:
            if action == "password":
                _change_password(request, state, user, form)
                notice = "Password changed; your other sessions are signed out."
                return settings_page(request, user, notice=notice)
            if action == "rotate":
                state.accounts.rotate_feed(user)
            elif action == "token":
                new_token = state.accounts.new_token(user, str(form.get("label") or ""))
            elif action == "revoke":
                _revoke(state, user, str(form.get("token_id") or ""))
            elif action == "unfollow":
                unfollow(state.app, user, str(form.get("name") or ""))
            else:
                size = str(form.get("size") or "0").strip()
                state.accounts.update(
                    user,
                    email=str(form.get("email") or ""),
                    frequency=str(form.get("frequency") or "daily"),
                    size=int(size) if size.isdigit() else -1,
                )
    except UserError as exc:
        return settings_page(request, user, error=str(exc))
    if new_token:  # shown once, on this response only
        return settings_page(request, user, new_token=new_token)
    return RedirectResponse("/settings", status_code=303)


def _change_password(request: Request, state: WebState, user: str, form: Any) -> None:
    """Check the current password (failures count as failed sign-ins), set the new one and
    keep this session signed in with the new session epoch."""
    client = request.client.host if request.client else "?"
    now = state.clock()
    if state.throttle.blocked(user, client, now):
        raise UserError("too many wrong passwords; wait a few minutes")
    new = str(form.get("new_password") or "")
    if new != str(form.get("new_password2") or ""):
        raise UserError("the two new passwords differ")
    current = str(form.get("password") or "")
    if not state.accounts.login(user, current):
        state.throttle.failed(user, client, now)
        raise UserError("the current password is wrong")
    keep_signed_in(request, state.accounts.set_password(user, new))


def _revoke(state: WebState, user: str, token_id: str) -> None:
    if not token_id.isdigit() or not state.accounts.revoke(user, int(token_id)):
        raise HTTPException(404, "no such API token")


@router.get("/ratings")
def ratings_page(request: Request, user: User) -> Response:
    state = state_of(request)
    with state.rank_lock:
        history = state.accounts.history(user)
    return render(request, "ratings.html", user, history=history)


@router.post("/ratings")
async def rate(request: Request, user: User) -> Response:
    """A 👍/👎/save button (a second click on a lit one takes it back); back to the page it
    was on, at the paper, or JSON ``{"paper_id", "values"}`` for the page's script."""
    state = state_of(request)
    form = await checked_form(request)
    pid, values = data.toggle_rating(
        state, user, str(form.get("paper_id") or ""), str(form.get("value") or "")
    )
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"paper_id": pid, "values": values})
    return _back(form, f"p-{pid}")


@router.post("/seen")
async def hide_shown(request: Request, user: User) -> Response:
    """Hide the papers a feed page showed from later feeds without rating them."""
    state = state_of(request)
    form = await checked_form(request)
    ids = str(form.get("ids") or "").split()
    if len(ids) > 500:
        raise HTTPException(413, "too many papers at once")
    with state.rank_lock:
        mark_seen(state.app, user, ids)
    return _back(form)


def _back(form: Any, anchor: str = "") -> Response:
    """303 to the page a form came from (a path of this site only), at ``anchor``."""
    where = local_path(str(form.get("back") or "/"))
    return RedirectResponse(where + (f"#{quote(anchor)}" if anchor else ""), status_code=303)


@router.post("/ratings/undo")
async def ratings_undo(request: Request, user: User) -> Response:
    state = state_of(request)
    form = await checked_form(request)
    with state.rank_lock:
        if not state.accounts.undo(user, str(form.get("paper_id") or "")):
            raise HTTPException(404, "you have not rated that paper")
    return RedirectResponse("/ratings", status_code=303)
