"""The pure renderings every channel posts, and the plain-text digest: sizes within each
platform's limits, every paper once and in order, untrusted text neutralized, status
messages for a quiet day, 78 columns for text."""

from __future__ import annotations

import re

import pytest

from paperfeed.digest.content import Digest
from paperfeed.digest.discord import discord_messages
from paperfeed.digest.discord import escape as discord_escape
from paperfeed.digest.email import sections
from paperfeed.digest.matrix import matrix_messages
from paperfeed.digest.ntfy import ntfy_message
from paperfeed.digest.slack import MAX_BLOCKS, slack_messages
from paperfeed.digest.slack import escape as slack_escape
from paperfeed.digest.text import WIDTH, digest_text
from sample_digest import digest, recs


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a *b* _c_ ~d~ `e` |f|", r"a \*b\* \_c\_ \~d\~ \`e\` \|f\|"),
        ("[click](https://evil.example)", r"\[click\](https://evil.example)"),
        ("@everyone and @Here", "@\u200beveryone and @\u200bHere"),
        ("<@123> <#9>", r"\<@123\> \<#9\>"),
        ("# heading", r"\# heading"),
        ("- item", r"\- item"),
        ("2024. A year", r"2024\. A year"),
        ("a-b #c 3.5", "a-b #c 3.5"),  # markers only matter at the start
    ],
)
def test_discord_escaping(raw: str, shown: str) -> None:
    assert discord_escape(raw) == shown


def test_slack_escaping() -> None:
    assert (
        slack_escape("<!here> a & b <http://x|y>") == "&lt;!here&gt; a &amp; b &lt;http://x|y&gt;"
    )


def test_slack_splits_long_digests_into_messages_of_at_most_45_blocks() -> None:
    messages = slack_messages(digest(recs(80)))
    assert len(messages) >= 2 and all(len(m["blocks"]) <= MAX_BLOCKS for m in messages)
    assert [m["text"] for m in messages][:2] == [
        f"paperfeed 2026-08-21: 80 papers for ada (1/{len(messages)})",
        f"paperfeed 2026-08-21: 80 papers for ada (2/{len(messages)})",
    ]
    texts = [b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section"]
    numbers = [int(m.group(1)) for t in texts if (m := re.match(r"\*(\d+)\.\*", t))]
    assert numbers == list(range(1, 81))


def test_every_channel_posts_a_status_message_on_a_quiet_day() -> None:
    quiet = digest([], failures=("arxiv:cs.LG failed: HTTP 503",))
    assert quiet.kind == "status" and quiet.summary() == "status: source failed"
    slack = str(slack_messages(quiet))
    discord = discord_messages(quiet)[0]["content"]
    matrix = matrix_messages(quiet)[0]["body"]
    ntfy = ntfy_message(quiet, "t")["message"]
    for shown in (slack, discord, matrix, ntfy):
        assert "Source arxiv:cs.LG failed: HTTP 503" in shown
        assert "No new papers today" in shown
    assert "No digest for ada today" in matrix and ntfy_message(quiet, "t")["tags"] == ["warning"]


def test_matrix_splits_events_under_its_size_limit() -> None:
    events = matrix_messages(digest(recs(120, "A title {i} " + "with many words " * 12)))
    assert len(events) >= 2
    assert all(len(str(e).encode()) < 64_000 for e in events)
    body = "\n".join(e["body"] for e in events)
    assert [int(n) for n in re.findall(r"^(\d+)\. ", body, re.M)] == list(range(1, 121))


def test_ntfy_leaves_out_the_papers_to_rate_without_rating_links() -> None:
    d = digest(recs(5), ask=2)
    assert "4. " not in ntfy_message(d, "t")["message"]
    with_links = ntfy_message(d, "t", ratings=True)["message"]
    assert "5. Paper 4" in with_links and "👍 https://pf.example.org/rate/" in with_links


def test_plain_text_digest_is_wrapped_at_78_columns() -> None:
    items = recs(6, "A very long title about {i} " + "stochastic differential equations " * 4)
    d = digest(items, ask=2)
    text = digest_text(d.title, d.subtitle, sections(d.recs, d.ask), d.links, notices=d.notices)
    lines = text.splitlines()
    assert all(len(x) <= WIDTH or "https://" in x for x in lines)
    assert any(len(x) > WIDTH for x in lines)  # rating links are never cut
    assert len(re.findall(r"^\d+\. A very long title", text, re.M)) == 6
    assert text.count("   why: closest to your paper") == 6 and "Unsubscribe: " in text
    # without links (recommend --format text): the paper's address, no rating links
    bare = digest_text("5 papers", "today", sections(items[:5]))
    assert "https://arxiv.org/abs/2608.00000" in bare and "/rate/" not in bare
    assert all(len(x) <= WIDTH for x in bare.splitlines())


def test_the_email_text_part_is_the_plain_text_digest() -> None:
    d = digest(recs(4), ask=1)
    expected = digest_text(d.title, d.subtitle, sections(d.recs, d.ask), d.links)
    assert d.email().text == expected
    assert isinstance(d, Digest) and d.email().subject.startswith("paperfeed 2026-08-21: 3 papers")


def test_chat_items_carry_the_followed_badge_and_the_trending_note() -> None:
    from dataclasses import replace

    items = recs(3)
    items[0] = replace(items[0], followed=("Ada Lovelace",))
    hot = replace(recs(4)[3], components={"upvotes": 42.0, "upvotes_per_day": 14.0}, rank=4)
    d = replace(digest([*items, hot]), recs=tuple(items), trending=(hot,))
    text = str(slack_messages(d)) + str(discord_messages(d)) + str(ntfy_message(d, "papers"))
    assert "by Ada Lovelace, whom you follow" in text
    assert "42 upvotes on Hugging Face (14 a day)" in text
    labels = [label for label, _ in sections(d.recs, d.ask, d.trending)]
    assert labels[-1] == "Trending in your interests (1)"
