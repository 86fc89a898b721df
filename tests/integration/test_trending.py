"""Trending in your interests, through the web app: Hugging Face daily papers with upvotes (the
API's recorded shape) stored beside the week's listing show up in the feed page, in
``/api/v1/feed``'s ``trending`` list and in the private Atom feed of a user they suit (bob,
robots), and nowhere for a user they do not (ada, graphs and speech: only the world's one
graph paper Hugging Face listed may trend for her); a user who turned it off
and a store without upvote data get none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from web_world import HF_ID, TOPICS, World, make_world

from paperfeed.delivery.service import Delivery
from paperfeed.delivery.tokens import load_or_create_secret
from paperfeed.services import Paperfeed
from paperfeed.services.trending import trending
from paperfeed.settings import Settings

pytestmark = pytest.mark.integration

HOT = [f"2608.5000{i}" for i in range(4)]
NOW = datetime(2026, 8, 21, 7, 0, tzinfo=UTC)


def hf_daily(topic: str) -> str:
    """Four papers on ``topic`` as ``huggingface.co/api/daily_papers`` lists them, listed
    2026-08-17…20 with 10, 30, 50 and 70 upvotes."""
    words = TOPICS[topic]
    return json.dumps(
        [
            {
                "paper": {
                    "id": pid,
                    "authors": [{"_id": "x", "name": "Rosalind Franklin", "hidden": False}],
                    "publishedAt": f"2026-08-{17 + i}T17:59:59.000Z",
                    "submittedOnDailyAt": f"2026-08-{17 + i}T03:12:44.123Z",
                    "title": f"{topic.title()} trending {i}: {words}",
                    "summary": f"We study {words} at a larger scale {i}.",
                    "upvotes": 10 + 20 * i,
                },
                "publishedAt": f"2026-08-{17 + i}T03:12:44.123Z",
                "title": f"{topic.title()} trending {i}: {words}",
                "numComments": i,
            }
            for i, pid in enumerate(HOT)
        ]
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = make_world(tmp_path_factory.mktemp("trend") / "home")
    hf = w.home / "hf.json"
    hf.write_text(hf_daily("robots"), encoding="utf-8")
    w.lib.ingest(hf)
    yield w
    w.lib.close()


def test_upvotes_and_the_daily_list_day_are_stored(world: World) -> None:
    stored = {p.id: p for p in world.lib.store.get_papers(HOT)}
    assert stored[HOT[3]].extra["upvotes"] == 70
    assert stored[HOT[3]].extra["daily_date"] == "2026-08-20"
    assert stored[HOT[3]].date == "2026-08-20"


def test_api_feed_has_trending_for_the_user_it_suits_only(world: World) -> None:
    client = world.client()
    bob = client.get("/api/v1/feed?top=5", headers=world.token("bob")).json()
    shown = {i["paper"]["id"] for i in bob["items"]}
    hot = bob["trending"]
    assert 0 < len(hot) <= 3 and {i["paper"]["id"] for i in hot} <= set(HOT) - shown
    assert [i["upvotes_per_day"] for i in hot] == sorted(
        (i["upvotes_per_day"] for i in hot), reverse=True
    )
    assert hot[0]["paper"]["id"] == HOT[3] and hot[0]["upvotes"] == 70
    assert hot[0]["upvotes_per_day"] == 70.0  # listed on the store's newest day
    assert set(hot[0]) >= {"paper", "score", "explanation", "upvotes", "upvotes_per_day"}
    assert hot[0]["explanation"]["shared_terms"]
    ada = client.get("/api/v1/feed?top=5", headers=world.token("ada")).json()
    # ada (graphs, speech) gets none of bob's robot papers; the world's one graph paper that
    # Hugging Face also listed (web_world.HF_ID, 17 upvotes) may trend for her
    assert ada["items"] and not {i["paper"]["id"] for i in ada["trending"]} & set(HOT)
    assert {i["paper"]["id"] for i in ada["trending"]} <= {HF_ID}
    # in a feed long enough to hold them, they are feed items and not repeated
    long = client.get("/api/v1/feed?top=40", headers=world.token("bob")).json()
    assert set(HOT) <= {i["paper"]["id"] for i in long["items"]} and long["trending"] == []


def test_feed_page_and_atom_feed_show_the_section(world: World) -> None:
    with world.client() as client:
        world.login(client, "bob")
        page = client.get("/?top=5").text
        assert "Trending in your interests" in page and "🔥 70 upvotes on Hugging Face" in page
        assert f'data-paper="{HOT[3]}"' in page
    with world.client() as client:
        world.login(client, "ada")
        page = client.get("/?top=5").text
        assert not any(f'data-paper="{h}"' in page for h in HOT)
    (world.home / "config.toml").write_text(
        'model = "hashing-64"\n[digest]\nsize = 5\n', encoding="utf-8"
    )
    settings = Settings.load(world.home)
    with Paperfeed.open(settings) as app:
        feeds = Delivery(app, settings, load_or_create_secret(world.home))
        recs, document = feeds.user_feed("bob", now=NOW, days=7)
        entries = feedparser.parse(document).entries
        hot = [e for e in entries if e.title.startswith("Trending in your interests: ")]
        assert len(entries) == len(recs) + len(hot) and len(recs) == 5
        assert hot and all(any(t.term == "trending" for t in e.tags) for e in hot)
        assert "🔥 70 upvotes on Hugging Face" in hot[0].content[0].value
        _, document = feeds.user_feed("ada", now=NOW, days=7)
        trend_titles = [
            e for e in feedparser.parse(document).entries if e.title.startswith("Trending in")
        ]
        assert not any(h in e.link for e in trend_titles for h in HOT)
    (world.home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")


def test_trending_off_or_without_upvotes_is_empty(world: World, tmp_path: Path) -> None:
    home = world.home
    (home / "config.toml").write_text(
        'model = "hashing-64"\n[users.bob]\ntrending = false\n', encoding="utf-8"
    )
    with Paperfeed.open(Settings.load(home)) as app:
        assert trending(app, "bob") == []
    (home / "config.toml").write_text(
        'model = "hashing-64"\n[users.bob]\ntrending_top = 1\ntrending_days = 1\n',
        encoding="utf-8",
    )
    with Paperfeed.open(Settings.load(home)) as app:
        one = trending(app, "bob")
        assert [r.paper.id for r in one] == [HOT[3]]  # listed on the last day only
        assert trending(app, "bob", until="2026-08-17") == []  # a window without upvotes
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    plain = make_world(tmp_path / "plain")
    try:
        assert trending(plain.lib, "bob") == []
    finally:
        plain.lib.close()
