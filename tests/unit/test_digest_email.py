"""The digest and status e-mails: structure, content, grouping, links, escaping. Pure."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy

from paperfeed.delivery import tokens
from paperfeed.delivery.links import digest_links
from paperfeed.digest.email import (
    build_message,
    group_by_interest,
    render_digest,
    render_status,
)
from paperfeed.models import Explanation, Paper, Recommendation

SECRET = b"s" * 32
NOW = datetime(2026, 8, 21, 6, 0, tzinfo=UTC)
BASE = "https://feed.example.org/pf"


def sample_recs() -> list[Recommendation]:
    """Five papers over two interests; the best of interest 1 comes second."""
    recs = []
    for i, interest in enumerate([0, 1, 0, 1, 0]):
        paper = Paper(
            id=f"2608.0{i:04d}",
            title=f"Paper {i} on $\\alpha$-stable <b>things</b>",
            abstract="We study things. " * 40,
            authors=tuple(f"Author {k}" for k in range(8 if i == 0 else 2)),
            categories=("cs.LG",),
            date="2026-08-21",
        )
        why = Explanation(
            closest_id=f"p{interest}",
            closest_title=f"My profile paper {interest}",
            similarity=0.8 - i / 10,
            shared_terms=("stable", "things"),
            interest=interest,
        )
        recs.append(Recommendation(paper, 1.0 - i / 10, i + 1, why))
    return recs


def _links(recs: list[Recommendation]):  # type: ignore[no-untyped-def]
    return digest_links(SECRET, BASE, "linda", [r.paper for r in recs], now=NOW.timestamp())


def test_groups_follow_their_best_item() -> None:
    groups = group_by_interest(sample_recs())
    assert [g.interest for g in groups] == [0, 1]
    assert [len(g.items) for g in groups] == [3, 2]
    assert groups[0].label == "near “My profile paper 0”"  # no interest name given


def test_digest_message_is_multipart_alternative_with_both_parts() -> None:
    recs = sample_recs()
    links = _links(recs)
    content = render_digest(recs, links, user="linda", day="2026-08-21")
    msg = build_message(
        content,
        sender="paperfeed <digest@example.org>",
        to="linda@example.org",
        when=NOW,
        unsubscribe_url=links.unsubscribe,
    )
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in parsed.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    assert parsed["List-Unsubscribe"] == f"<{links.unsubscribe}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Subject"].startswith("paperfeed 2026-08-21: 5 papers for linda")
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    for r in recs:
        item = links.items[r.paper.id]
        for part in (text, html):
            assert item.abs in part and item.pdf in part
            assert item.up in part and item.down in part
            assert "Author 1" in part
        flowing = " ".join(text.split())  # the text part is wrapped at 78 columns
        assert r.explanation.sentence() in flowing
    assert links.unsubscribe in text and links.unsubscribe in html
    assert links.feed in text and links.feed in html


def test_items_are_grouped_by_interest_in_both_parts() -> None:
    recs = sample_recs()
    content = render_digest(recs, _links(recs), user="linda", day="2026-08-21")
    text_order = re.findall(r"^\d+\. Paper (\d)", content.text, flags=re.M)
    assert text_order == ["0", "2", "4", "1", "3"]
    assert content.text.index("== near “My profile paper 0”") < content.text.index(
        "== near “My profile paper 1”"
    )
    html_order = re.findall(r">Paper (\d) on", content.html)
    assert html_order == text_order
    assert "Friday 21 August 2026" in content.text


def test_html_escapes_titles_and_renders_latex() -> None:
    recs = sample_recs()
    content = render_digest(recs, _links(recs), user="linda", day="2026-08-21")
    assert "α-stable <b>things</b>" not in content.html
    assert "α-stable &lt;b&gt;things&lt;/b&gt;" in content.html
    assert "α-stable" in content.text and "$\\alpha$" not in content.text
    assert "et al." in content.text  # eight authors are cut to six


def test_rating_links_carry_tokens_for_the_right_paper_and_action() -> None:
    recs = sample_recs()
    links = _links(recs)
    item = links.items[recs[2].paper.id]
    down = tokens.verify(SECRET, item.down.rsplit("/", 1)[1], now=NOW.timestamp())
    assert (down.user, down.paper_id, down.action) == ("linda", recs[2].paper.id, "down")
    assert item.up.startswith(BASE + "/rate/") and item.down.startswith(BASE + "/rate/")


def test_failed_source_is_a_notice_above_the_digest() -> None:
    recs = sample_recs()
    notice = "Source arxiv:cs.LG failed: connection refused"
    content = render_digest(recs, _links(recs), user="linda", day="2026-08-21", notices=[notice])
    assert notice in content.text and notice in content.html
    assert content.html.index(notice) < content.html.index("Paper 0")


def test_status_email_for_no_new_papers() -> None:
    links = _links([])
    content = render_status(links, user="linda", day="2026-08-22", no_new_papers=True, failures=[])
    assert content.subject == "paperfeed 2026-08-22: no new papers today"
    assert "No new papers today" in content.text and "No new papers today" in content.html
    assert links.unsubscribe in content.text
    assert len(content.text.splitlines()) < 12  # short


def test_status_email_for_a_failed_source_names_the_cause() -> None:
    content = render_status(
        _links([]),
        user="linda",
        day="2026-08-22",
        no_new_papers=True,
        failures=["arxiv:cs.LG failed: arXiv listing feed: HTTP 503", "hf failed: timeout"],
    )
    assert content.subject == "paperfeed 2026-08-22: source arxiv:cs.LG failed (+1 more)"
    assert "Source arxiv:cs.LG failed: arXiv listing feed: HTTP 503" in content.text
    assert "Source hf failed: timeout" in content.html


def test_long_unsubscribe_header_is_not_encoded() -> None:
    links = _links([])
    content = render_status(links, user="l" * 80, day="2026-08-22", no_new_papers=True, failures=[])
    msg = build_message(
        content, sender="a@example.org", to="b@example.org", when=NOW, unsubscribe_url="x" * 300
    )
    raw = msg.as_bytes()
    assert b"List-Unsubscribe: <" + b"x" * 300 + b">" in raw


def test_the_active_learning_section_closes_the_digest_with_rating_links() -> None:
    recs = sample_recs()
    shown, ask = recs[:3], recs[3:]
    links = _links(recs)
    content = render_digest(shown, links, user="linda", day="2026-08-21", ask=ask)
    for part in (content.text, content.html):
        head, _, tail = part.partition("Help paperfeed learn")
        assert tail, "the section is missing"
        assert all(r.paper.id not in head for r in ask)  # asked papers come after the digest
        for r in ask:
            assert r.paper.id in tail
            assert links.items[r.paper.id].down in tail and links.items[r.paper.id].up in tail
    plain = render_digest(shown, _links(shown), user="linda", day="2026-08-21")
    assert "Help paperfeed learn" not in plain.text + plain.html
