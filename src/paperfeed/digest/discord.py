"""A digest as Discord webhook messages: Markdown ``content`` split on item boundaries into
messages of at most 2000 characters (Discord's limit), with mentions switched off
(``allowed_mentions``) and link previews suppressed. Titles and other untrusted text have
Markdown's characters backslash-escaped and ``@everyone``/``@here`` broken, so a title can
neither format the message nor ping anyone. Pure."""

from __future__ import annotations

import re
from typing import Any

from paperfeed.digest.chat import ChatItem, chat_sections, cut, head_lines, pack, safe_link
from paperfeed.digest.content import Digest

LIMIT = 2000
"""Characters of one message's ``content``."""
SUPPRESS_EMBEDS = 4
"""The message flag that turns off link previews (one per link would bury the digest)."""
_MARKDOWN = re.compile(r"([\\*_~`|<>\[\]])")
_LINE_START = re.compile(r"^(\s*)([#-]|\d+(?=\.))")
_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)


def _mark(m: re.Match[str]) -> str:
    """A heading or list marker at the start escaped: ``\\#``, ``\\-``, ``12\\.``."""
    lead, marker = m.group(1), m.group(2)
    return f"{lead}{marker}\\" if marker[0].isdigit() else f"{lead}\\{marker}"


def escape(text: str) -> str:
    """``text`` shown as written in Discord Markdown: emphasis, code, quote, spoiler and link
    characters escaped (and a heading or list marker at its start), mass mentions broken by
    a zero-width space."""
    text = _LINE_START.sub(_mark, _MARKDOWN.sub(r"\\\1", text))
    return _MENTION.sub("@\u200b\\1", text)


def link(url: str, label: str) -> str:
    """A masked link ``[label](<url>)`` (the angle brackets keep Discord from previewing it)."""
    return f"[{escape(label)}](<{safe_link(url)}>)"


def _item(item: ChatItem) -> str:
    title = link(item.url, item.title) if item.url else escape(item.title)
    lines = [f"**{item.n}. {title}** · score {item.score:.2f}"]
    if item.authors:
        lines.append(escape(item.authors))
    if item.tldr:
        lines.append(f"> **TL;DR:** {escape(item.tldr)}")
    lines.append(f"*why:* {escape(item.why)}")
    reading = [link(item.pdf, "PDF")] if item.pdf else []
    if item.up and item.down:
        reading += [link(item.up, "👍 more like this"), link(item.down, "👎 less like this")]
    if reading:
        lines.append(" · ".join(reading))
    return "\n".join(lines)


def discord_messages(digest: Digest, *, ratings: bool = True) -> list[dict[str, Any]]:
    """The webhook payloads of ``digest``, in order, each ``content`` at most :data:`LIMIT`
    characters; ``ratings`` adds the one-click rating links and the private feed."""
    head = "\n".join(
        [f"**{escape(f'paperfeed — {digest.title}')}**", *map(escape, head_lines(digest))]
    )
    blocks = [head]
    for section in chat_sections(digest, ratings=ratings):
        items = [_item(item) for item in section.items]
        heading = f"__**{escape(section.label)}**__"
        blocks += [f"{heading}\n{items[0]}", *items[1:]] if items else [heading]
    if ratings and digest.recs:
        blocks.append(f"-# Each rating link works once. {link(digest.links.feed, 'Your feed')}")
    runs = pack(blocks, lambda run: len("\n\n".join(run)) <= LIMIT)
    return [
        {
            "content": cut("\n\n".join(run), LIMIT),
            "allowed_mentions": {"parse": []},
            "flags": SUPPRESS_EMBEDS,
        }
        for run in runs
    ]
