"""Who is asking: browser sessions (signed cookies set by ``/login``, each carrying its
account's session epoch, so a password change ends the others), personal API tokens
(``Authorization: Bearer``), CSRF tokens for every state-changing browser request, sign-in
throttling (counted in the store), logout and the optional sign-up."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from paperfeed.services import UserError
from paperfeed.web.state import WebState, state_of

router = APIRouter(include_in_schema=False)
bearer = HTTPBearer(auto_error=False, description="A personal API token (`paperfeed users token`)")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class LoginRequired(Exception):
    """A page asked for by someone not signed in: answered by a redirect to ``/login``."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use), for forms and the page's JS."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf(request: Request, presented: str | None) -> None:
    """A 403 unless ``presented`` is this session's CSRF token."""
    expected = request.session.get("csrf")
    if not expected or not presented or not hmac.compare_digest(str(expected), presented):
        raise HTTPException(403, "the form's security token is missing or stale; reload the page")


def session_user(request: Request) -> str | None:
    """The signed-in user of this browser session, if the account still exists and its
    password was not set since the session was signed (its session epoch is the same)."""
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    account = state_of(request).app.store.account(name)
    if account is None or request.session.get("epoch", 0) != account.session_epoch:
        return None
    return name


def keep_signed_in(request: Request, epoch: int) -> None:
    """Re-sign this session with the account's new ``epoch`` (after its password change)."""
    request.session["epoch"] = epoch


def page_user(request: Request) -> str:
    """The signed-in user of a page request; others are sent to ``/login``."""
    name = session_user(request)
    if name is None:
        raise LoginRequired(request.url.path)
    return name


def api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The user of an API call: a personal token, else the browser session (whose
    state-changing calls must carry the ``X-CSRF-Token`` header); 401 otherwise."""
    state = state_of(request)
    if credentials is not None:
        with state.rank_lock:
            name = state.accounts.token_user(credentials.credentials)
        if name is None:
            raise HTTPException(401, "unknown or revoked API token")
        return name
    name = session_user(request)
    if name is None:
        raise HTTPException(401, "sign in or send Authorization: Bearer <token>")
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return name


def local_path(path: str | None) -> str:
    """``path`` if it is a path of this site (no open redirect), else ``/``."""
    if path and path.startswith("/") and not path.startswith(("//", "/\\")):
        return path
    return "/"


def _login_page(
    request: Request, status: int = 200, error: str = "", signup: bool = False
) -> Response:
    state = state_of(request)
    return state.templates.TemplateResponse(
        request,
        "signup.html" if signup else "login.html",
        {
            "csrf": csrf_token(request),
            "error": error,
            "next": local_path(request.query_params.get("next")),
            "allow_signup": state.allow_signup,
            "user": None,
        },
        status_code=status,
    )


def _sign_in(request: Request, name: str, next_path: str) -> Response:
    account = state_of(request).accounts.get(name)
    request.session.clear()  # a new session id and CSRF token: no fixation
    request.session["user"] = name
    request.session["epoch"] = account.session_epoch
    csrf_token(request)
    return RedirectResponse(local_path(next_path), status_code=303)


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    state = state_of(request)
    name, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    client = request.client.host if request.client else "?"
    now = state.clock()
    with state.rank_lock:
        if state.throttle.blocked(name, client, now):
            return _login_page(request, 429, "Too many failed sign-ins; wait a few minutes.")
        ok = bool(name) and state.accounts.login(name, password)
        if not ok:
            state.throttle.failed(name, client, now)
        else:
            state.throttle.succeeded(name)
    if not ok:
        return _login_page(request, 401, "Wrong user name or password.")
    return _sign_in(request, name, str(form.get("next") or "/"))


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/signup")
def signup_form(request: Request) -> Response:
    if not state_of(request).allow_signup:
        raise HTTPException(404, "sign-up is off here; ask the administrator for an account")
    return _login_page(request, signup=True)


@router.post("/signup")
async def signup(request: Request) -> Response:
    state: WebState = state_of(request)
    if not state.allow_signup:
        raise HTTPException(404, "sign-up is off here; ask the administrator for an account")
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    name = str(form.get("username") or "").strip()
    try:
        with state.rank_lock:
            if state.app.store.account(name) is not None:
                raise UserError(f"the user name {name!r} is taken")
            state.accounts.add(name, str(form.get("email") or ""), str(form.get("password") or ""))
    except UserError as exc:
        return _login_page(request, 400, str(exc), signup=True)
    return _sign_in(request, name, "/profile")


def login_redirect(exc: LoginRequired) -> Response:
    return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)
