"""A digest as Matrix ``m.room.message`` events: an ``m.notice`` (bots' messages, which
clients do not notify as loudly) with a plain ``body`` and an HTML ``formatted_body``, split
into several events when one would pass :data:`EVENT_BYTES`. Untrusted text is HTML-escaped,
``@room`` in the plain body is broken, and ``m.mentions`` is empty, so nobody is pinged.
Pure."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from paperfeed.digest.chat import ChatItem, chat_sections, head_lines, pack
from paperfeed.digest.content import Digest

EVENT_BYTES = 30_000
"""Most bytes of one event's content (Matrix allows 65 536 for the whole event)."""
HTML_FORMAT = "org.matrix.custom.html"


def plain(text: str) -> str:
    """``text`` for the plain body: ``@room`` broken by a zero-width space."""
    return text.replace("@room", "@\u200broom")


def _a(url: str, label: str) -> str:
    return f'<a href="{escape(url)}">{escape(label)}</a>'


def _item(item: ChatItem) -> tuple[str, str]:
    """(plain, HTML) of one paper."""
    text = [f"{item.n}. {plain(item.title)} (score {item.score:.2f})"]
    title = _a(item.url, item.title) if item.url else escape(item.title)
    html = [f"<b>{item.n}. {title}</b> · score {item.score:.2f}"]
    if item.authors:
        text.append(f"   {plain(item.authors)}")
        html.append(f"<i>{escape(item.authors)}</i>")
    if item.url:
        text.append(f"   {item.url}")
    if item.tldr:
        text.append(f"   TL;DR: {plain(item.tldr)}")
        html.append(f"<b>TL;DR:</b> {escape(item.tldr)}")
    text.append(f"   why: {plain(item.why)}")
    html.append(f"why: {escape(item.why)}")
    links = [_a(item.pdf, "PDF")] if item.pdf else []
    if item.up and item.down:
        text += [f"   👍 more like this: {item.up}", f"   👎 less like this: {item.down}"]
        links += [_a(item.up, "👍 more like this"), _a(item.down, "👎 less like this")]
    if links:
        html.append(" · ".join(links))
    return "\n".join(text), "<p>" + "<br>".join(html) + "</p>"


def _event(run: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "msgtype": "m.notice",
        "body": "\n\n".join(t for t, _ in run),
        "format": HTML_FORMAT,
        "formatted_body": "".join(h for _, h in run),
        "m.mentions": {},
    }


def matrix_messages(digest: Digest, *, ratings: bool = True) -> list[dict[str, Any]]:
    """The event contents of ``digest``, in order; ``ratings`` adds the one-click rating
    links and the private feed."""
    title = f"paperfeed — {digest.title}"
    lines = head_lines(digest)
    blocks = [
        (
            "\n".join([plain(title), *map(plain, lines)]),
            f"<h4>{escape(title)}</h4><p>" + "<br>".join(map(escape, lines)) + "</p>",
        )
    ]
    for section in chat_sections(digest, ratings=ratings):
        heading = (f"== {plain(section.label)} ==", f"<h5>{escape(section.label)}</h5>")
        items = [_item(item) for item in section.items]
        if items:  # a heading travels with its first item
            first = items.pop(0)
            blocks.append((f"{heading[0]}\n\n{first[0]}", heading[1] + first[1]))
        else:
            blocks.append(heading)
        blocks += items
    if ratings and digest.recs:
        feed = digest.links.feed
        blocks.append(
            (f"Your private feed: {feed}", f"<p><small>{_a(feed, 'Your private feed')}</small></p>")
        )
    runs = pack(blocks, lambda run: len(json.dumps(_event(run)).encode()) <= EVENT_BYTES)
    return [_event(run) for run in runs]
