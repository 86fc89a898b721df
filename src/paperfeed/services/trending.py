"""The "Trending in your interests" section of digests, feeds and the web feed: the papers of
the user's last ``trending_days`` with many or fast-rising Hugging Face upvotes that their own
ranking puts near its top (:func:`paperfeed.rank.trending.select_trending`). On by default
(``[users.NAME] trending``); empty when no paper of the window carries upvotes, so a store
without Hugging Face papers never pays for it. A failure leaves the section out and never
the digest."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, timedelta

from paperfeed.models import Recommendation
from paperfeed.rank.ranker import with_shared_terms
from paperfeed.rank.trending import has_trend, select_trending
from paperfeed.services.app import Paperfeed
from paperfeed.services.common import UserError, days_before
from paperfeed.settings import UserDelivery

log = logging.getLogger("paperfeed.trending")


def trending(
    app: Paperfeed,
    user: str,
    *,
    until: str | None = None,
    exclude: Collection[str] = (),
) -> list[Recommendation]:
    """``user``'s trending papers among those listed in the ``trending_days`` before
    ``until`` (None: up to the newest listing in the store), leaving out ``exclude`` (what
    the digest or feed already shows); with explanations and TL;DRs like every item."""
    found = app.settings.delivery.user(user) if app.settings else None
    wanted = found or UserDelivery(user, "")
    if not wanted.trending or wanted.trending_top <= 0:
        return []
    last = (date.fromisoformat(until) - timedelta(days=1)).isoformat() if until else None
    last = last or app.store.latest_date()
    if last is None:
        return []
    since = days_before(last, wanted.trending_days)
    if not any(has_trend(p) for p in app.store.papers_between(since, until)):
        return []
    try:
        # the user's one ranking path (filters, shown papers, muted interests) over the window
        ranked, pool, positives = app._rank_user(user, since, until, None, top=0, explain=0)
    except UserError as exc:
        log.info("no trending papers for %s: %s", user, exc)
        return []
    picked = select_trending(
        ranked,
        today=date.fromisoformat(last),
        top=wanted.trending_top,
        exclude=exclude,
        feed_size=wanted.size,
    )
    return app.with_tldrs(user, with_shared_terms(picked, positives, pool, app.params))
