"""What every route of the web app shares: the installation (library object, delivery facade,
accounts, templates, clock) and the one JSON shape of papers and ranked items, so a page and
its JSON twin render the same service result."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from paperfeed.delivery import tokens
from paperfeed.delivery.links import reading_links
from paperfeed.delivery.service import Delivery
from paperfeed.display import authors_line, readable
from paperfeed.models import Paper, Recommendation
from paperfeed.services import Paperfeed
from paperfeed.services.accounts import Accounts

HERE = Path(__file__).parent
MAX_UPLOAD = 20 * 1024 * 1024
"""Largest upload (profile files) in bytes."""


class Throttle:
    """Failed sign-ins per key (user name and client address): after ``limit`` failures
    within ``window`` seconds, further attempts are refused until the window passes."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str, now: float) -> bool:
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < self.window]
            self._failures[key] = recent
            return len(recent) >= self.limit

    def failed(self, key: str, now: float) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


@dataclass
class WebState:
    """One installation as the web app sees it; ``rank_lock`` serializes the CPU-bound
    rankings (and the store's single connection) across request threads."""

    delivery: Delivery
    allow_signup: bool = False
    behind_proxy: bool = False
    clock: Callable[[], float] = time.time
    throttle: Throttle = field(default_factory=Throttle)
    """Failed sign-ins per user name."""
    client_throttle: Throttle = field(default_factory=lambda: Throttle(limit=50))
    """Failed sign-ins per client address (many names guessed from one place)."""
    rank_lock: threading.RLock = field(default_factory=threading.RLock)
    templates: Jinja2Templates = field(default_factory=lambda: templates())

    @property
    def app(self) -> Paperfeed:
        return self.delivery.app

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.app.store)

    @property
    def session_key(self) -> str:
        """The cookie-signing key, derived from the installation's link secret."""
        return hmac.new(self.delivery.secret, b"paperfeed web session", hashlib.sha256).hexdigest()

    def feed_token(self, user: str) -> str:
        """``user``'s current private feed token: the first one mailed until it is rotated."""
        account = self.accounts.get(user)
        return tokens.feed_token(self.delivery.secret, user, account.feed_generation)

    def feed_user(self, token: str) -> str:
        """The owner of a current feed token; :class:`TokenError` for a rotated or bad one."""
        claims = tokens.verify(
            self.delivery.secret, token, now=self.clock(), actions=(tokens.FEED,)
        )
        account = self.app.store.account(claims.user)
        generation = account.feed_generation if account else 0
        if claims.nonce != (f"g{generation}" if generation else ""):
            raise tokens.TokenError("expired", "this feed address was replaced by a newer one")
        return claims.user


def templates() -> Jinja2Templates:
    """The packaged templates (autoescaped), with ``readable`` for LaTeX as plain text."""
    found = Jinja2Templates(directory=str(HERE / "templates"))
    found.env.globals["readable"] = readable
    found.env.filters["readable"] = readable
    return found


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


# --- the JSON shapes ---------------------------------------------------------------------------


def paper_json(paper: Paper) -> dict[str, Any]:
    """A paper for clients: id, title (as stored and readable), abstract, authors, date,
    links (abstract page and PDF, only http(s))."""
    abs_url, pdf = reading_links(paper)
    return {
        "id": paper.id,
        "title": paper.display_title,
        "readable_title": readable(paper.display_title),
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "date": paper.date,
        "links": {k: v for k, v in (("abstract", abs_url), ("pdf", pdf)) if v},
    }


def item_json(rec: Recommendation) -> dict[str, Any]:
    """A ranked item: the paper, its score and why it was ranked there; ``followed`` names
    the people the user follows who wrote it (empty for most papers)."""
    why = rec.explanation
    return {
        "paper": paper_json(rec.paper),
        "score": rec.score,
        "followed": list(rec.followed),
        "interest": why.interest,
        "explanation": {
            "closest_profile_paper": {"id": why.closest_id, "title": why.closest_title},
            "similarity": why.similarity,
            "shared_terms": list(why.shared_terms),
        },
    }


def items_json(recs: Sequence[Recommendation]) -> dict[str, Any]:
    return {"items": [item_json(r) for r in recs]}


def view_paper(paper: Paper) -> dict[str, Any]:
    """What templates show of a paper: readable title and authors (text, escaped by Jinja2)."""
    abs_url, pdf = reading_links(paper)
    return {
        "id": paper.id,
        "title": readable(paper.display_title),
        "authors": authors_line(paper.authors),
        "date": paper.date or "",
        "abstract": readable(paper.abstract),
        "abs_url": abs_url,
        "pdf_url": pdf,
    }
