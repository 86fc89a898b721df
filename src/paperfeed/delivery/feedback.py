"""Redeeming the one-click links of digests and feeds: a rating link records its rating once,
an unsubscribe link stops the user's e-mail. Used by ``paperfeed serve`` (through
:class:`~paperfeed.delivery.service.Delivery`); the same :meth:`Paperfeed.rate` as
``paperfeed rate``."""

from __future__ import annotations

from dataclasses import dataclass

from paperfeed.delivery import tokens
from paperfeed.delivery.tokens import Claims, TokenError
from paperfeed.models import Paper
from paperfeed.services import Paperfeed

EMAIL = "email"
"""The e-mail channel's name in the store's delivery and subscription records."""


@dataclass(frozen=True, slots=True)
class Rated:
    user: str
    value: str
    paper: Paper


def redeem_rating(app: Paperfeed, secret: bytes, token: str, *, now: float) -> Rated:
    """Verify a rating token, mark its nonce used and record the rating, all in one
    transaction: a forged, expired or already used token raises :class:`TokenError` and
    changes nothing; a failure while rating leaves the token unused."""
    claims = tokens.verify(secret, token, now=now, actions=tokens.RATING_ACTIONS)
    with app.store.transaction():
        if not app.store.use_token_nonce(claims.nonce, claims.user, claims.expires):
            raise TokenError("replayed", "this link was already used; your rating is recorded")
        paper = app.rate(claims.user, claims.paper_id, claims.action)
    return Rated(claims.user, claims.action, paper)


def redeem_unsubscribe(app: Paperfeed, secret: bytes, token: str, *, now: float) -> Claims:
    """Verify an unsubscribe token and stop ``claims.user``'s digest e-mails (idempotent)."""
    claims = tokens.verify(secret, token, now=now, actions=(tokens.UNSUBSCRIBE,))
    app.store.set_subscribed(claims.user, EMAIL, False)
    return claims
