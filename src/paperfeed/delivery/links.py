"""Building the links a digest or feed carries: abstract and PDF, signed one-click ratings, the
private feed and unsubscribe. Pure: secret, time and papers in, URLs out."""

from __future__ import annotations

from collections.abc import Sequence

from paperfeed.delivery import tokens
from paperfeed.digest.linkset import DigestLinks, ItemLinks
from paperfeed.display import paper_url
from paperfeed.ids import is_arxiv_id
from paperfeed.models import Paper


def reading_links(paper: Paper) -> tuple[str | None, str | None]:
    """(abstract page, PDF) of a paper; the PDF only where it is known (arXiv)."""
    pdf = f"https://arxiv.org/pdf/{paper.id}" if is_arxiv_id(paper.id) else None
    return paper_url(paper), pdf


def feed_url(base_url: str, feed_token: str, interest: int | None = None, fmt: str = "atom") -> str:
    """``<base>/feed/<token>.xml`` (Atom) or ``.rss``; ``/<token>/<n>.xml`` for interest n
    (numbered from 1, as shown to people)."""
    ext = "rss" if fmt == "rss" else "xml"
    tail = f"/{interest + 1}.{ext}" if interest is not None else f".{ext}"
    return f"{base_url.rstrip('/')}/feed/{feed_token}{tail}"


def digest_links(
    secret: bytes,
    base_url: str,
    user: str,
    papers: Sequence[Paper],
    *,
    now: float,
    ttl_days: float = tokens.DEFAULT_TTL_DAYS,
    feed_generation: int = 0,
) -> DigestLinks:
    """Fresh signed links for ``user``'s digest of ``papers``, rating links valid ``ttl_days``,
    the feed link of the address's current ``feed_generation``."""
    base = base_url.rstrip("/")
    items: dict[str, ItemLinks] = {}
    for p in papers:
        abs_url, pdf = reading_links(p)
        up, down = (
            f"{base}/rate/"
            + tokens.rating_token(secret, user, p.id, action, now=now, ttl_days=ttl_days)
            for action in ("up", "down")
        )
        items[p.id] = ItemLinks(abs_url, pdf, up, down)
    return DigestLinks(
        unsubscribe=f"{base}/unsubscribe/{tokens.unsubscribe_token(secret, user)}",
        feed=feed_url(base, tokens.feed_token(secret, user, feed_generation)),
        items=items,
    )
