"""The web app: ``create_app(settings)`` builds the ASGI application (FastAPI) of one
installation — the pages, the JSON API under ``/api/v1``, sign-in, and the token links of
digests and feeds. Security headers on every response (a Content-Security-Policy without
inline script), errors as JSON ``{"error": …}`` under ``/api`` and as a page elsewhere, never
a stack trace."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from paperfeed import __version__
from paperfeed.delivery.service import Delivery
from paperfeed.delivery.tokens import load_or_create_secret
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings
from paperfeed.web import api, auth, links, pages
from paperfeed.web.state import HERE, MAX_UPLOAD, WebState

log = logging.getLogger("paperfeed.web")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SESSION_DAYS = 14


def create_app(
    settings: Settings,
    *,
    allow_signup: bool = False,
    behind_proxy: bool = False,
    clock: Callable[[], float] = time.time,
    library: Paperfeed | None = None,
) -> FastAPI:
    """The app over ``settings``' store (or the given library object, which the caller
    closes); the store is closed with the app otherwise."""
    lib = library or Paperfeed.open(settings)
    delivery = Delivery(lib, settings, load_or_create_secret(settings.home))
    state = WebState(delivery, allow_signup=allow_signup, behind_proxy=behind_proxy, clock=clock)
    app = FastAPI(
        title="paperfeed",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = state
    if library is None:
        app.router.on_shutdown.append(lib.close)
    app.add_middleware(
        SessionMiddleware,
        secret_key=state.session_key,
        session_cookie="paperfeed_session",
        max_age=SESSION_DAYS * 86_400,
        same_site="lax",
        https_only=behind_proxy,
    )
    app.middleware("http")(_headers)
    for handler in _HANDLERS:
        app.add_exception_handler(*handler)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (links, auth, api, pages):
        app.include_router(module.router)
    return app


async def _headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse bodies over the upload limit up front; add the security headers."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD + 64 * 1024:
        response: Response = _error(
            request, 413, f"the upload is larger than {MAX_UPLOAD // 2**20} MB"
        )
    else:
        response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # token URLs must not leak
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error(request: Request, status: int, message: str) -> Response:
    """An error as JSON under /api (or to a script asking for JSON), else as a page."""
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    ):
        return JSONResponse({"error": message}, status_code=status)
    return links.message(request, status, _TITLES.get(status, "Something went wrong"), message)


_TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "That did not work",
    429: "Too many attempts",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this address."
    response = _error(request, exc.status_code, detail)
    if exc.status_code == 401 and request.url.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg")))
    return _error(request, 422, "; ".join(parts) or "invalid request")


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, auth.LoginRequired)
    if "application/json" in request.headers.get("accept", ""):  # a page's script
        return _error(request, 401, "you are signed out; reload the page to sign in")
    return auth.login_redirect(exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error(
        "%s %s failed: %s: %s",
        request.method,
        links.redact(request.url.path),
        type(exc).__name__,
        exc,
    )
    return _error(request, 500, "internal error; the server log has the details")


_HANDLERS: list[tuple[type[Exception], Callable[[Request, Exception], Awaitable[Response]]]] = [
    (HTTPException, _http_error),
    (RequestValidationError, _validation_error),
    (auth.LoginRequired, _login_required),
    (Exception, _unexpected),
]
