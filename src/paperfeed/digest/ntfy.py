"""A digest as one ntfy notification (JSON publishing: ``topic``, ``title``, ``message``,
``tags``, ``click``): a short numbered list of titles with scores, TL;DRs and links, cut to
fit ntfy's 4 096-byte message limit ("… and 7 more"). Plain text, nothing to escape; the
one-click rating links only when asked for, since anyone who knows a topic's name can read
it. Pure."""

from __future__ import annotations

from typing import Any

from paperfeed.digest.chat import ChatItem, chat_sections, cut, head_lines
from paperfeed.digest.content import Digest

MESSAGE_BYTES = 4000
"""Most bytes of the message (ntfy refuses or attaches anything over 4 096)."""


def _item(item: ChatItem) -> list[str]:
    lines = [f"{item.n}. {item.title} ({item.score:.2f})"]
    if item.tldr:
        lines.append(f"   {item.tldr}")
    if item.url:
        lines.append(f"   {item.url}")
    if item.up and item.down:
        lines += [f"   👍 {item.up}", f"   👎 {item.down}"]
    return lines


def ntfy_message(digest: Digest, topic: str, *, ratings: bool = False) -> dict[str, Any]:
    """The JSON to publish ``digest`` to ``topic``; tapping it opens the top paper. The
    papers active learning asks about come only with ``ratings`` (they are there to be
    rated)."""
    lines = head_lines(digest)[1:]  # the day is in the title
    sections = chat_sections(digest, ratings=ratings)
    if digest.ask and not ratings:
        sections = sections[:-1]
    items = [item for section in sections for item in section.items]
    for i, item in enumerate(items):
        more = len(items) - i - 1
        added = ["", *_item(item)]
        tail = [f"… and {more} more"] if more else []
        if len("\n".join([*lines, *added, *tail]).encode()) > MESSAGE_BYTES:
            lines.append(f"… and {more + 1} more")
            break
        lines += added
    if ratings and digest.recs:
        lines += ["", f"Your private feed: {digest.links.feed}"]
    text = "\n".join(lines).strip() or digest.title
    message: dict[str, Any] = {
        "topic": topic,
        "title": cut(digest.headline, 250),
        "message": text.encode()[:MESSAGE_BYTES].decode("utf-8", "ignore"),
        "tags": ["warning"] if digest.failures else ["page_facing_up"],
    }
    top = next((item.url for item in items if item.url), None)
    if top:
        message["click"] = top
    return message
