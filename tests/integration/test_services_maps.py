"""The interest map as a service (services.maps): its points, and each process reusing a
user's map feed while the user's profile and ratings are what they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_world import TOPICS, World, make_world

from paperfeed.services.maps import InterestMaps

pytestmark = pytest.mark.integration


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path / "home")
    yield w
    w.lib.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def feed_ids(maps: InterestMaps, world: World, user: str) -> set[str]:
    return {p.paper.id for p in maps.points(world.lib, user) if p.kind == "feed"}


def test_points_of_profile_upvotes_and_feed(world: World) -> None:
    world.lib.rate("ada", "2608.00005", "up")
    points = InterestMaps().points(world.lib, "ada")
    kinds = {p.paper.id: p.kind for p in points}
    assert kinds["2608.00001"] == kinds["2608.10001"] == "profile"
    assert kinds["2608.00005"] == "up" and list(kinds.values()).count("feed") > 20
    assert len(kinds) == len(points)  # each paper once
    assert all(-1 <= p.x <= 1 and -1 <= p.y <= 1 for p in points)
    interest = {p.paper.id: p.interest for p in points}
    for it in world.lib.interests("ada"):  # coloured as the ranker groups them
        assert {interest[pid] for pid in it.paper_ids} == {it.index}


def test_the_feed_is_reused_until_ratings_change_or_it_is_old(world: World) -> None:
    clock = Clock()
    maps = InterestMaps(ttl=600, clock=clock)
    before = feed_ids(maps, world, "ada")
    late = world.home / "late.jsonl"
    words = TOPICS["graphs"]
    record = {"id": "2608.07777", "title": f"Late {words}", "abstract": f"We study {words}."}
    late.write_text(json.dumps({**record, "date": "2026-08-20"}) + "\n", encoding="utf-8")
    world.lib.ingest(late)
    assert "2608.07777" in {r.paper.id for r in world.lib.recommend("ada", top=200)}
    assert feed_ids(maps, world, "ada") == before  # the same profile and ratings: reused
    assert "2608.07777" in feed_ids(InterestMaps(), world, "ada")  # another process ranks anew
    clock.now += 601
    assert "2608.07777" in feed_ids(maps, world, "ada")  # too old: ranked again
    downvoted = sorted(before)[0]
    world.lib.rate("ada", downvoted, "down")
    assert downvoted not in feed_ids(maps, world, "ada")  # a rating: ranked again at once
    world.lib.store.unrate("ada", downvoted, "down")
    world.lib.profile_remove("ada", "2608.10001")
    assert "2608.10001" not in {p.paper.id for p in maps.points(world.lib, "ada")}


def test_an_empty_profile_has_an_empty_map(world: World) -> None:
    from paperfeed.services.accounts import Accounts

    Accounts(world.lib.store).add("cyd", "cyd@example.org", None)
    assert InterestMaps().points(world.lib, "cyd") == []
