"""The token links already mailed and put in feeds, at their old paths: ``/rate/<token>``
(GET shows a confirmation page, POST records the rating, so mail scanners that prefetch
links spend nothing), ``/unsubscribe/<token>`` (GET or RFC 8058 POST), the private feeds
``/feed/<token>.xml|.atom|.rss`` and ``/feed/<token>/<n>.xml``, and ``/healthz``."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from http import HTTPStatus

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from paperfeed.delivery import tokens
from paperfeed.delivery.tokens import TokenError
from paperfeed.display import readable
from paperfeed.services import UserError
from paperfeed.web.state import state_of

router = APIRouter(include_in_schema=False)
log = logging.getLogger("paperfeed.web")

TOKEN = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
FEED_PATH = re.compile(rf"({TOKEN})(?:/(\d{{1,3}}))?\.(xml|atom|rss)")
_SECRET_IN_PATH = re.compile(r"(/(?:rate|unsubscribe|feed)/[A-Za-z0-9_-]{0,6})[A-Za-z0-9_.\-/]*")
STATUS_OF = {
    "forged": HTTPStatus.FORBIDDEN,
    "expired": HTTPStatus.GONE,
    "replayed": HTTPStatus.CONFLICT,
    "wrong-use": HTTPStatus.BAD_REQUEST,
}
_TITLES = {
    "forged": "Not a valid link",
    "expired": "This link has expired",
    "replayed": "Already recorded",
    "wrong-use": "Wrong kind of link",
}


def redact(text: str) -> str:
    """A request line fit for a log: tokens cut to their first characters."""
    return _SECRET_IN_PATH.sub(r"\1…", text)


def message(request: Request, status: int, title: str, text: str, **extra: object) -> Response:
    """The small page of a link: a title, a sentence and, for a rating, its confirm button."""
    return state_of(request).templates.TemplateResponse(
        request,
        "message.html",
        {"title": title, "message": text, "user": None, **extra},
        status_code=status,
    )


def token_error(request: Request, exc: TokenError) -> Response:
    status = STATUS_OF.get(exc.reason, HTTPStatus.BAD_REQUEST)
    title = _TITLES.get(exc.reason, "Not a valid link")
    return message(request, status, title, f"{exc} Nothing changed.")


@router.api_route("/healthz", methods=["GET", "HEAD"])
def healthz() -> Response:
    return PlainTextResponse("ok\n")


@router.api_route("/rate/{token}", methods=["GET", "HEAD"])
def rate_confirm(request: Request, token: str) -> Response:
    """The confirmation page of a rating link: nothing is recorded until its button POSTs."""
    state = state_of(request)
    if not re.fullmatch(TOKEN, token):
        return token_error(request, TokenError("forged", "this is not a paperfeed link."))
    try:
        claims = tokens.verify(
            state.delivery.secret, token, now=state.clock(), actions=tokens.RATING_ACTIONS
        )
    except TokenError as exc:
        return token_error(request, exc)
    with state.rank_lock:
        paper = state.app.store.get_paper(claims.paper_id)
    if paper is None:
        return message(request, 404, "Paper not found", "That paper is gone. Nothing changed.")
    verb = "👍 more like this" if claims.action == "up" else "👎 less like this"
    title = readable(paper.display_title)
    return message(
        request,
        200,
        f"Confirm: {verb}",
        f"Record “{title}” as {verb} for {claims.user}?",
        confirm=verb,
    )


@router.post("/rate/{token}")
def rate(request: Request, token: str) -> Response:
    """Record a digest's 👍/👎 (once; the token is the authorization)."""
    state = state_of(request)
    try:
        with state.rank_lock:
            rated = state.delivery.redeem_rating(token, state.clock())
    except TokenError as exc:
        return token_error(request, exc)
    except UserError as exc:
        return message(request, 404, "Paper not found", f"{exc}. Nothing changed.")
    title = readable(rated.paper.display_title)
    if rated.value == "up":
        head, text = "👍 Noted: more like this", f"You liked “{title}”."
    else:
        head, text = "👎 Noted: less like this", f"You marked down “{title}”."
    text += f" Your next digest ({rated.user}) takes it into account."
    return message(request, 200, head, text)


@router.api_route("/unsubscribe/{token}", methods=["GET", "POST"])
def unsubscribe(request: Request, token: str) -> Response:
    state = state_of(request)
    try:
        with state.rank_lock:
            claims = state.delivery.redeem_unsubscribe(token, state.clock())
    except TokenError as exc:
        return token_error(request, exc)
    return message(
        request,
        200,
        "Unsubscribed",
        f"{claims.user} will get no more digest e-mails. Your feed keeps working; turn e-mails "
        "back on in Settings (or `paperfeed subscribe`).",
    )


@router.get("/feed/{path:path}")
def feed(request: Request, path: str) -> Response:
    """A private Atom (``.xml``, ``.atom``) or RSS (``.rss``) feed, whole or one interest."""
    state = state_of(request)
    m = FEED_PATH.fullmatch(path)
    if m is None:
        return message(request, 404, "Not found", "There is nothing at this address.")
    try:
        user = state.feed_user(m.group(1))
    except TokenError as exc:
        return token_error(request, exc)
    if not state.delivery.has_user(user):
        return message(request, 404, "No such user", f"There is no user {user!r} here any more.")
    interest = int(m.group(2)) - 1 if m.group(2) else None
    fmt = "rss" if m.group(3) == "rss" else "atom"
    with state.rank_lock:  # empty profile, empty store: an empty feed, not an error
        _, document = state.delivery.user_feed(
            user,
            interest=interest,
            fmt=fmt,
            now=datetime.fromtimestamp(state.clock(), UTC),
            or_empty=True,
        )
    kind = "application/rss+xml" if fmt == "rss" else "application/atom+xml"
    return Response(document, media_type=f"{kind}; charset=utf-8")
