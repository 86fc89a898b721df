"""The digest e-mail: HTML and plain text of one user's recommendations, grouped by interest,
each with its explanation and one-click thumbs up/down links; and the short status e-mail for a
day without new papers or with a failed source. Pure: data in, strings and messages out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default as _default_policy
from email.utils import format_datetime, make_msgid
from html import escape

from paperfeed.digest.linkset import DigestLinks, ItemLinks
from paperfeed.digest.text import (
    RATING_NOTE,
    Section,
    authors_short,
    digest_text,
    status_text,
    trend_note,
)
from paperfeed.display import readable, shorten
from paperfeed.models import Recommendation

ABSTRACT_CHARS = 320
ASK_LABEL = "Help paperfeed learn: is any of these for you?"
# Long header values (the List-Unsubscribe URL) must stay one token, not be cut into
# encoded words: RFC 5322 allows lines of up to 998 characters.
POLICY = _default_policy.clone(max_line_length=998)


@dataclass(frozen=True, slots=True)
class EmailContent:
    """One e-mail before addressing: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class Group:
    """The recommendations serving one interest of the profile, best first."""

    interest: int
    label: str
    items: tuple[Recommendation, ...]


def group_by_interest(recs: Sequence[Recommendation]) -> list[Group]:
    """Recommendations grouped by ``explanation.interest``; groups in the order of their best
    item (so the most relevant interest comes first), each labelled by its interest's name."""
    groups: dict[int, list[Recommendation]] = {}
    for r in recs:
        groups.setdefault(r.explanation.interest, []).append(r)
    return [
        Group(interest, interest_label(items[0]), tuple(items))
        for interest, items in groups.items()
    ]


def interest_label(rec: Recommendation) -> str:
    """The name of the interest ``rec`` serves; without one (a ranking made outside a stored
    profile), the profile paper it is closest to."""
    e = rec.explanation
    if e.interest_name:
        return readable(e.interest_name)
    near = shorten(readable(e.closest_title), 70)
    return f"near “{near}”" if near else f"Interest {e.interest + 1}"


def day_label(day: str) -> str:
    """``Friday 21 August 2026`` for ``2026-08-21``."""
    d = date.fromisoformat(day)
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"


_authors = authors_short


def sections(
    recs: Sequence[Recommendation],
    ask: Sequence[Recommendation] = (),
    trending: Sequence[Recommendation] = (),
) -> list[Section]:
    """The headings of a digest and the items under each: the interests' groups (with their
    counts), the papers trending in the user's interests, then those active learning asks
    about."""
    out: list[Section] = [(f"{g.label} ({len(g.items)})", g.items) for g in group_by_interest(recs)]
    out += [(f"{TRENDING_LABEL} ({len(trending)})", trending)] if trending else []
    return out + ([(ASK_LABEL, ask)] if ask else [])


