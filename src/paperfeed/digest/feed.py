"""RSS 2.0 / Atom feeds of a user's recommendations (all, or one interest), with the same
explanations and rating links as the e-mail. Pure: the document comes back as a string
(:mod:`paperfeed.delivery.feedfile` writes it for a static web server)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from html import escape

from feedgen.feed import FeedGenerator

from paperfeed.digest.email import TRENDING_LABEL, group_by_interest, trend_note
from paperfeed.digest.linkset import DigestLinks, ItemLinks
from paperfeed.display import readable
from paperfeed.models import Recommendation

FORMATS: tuple[str, ...] = ("atom", "rss")
MAX_FEED_AUTHORS = 10


def _when(day: str | None, fallback: datetime) -> datetime:
    if not day:
        return fallback
    try:
        return datetime.combine(date.fromisoformat(day), time(0, 0), tzinfo=UTC)
    except ValueError:
        return fallback


def _content(rec: Recommendation, links: ItemLinks) -> str:
    p = rec.paper
    parts = []
    if p.authors:
        names = ", ".join(readable(a) for a in p.authors[:MAX_FEED_AUTHORS])
        parts.append(f"<p><i>{escape(names)}</i></p>")
    if rec.followed:
        parts.append(f"<p><b>★ {escape(readable(rec.followed_note))}</b></p>")
    if rec.tldr:
        parts.append(f"<p><b>TL;DR:</b> {escape(readable(rec.tldr))}</p>")
    parts.append(f"<p><b>Why:</b> {escape(readable(rec.explanation.sentence()))}</p>")
    parts.append(f"<p>{escape(readable(p.abstract))}</p>")
    reading = [f'<a href="{escape(links.abs)}">abstract</a>'] if links.abs else []
    reading += [f'<a href="{escape(links.pdf)}">PDF</a>'] if links.pdf else []
    rate = [
        f'<a href="{escape(links.up)}">👍 more like this</a>',
        f'<a href="{escape(links.down)}">👎 less like this</a>',
    ]
    parts.append("<p>" + " · ".join(reading + rate) + "</p>")
    return "".join(parts)


def render_feed(
    recs: Sequence[Recommendation],
    links: DigestLinks,
    *,
    user: str,
    self_url: str,
    home_url: str,
    now: datetime,
    interest: int | None = None,
    fmt: str = "atom",
    trending: Sequence[Recommendation] = (),
) -> str:
    """The feed document (``fmt`` atom or rss) of ``recs``, best first, then the ``trending``
    ones (titled "Trending in your interests: …", category ``trending``); with ``interest``,
    only the recommendations serving that interest (numbered from 0), none trending."""
    if fmt not in FORMATS:
        raise ValueError(f"feed format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    title = f"paperfeed: papers for {user}"
    if interest is not None:
        recs = [r for r in recs if r.explanation.interest == interest]
        label = next(
            (g.label for g in group_by_interest(recs) if g.interest == interest),
            f"interest {interest + 1}",
        )
        title += f" — {label}"
    fg = FeedGenerator()
    scope = f"/{interest + 1}" if interest is not None else ""
    fg.id(f"tag:paperfeed,2025:feed/{user}{scope}")
    fg.title(title)
    fg.subtitle("Recommended research papers, each with why it was picked.")
    fg.author({"name": "paperfeed"})
    fg.link(href=self_url, rel="self")
    fg.link(href=home_url, rel="alternate")
    fg.language("en")
    fg.generator("paperfeed")
    fg.updated(now)
    hot = {r.paper.id for r in trending} if interest is None else set()
    for rec in [*recs, *(trending if interest is None else ())]:
        p = rec.paper
        item = links.items[p.id]
        fe = fg.add_entry(order="append")
        fe.id(item.abs or f"tag:paperfeed,2025:paper/{p.id}")
        fe.title(f"{TRENDING_LABEL}: " * (p.id in hot) + readable(p.display_title))
        # One link per entry: feedgen 1.0 writes entry links without their rel/type, so a
        # second (PDF) link would be read as the entry's main link; the PDF is in the content.
        if item.abs:
            fe.link(href=item.abs, rel="alternate")
            fe.guid(item.abs, permalink=True)
        else:
            fe.guid(f"tag:paperfeed,2025:paper/{p.id}", permalink=False)
        for name in p.authors[:MAX_FEED_AUTHORS]:
            fe.author({"name": readable(name)})
        for cat in (*p.categories, *(["trending"] if p.id in hot else [])):
            fe.category(term=cat)
        when = _when(p.date, now)
        fe.published(when)
        fe.updated(when)
        badge = f"★ {rec.followed_note}. " if rec.followed else ""
        fe.summary(badge + readable(rec.explanation.sentence()))
        note = f"<p>{escape(trend_note(rec))}</p>" if p.id in hot else ""
        fe.content(note + _content(rec, item), type="CDATA" if fmt == "rss" else "html")
    raw = fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)
    return raw.decode("utf-8")
