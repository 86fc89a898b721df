"""What the chat renderers (Slack, Discord, Matrix, ntfy) share: a digest's items reduced to
the lines a chat message shows, with every untrusted text made readable and bounded, and the
packing of blocks into messages under a platform's size limit. Each platform escapes the text
for its own markup. Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from paperfeed.digest.content import Digest
from paperfeed.digest.email import sections
from paperfeed.digest.text import authors_short, trend_note
from paperfeed.display import readable, shorten
from paperfeed.models import Recommendation

TITLE_CHARS = 200
LINE_CHARS = 300
"""Most characters of a title, and of a TL;DR or explanation, in a chat message."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ChatItem:
    """One paper as a chat message shows it (plain text, not yet escaped)."""

    n: int
    title: str
    url: str | None
    pdf: str | None
    score: float
    authors: str
    tldr: str
    why: str
    up: str | None = None
    down: str | None = None


@dataclass(frozen=True, slots=True)
class ChatSection:
    """A heading (an interest with its count, or "Help paperfeed learn") and its items."""

    label: str
    items: tuple[ChatItem, ...]


def chat_sections(digest: Digest, *, ratings: bool = True) -> list[ChatSection]:
    """The digest's sections as the e-mail groups them, items numbered in reading order;
    rating links only with ``ratings``."""
    out: list[ChatSection] = []
    n = 0
    for label, recs in sections(digest.recs, digest.ask, digest.trending):
        items = []
        for r in recs:
            n += 1
            links = digest.links.items[r.paper.id]
            tldr = readable(r.tldr)
            items.append(
                ChatItem(
                    n=n,
                    title=shorten(readable(r.paper.display_title), TITLE_CHARS) or r.paper.id,
                    url=links.abs,
                    pdf=links.pdf,
                    score=r.score,
                    authors=shorten(authors_short(r.paper.authors), LINE_CHARS),
                    tldr=shorten(tldr, LINE_CHARS) if tldr else "",
                    why=shorten(_badges(r) + readable(r.explanation.sentence()), LINE_CHARS),
                    up=links.up if ratings else None,
                    down=links.down if ratings else None,
                )
            )
        out.append(ChatSection(label, tuple(items)))
    return out


def _badges(r: Recommendation) -> str:
    """What the e-mail shows above the explanation, as a prefix: the followed person, the
    trending upvotes."""
    out = f"★ {readable(r.followed_note)}. " if r.followed else ""
    return out + (f"{trend_note(r)}. " if "upvotes" in r.components else "")


def head_lines(digest: Digest) -> list[str]:
    """The lines under a message's title: the day, the notices, or a status's sentences."""
    return [digest.subtitle, *(digest.notices if digest.recs else digest.status())]


def pack(blocks: Sequence[T], fits: Callable[[list[T]], bool]) -> list[list[T]]:
    """``blocks`` in order, in as few consecutive runs as ``fits`` allows (greedy); a block
    that does not fit even alone gets a run of its own (the caller cuts it)."""
    runs: list[list[T]] = []
    for block in blocks:
        if runs and fits([*runs[-1], block]):
            runs[-1].append(block)
        else:
            runs.append([block])
    return runs


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marked with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_link(url: str) -> str:
    """``url`` with the characters that end a link in chat markup (spaces, brackets,
    parentheses, angle brackets, ``|``) percent-encoded."""
    table = {" ": "%20", "<": "%3C", ">": "%3E", "(": "%28", ")": "%29", "[": "%5B"}
    table |= {"]": "%5D", "|": "%7C", '"': "%22", "`": "%60"}
    return "".join(table.get(c, c) for c in url)