def _snippet(abstract: str) -> str:
    text = readable(abstract)
    if len(text) <= ABSTRACT_CHARS:
        return text
    return text[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"


_AGAIN = "paperfeed looks again on its next run."


# --- HTML (inline styles: mail clients drop <style>) -------------------------------------------

_FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
_BUTTON = (
    "display:inline-block;padding:5px 12px;margin:0 6px 0 0;border-radius:6px;"
    "font-size:13px;text-decoration:none;border:1px solid"
)


def _a(href: str, text: str, style: str = "color:#0b57d0;text-decoration:none") -> str:
    return f'<a href="{escape(href)}" style="{style}">{escape(text)}</a>'


def _html_item(n: int, rec: Recommendation, links: ItemLinks) -> str:
    p = rec.paper
    title = escape(readable(p.display_title))
    if links.abs:
        head = (
            f'<a href="{escape(links.abs)}" style="color:#0b57d0;text-decoration:none;'
            f'font-size:16px;font-weight:600;line-height:1.3">{title}</a>'
        )
    else:
        head = f'<span style="font-size:16px;font-weight:600;line-height:1.3">{title}</span>'
    meta = [escape(p.id)]
    if p.date:
        meta.append(escape(p.date))
    if p.categories:
        meta.append(escape(" ".join(p.categories[:3])))
    authors = (
        f'<div style="color:#444;font-size:13px;margin-top:4px">{escape(_authors(p.authors))}</div>'
        if p.authors
        else ""
    )
    e = rec.explanation
    closest = escape(readable(e.closest_title))
    why = f"Closest to your paper “{closest}” (similarity {e.similarity:.2f})"
    if e.shared_terms:
        why += "; shared terms: " + ", ".join(f"<b>{escape(t)}</b>" for t in e.shared_terms)
    reading = [_a(links.abs, "abstract")] if links.abs else []
    reading += [_a(links.pdf, "PDF")] if links.pdf else []
    up = _a(links.up, "👍 More like this", f"{_BUTTON} #1e7d32;color:#1e7d32;background:#f1f8f1")
    down = _a(
        links.down, "👎 Less like this", f"{_BUTTON} #b3261e;color:#b3261e;background:#fdf2f1"
    )
    return (
        '<div style="background:#ffffff;border:1px solid #e2e2e6;border-radius:10px;'
        'padding:14px 16px;margin:0 0 12px 0">'
        f'<div style="float:right;color:#999;font-size:12px">#{n}</div>{head}{authors}'
        f'<div style="color:#777;font-size:12px;margin-top:2px">{" · ".join(meta)}'
        + (" · " + " · ".join(reading) if reading else "")
        + "</div>"
        + _html_followed(rec)
        + f'<div style="background:#f3f8f3;border-left:3px solid #2e7d32;color:#24502a;'
        f'font-size:13px;padding:6px 10px;margin:10px 0">{why}</div>'
        + _html_tldr(rec.tldr)
        + f'<div style="color:#333;font-size:13px;line-height:1.45">{escape(_snippet(p.abstract))}'
        "</div>"
        f'<div style="margin-top:10px">{up}{down}</div></div>'
    )


def _html_followed(rec: Recommendation) -> str:
    """The "by NAME, whom you follow" badge of an item, or nothing."""
    if not rec.followed:
        return ""
    return (
        '<div style="color:#7a4b00;font-size:13px;font-weight:600;margin:8px 0 0 0">'
        f"★ {escape(readable(rec.followed_note))}</div>"
    )


def _html_tldr(tldr: str) -> str:
    """The TL;DR line of an item in bold, or nothing."""
    if not tldr:
        return ""
    return (
        '<div style="color:#1d1d1f;font-size:14px;line-height:1.45;margin:0 0 6px 0">'
        f"<b>TL;DR:</b> {escape(readable(tldr))}</div>"
    )


def _html_page(
    title: str, subtitle: str, body: str, links: DigestLinks, *, ratings: bool = True
) -> str:
    footer = (
        '<div style="color:#777;font-size:12px;line-height:1.5;margin-top:20px;'
        'border-top:1px solid #ddd;padding-top:12px">'
        + (f"{RATING_NOTE}<br>" if ratings else "")
        + f"{_a(links.feed, 'Your private RSS/Atom feed')} · "
        f"{_a(links.unsubscribe, 'Unsubscribe')}</div>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        f'<body style="margin:0;padding:0;background:#f4f4f6;{_FONT};color:#1d1d1f">'
        '<div style="max-width:680px;margin:0 auto;padding:20px 14px">'
        '<div style="color:#0b57d0;font-weight:700;font-size:13px;letter-spacing:.08em">'
        "PAPERFEED</div>"
        f'<h1 style="font-size:22px;margin:4px 0 2px 0">{escape(title)}</h1>'
        f'<div style="color:#666;font-size:14px;margin-bottom:14px">{escape(subtitle)}</div>'
        f"{body}{footer}</div></body></html>"
    )


def _notices_html(notices: Sequence[str]) -> str:
    if not notices:
        return ""
    lines = "".join(f"<div>{escape(n)}</div>" for n in notices)
    return (
        '<div style="background:#fff8e1;border:1px solid #f0d48a;border-radius:8px;'
        f'padding:8px 12px;margin:0 0 14px 0;font-size:13px;color:#6b4e00">{lines}</div>'
    )


# --- the two e-mails ---------------------------------------------------------------------------


def render_digest(
    recs: Sequence[Recommendation],
    links: DigestLinks,
    *,
    user: str,
    day: str,
    notices: Sequence[str] = (),
    ask: Sequence[Recommendation] = (),
    trending: Sequence[Recommendation] = (),
) -> EmailContent:
    """The digest of ``recs`` for ``user`` on ``day``; ``notices`` (e.g. a failed source) are
    shown above the papers; ``trending`` follows them as "Trending in your interests"; ``ask``
    (from active learning) closes the digest as "rate these to sharpen your feed".
    ``links.items`` must hold every paper shown."""
    n = len(recs)
    title = f"{n} paper{'s' if n != 1 else ''} for {user}"
    subtitle = f"Picked from the listings of {day_label(day)}"
    top = shorten(readable(recs[0].paper.display_title), 60) if recs else ""
    subject = f"paperfeed {day}: {title}" + (f" — “{top}”" if top else "")
    groups = group_by_interest(recs)
    shown = 0
    body = [_notices_html(notices)]
    for g in groups:
        body.append(
            '<h2 style="font-size:15px;color:#333;margin:22px 0 10px 0;'
            f'border-bottom:1px solid #ddd;padding-bottom:4px">{escape(g.label)} '
            f'<span style="color:#999;font-weight:400">({len(g.items)})</span></h2>'
        )
        for r in g.items:
            shown += 1  # numbered in reading order, across groups
            body.append(_html_item(shown, r, links.items[r.paper.id]))
    if trending:
        body.append(
            '<h2 style="font-size:15px;color:#333;margin:22px 0 4px 0;'
            f'border-bottom:1px solid #ddd;padding-bottom:4px">{escape(TRENDING_LABEL)}</h2>'
            f'<div style="color:#666;font-size:13px;margin-bottom:8px">{TRENDING_INTRO}</div>'
        )
        for r in trending:
            shown += 1
            body.append(
                '<div style="color:#b45309;font-size:13px;margin:0 0 4px 2px">'
                f"{escape(trend_note(r))}</div>" + _html_item(shown, r, links.items[r.paper.id])
            )
    if ask:
        label = ASK_LABEL
        body.append(
            '<h2 style="font-size:15px;color:#333;margin:22px 0 4px 0;'
            f'border-bottom:1px solid #ddd;padding-bottom:4px">{escape(label)}</h2>'
            '<div style="color:#666;font-size:13px;margin-bottom:8px">Papers at the edge of '
            "what your feed would show: one click on each teaches it most.</div>"
        )
        for r in ask:
            shown += 1
            body.append(_html_item(shown, r, links.items[r.paper.id]))
    text = digest_text(title, subtitle, sections(recs, ask, trending), links, notices=notices)
    html = _html_page(title, subtitle, "".join(body), links)
    return EmailContent(subject, text, html)


TRENDING_LABEL = "Trending in your interests"
TRENDING_INTRO = "Papers many readers upvoted on Hugging Face lately, among those that suit you."


def status_lines(*, no_new_papers: bool, failures: Sequence[str]) -> list[str]:
    """The sentences of a status e-mail: each failed source with its cause, then whether
    there are new papers."""
    lines = [f"Source {f}" for f in failures]
    if no_new_papers:
        lines.append("No new papers today: nothing to recommend.")
    return lines


def render_status(
    links: DigestLinks, *, user: str, day: str, no_new_papers: bool, failures: Sequence[str]
) -> EmailContent:
    """The short e-mail for a day without a digest: "no new papers today" and/or
    "source X failed: cause" (each failure as ``"X failed: cause"``)."""
    lines = status_lines(no_new_papers=no_new_papers, failures=failures)
    if failures:
        what = f"source {failures[0].split(' failed', 1)[0]} failed"
        what += f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
    else:
        what = "no new papers today"
    subject = f"paperfeed {day}: {what}"
    title = f"No digest for {user} today" if no_new_papers else f"Digest for {user}"
    subtitle = day_label(day)
    body = (
        '<div style="background:#ffffff;border:1px solid #e2e2e6;border-radius:10px;'
        'padding:14px 16px;font-size:14px;line-height:1.5">'
        + "".join(f"<div>{escape(line)}</div>" for line in lines)
        + f'<div style="color:#666;margin-top:8px">{_AGAIN}</div></div>'
    )
    text = status_text(title, subtitle, [*lines, _AGAIN], links)
    html = _html_page(title, subtitle, body, links, ratings=False)
    return EmailContent(subject, text, html)


def build_message(
    content: EmailContent,
    *,
    sender: str,
    to: str,
    when: datetime,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message (plain text first, HTML preferred) with list headers
    so mail clients offer one-click unsubscribe (RFC 2369, RFC 8058)."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = content.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(when)
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "paperfeed.invalid"
    msg["Message-ID"] = make_msgid("paperfeed", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(content.text)
    msg.add_alternative(content.html, subtype="html")
    return msg
