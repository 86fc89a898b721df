"""The plain-text digest: what a terminal, a cron mail and the text part of the digest e-mail
show. Lines are wrapped at 78 columns; only a line that ends in a link may be longer, since a
link cut in two no longer works. Pure: data in, lines out."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from paperfeed.digest.linkset import DigestLinks, ItemLinks
from paperfeed.display import paper_url, readable
from paperfeed.models import Recommendation

WIDTH = 78
MAX_AUTHORS = 6
RATING_NOTE = "Each rating link works once; your next digest follows your ratings."

Section = tuple[str, Sequence[Recommendation]]
"""A heading (with its count, if one is shown) and the recommendations under it."""


def wrap(text: str, first: str = "", rest: str | None = None) -> list[str]:
    """``text`` wrapped at :data:`WIDTH` columns, the first line starting with ``first``, the
    others with ``rest`` (default: as many spaces); words (and links) are never cut."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=" " * len(first) if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def authors_short(names: Sequence[str]) -> str:
    """The first :data:`MAX_AUTHORS` names, then "et al."."""
    shown = ", ".join(readable(n) for n in names[:MAX_AUTHORS])
    return shown + (" et al." if len(names) > MAX_AUTHORS else "")


def trend_note(rec: Recommendation) -> str:
    """``🔥 42 upvotes on Hugging Face (14 a day)`` for a trending item."""
    votes = int(rec.components.get("upvotes", 0))
    rate = rec.components.get("upvotes_per_day", 0.0)
    per_day = f"{rate:.0f}" if rate >= 10 else f"{rate:.1f}"
    return f"🔥 {votes} upvote{'s' if votes != 1 else ''} on Hugging Face ({per_day} a day)"


def item_lines(n: int, rec: Recommendation, links: ItemLinks | None = None) -> list[str]:
    """One numbered item: title, authors, where to read it, TL;DR, why it was picked and, with
    ``links``, its two rating links (without: the paper's own address)."""
    p = rec.paper
    lines = wrap(readable(p.display_title), f"{n}. ", "   ")
    if p.authors:
        lines += wrap(authors_short(p.authors), "   ")
    if "upvotes" in rec.components:  # a trending item
        lines.append(f"   {trend_note(rec)}")
    reading = [f"abs: {links.abs}"] if links and links.abs else []
    reading += [f"pdf: {links.pdf}"] if links and links.pdf else []
    if links is None and (url := paper_url(p)):
        reading = [url]
    if reading and len("   " + "  ".join(reading)) <= WIDTH:
        lines.append("   " + "  ".join(reading))
    else:
        lines += ["   " + r for r in reading]
    if rec.followed:
        lines += wrap(f"★ {readable(rec.followed_note)}", "   ")
    if rec.tldr:
        lines += wrap(f"TL;DR: {readable(rec.tldr)}", "   ", "     ")
    lines += wrap(f"why: {readable(rec.explanation.sentence())}", "   ", "     ")
    if links is not None:
        lines.append(f"   👍 more like this: {links.up}")
        lines.append(f"   👎 less like this: {links.down}")
    return lines


def footer_lines(links: DigestLinks, *, ratings: bool = True) -> list[str]:
    """The digest's closing lines: how rating links work, the private feed, unsubscribe."""
    return [
        "",
        "--",
        *([RATING_NOTE] if ratings else []),
        f"Your private feed: {links.feed}",
        f"Unsubscribe: {links.unsubscribe}",
    ]


def digest_text(
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    links: DigestLinks | None = None,
    *,
    notices: Sequence[str] = (),
) -> str:
    """The whole digest: a head, each section's items numbered in reading order across
    sections, and, with ``links``, rating links and the footer (``links.items`` must hold
    every paper shown)."""
    lines = [*wrap(f"paperfeed — {title}"), *wrap(subtitle)]
    for notice in notices:
        lines += wrap(notice)
    n = 0
    for label, items in sections:
        lines += ["", *wrap(f"== {label} ==")]
        for rec in items:
            n += 1
            item = links.items[rec.paper.id] if links is not None else None
            lines += ["", *item_lines(n, rec, item)]
    if links is not None:
        lines += footer_lines(links)
    return "\n".join(lines) + "\n"


def status_text(title: str, subtitle: str, lines: Sequence[str], links: DigestLinks) -> str:
    """A short status message (no digest today): its sentences and the footer."""
    out = [*wrap(f"paperfeed — {title}"), *wrap(subtitle), ""]
    for line in lines:
        out += wrap(line)
    return "\n".join([*out, *footer_lines(links, ratings=False)]) + "\n"
