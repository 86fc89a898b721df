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
from paperfeed.display import authors_line, hf_url, readable
from paperfeed.models import Paper, Recommendation
from paperfeed.services import Paperfeed
from paperfeed.services.accounts import Accounts
from paperfeed.services.maps import InterestMaps
from paperfeed.services.signin import SignInThrottle

HERE = Path(__file__).parent
MAX_UPLOAD = 20 * 1024 * 1024
"""Largest upload (profile files) in bytes."""


@dataclass
class WebState:
    """One installation as the web app sees it; ``rank_lock`` serializes the CPU-bound
    rankings (and the store's single connection) across request threads."""

    delivery: Delivery
    allow_signup: bool = False
    behind_proxy: bool = False
    clock: Callable[[], float] = time.time
    rank_lock: threading.RLock = field(default_factory=threading.RLock)
    maps: InterestMaps = field(default_factory=InterestMaps)
    """Each user's last interest-map feed (reused while their profile and ratings stay)."""
    templates: Jinja2Templates = field(default_factory=lambda: templates())

    @property
    def app(self) -> Paperfeed:
        return self.delivery.app

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.app.store)

    @property
    def throttle(self) -> SignInThrottle:
        """Failed sign-ins, counted in the store (shared by worker processes, kept across
        restarts)."""
        return SignInThrottle(self.app.store)

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
    links (abstract page, PDF and Hugging Face page where known; only http(s))."""
    abs_url, pdf = reading_links(paper)
    links = (("abstract", abs_url), ("pdf", pdf), ("hf", hf_url(paper)))
    return {
        "id": paper.id,
        "title": paper.display_title,
        "readable_title": readable(paper.display_title),
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "date": paper.date,
        "links": {k: v for k, v in links if v},
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


def trend_json(rec: Recommendation) -> dict[str, Any]:
    """A trending item: a ranked item with its Hugging Face upvotes and upvotes per day."""
    return {
        **item_json(rec),
        "upvotes": int(rec.components.get("upvotes", 0)),
        "upvotes_per_day": rec.components.get("upvotes_per_day", 0.0),
    }


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
        "hf_url": hf_url(paper),
    }
