"""A digest as Slack incoming-webhook messages: Block Kit blocks (a header, one ``mrkdwn``
section per paper) with a plain ``text`` fallback for notifications; also understood by
Slack-compatible webhooks (Mattermost, Rocket.Chat). Titles and other untrusted text have
``&``, ``<`` and ``>`` escaped, so they cannot form links or ``<!channel>`` mentions. Pure."""

from __future__ import annotations

from typing import Any

from paperfeed.digest.chat import ChatItem, chat_sections, cut, head_lines, pack
from paperfeed.digest.content import Digest

MAX_BLOCKS = 45
"""Blocks per message (Slack takes 50)."""
SECTION_CHARS = 3000
HEADER_CHARS = 150


def escape(text: str) -> str:
    """``text`` safe in Slack ``mrkdwn``: its three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """``<url|label>``, both escaped (a ``|`` in the URL would end it)."""
    return f"<{escape(url).replace('|', '%7C')}|{escape(label)}>"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_CHARS)}}


def _item(item: ChatItem) -> dict[str, Any]:
    title = link(item.url, item.title) if item.url else escape(item.title)
    lines = [f"*{item.n}.* *{title}*  ·  score {item.score:.2f}"]
    if item.authors:
        lines.append(escape(item.authors))
    if item.tldr:
        lines.append(f">*TL;DR:* {escape(item.tldr)}")
    lines.append(f"_why:_ {escape(item.why)}")
    reading = [link(item.pdf, "PDF")] if item.pdf else []
    if item.up and item.down:
        reading += [link(item.up, "👍 more like this"), link(item.down, "👎 less like this")]
    if reading:
        lines.append("  ·  ".join(reading))
    return _mrkdwn("\n".join(lines))


def slack_messages(digest: Digest, *, ratings: bool = True) -> list[dict[str, Any]]:
    """The webhook payloads of ``digest``, in order (several when it has more blocks than
    one message takes); ``ratings`` adds the one-click rating links and the private feed."""
    head: dict[str, Any] = {
        "type": "header",
        "text": {"type": "plain_text", "text": cut(f"paperfeed — {digest.title}", HEADER_CHARS)},
    }
    blocks: list[dict[str, Any]] = [head, _mrkdwn("\n".join(escape(x) for x in head_lines(digest)))]
    for section in chat_sections(digest, ratings=ratings):
        blocks += [{"type": "divider"}, _mrkdwn(f"*{escape(section.label)}*")]
        blocks += [_item(item) for item in section.items]
    if ratings and digest.recs:
        feed = link(digest.links.feed, "your private feed")
        note = f"Each rating link works once; your next digest follows them. {feed}"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    runs = pack(blocks, lambda run: len(run) <= MAX_BLOCKS)
    text = escape(digest.headline)
    return [
        {"text": text if len(runs) == 1 else f"{text} ({i}/{len(runs)})", "blocks": run}
        for i, run in enumerate(runs, 1)
    ]
