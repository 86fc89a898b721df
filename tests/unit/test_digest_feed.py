"""RSS/Atom feeds: valid for feedparser, same explanations and rating links as the e-mail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from paperfeed.delivery.feedfile import write_feed_file
from paperfeed.delivery.links import digest_links, feed_url
from paperfeed.digest.feed import render_feed
from paperfeed.models import Explanation, Paper, Recommendation

SECRET = b"s" * 32
NOW = datetime(2026, 8, 21, 6, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:8787"


def sample_recs() -> list[Recommendation]:
    recs = []
    for i, interest in enumerate([0, 1, 0]):
        paper = Paper(
            id=f"2608.0{i:04d}" if i < 2 else "doi:10.1000/xyz",
            title=f"Paper {i} & <friends>",
            abstract=f"Abstract {i}.",
            authors=("Ada Lovelace", "Alan Turing"),
            categories=("cs.LG", "stat.ML"),
            date="2026-08-2" + str(i),
            doi="10.1000/xyz" if i == 2 else None,
        )
        why = Explanation(f"p{interest}", f"Profile {interest}", 0.5, ("term",), interest)
        recs.append(Recommendation(paper, 1.0 - i / 10, i + 1, why))
    return recs


def _render(fmt: str, interest: int | None = None) -> tuple[str, object, list[Recommendation]]:
    recs = sample_recs()
    links = digest_links(SECRET, BASE, "linda", [r.paper for r in recs], now=NOW.timestamp())
    doc = render_feed(
        recs,
        links,
        user="linda",
        self_url=feed_url(BASE, "tok.en", interest, fmt),
        home_url=BASE,
        now=NOW,
        interest=interest,
        fmt=fmt,
    )
    return doc, links, recs


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feed_parses_with_every_item_explained_and_rateable(fmt: str) -> None:
    doc, links, recs = _render(fmt)
    parsed = feedparser.parse(doc)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
    assert parsed.feed.title == "paperfeed: papers for linda"
    assert [e.title for e in parsed.entries] == [f"Paper {i} & <friends>" for i in range(3)]
    for entry, rec in zip(parsed.entries, recs, strict=True):
        item = links.items[rec.paper.id]  # type: ignore[attr-defined]
        assert entry.link == item.abs
        assert rec.explanation.sentence() in entry.summary
        body = entry.content[0].value if "content" in entry else entry.description
        assert item.up in body and item.down in body and "Why:" in body
        assert item.pdf is None or item.pdf in body
    first = parsed.entries[0]
    assert first.published_parsed[:3] == (2026, 8, 20)
    if fmt == "atom":
        assert [a.name for a in first.authors] == ["Ada Lovelace", "Alan Turing"]
        assert [ln.href for ln in first.links] == [first.link]
        assert {t.term for t in first.tags} == {"cs.LG", "stat.ML"}


def test_feed_for_one_interest() -> None:
    doc, _, _ = _render("atom", interest=1)
    parsed = feedparser.parse(doc)
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["Paper 1 & <friends>"]
    assert parsed.feed.title == "paperfeed: papers for linda — near “Profile 1”"
    assert any(ln.href.endswith("/feed/tok.en/2.xml") for ln in parsed.feed.links)


def test_empty_feed_is_valid() -> None:
    links = digest_links(SECRET, BASE, "linda", [], now=NOW.timestamp())
    doc = render_feed([], links, user="linda", self_url="http://x/f.xml", home_url=BASE, now=NOW)
    parsed = feedparser.parse(doc)
    assert not parsed.bozo and parsed.entries == []


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="atom, rss"):
        render_feed(
            [],
            digest_links(SECRET, BASE, "u", [], now=0),
            user="u",
            self_url="x",
            home_url="y",
            now=NOW,
            fmt="json",
        )


def test_write_feed_file_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "public" / "feed.xml"
    write_feed_file(target, "<feed>one</feed>")
    write_feed_file(target, "<feed>two</feed>")
    assert target.read_text() == "<feed>two</feed>"
    assert [p.name for p in target.parent.iterdir()] == ["feed.xml"]
