"""Followed authors, the pure parts: what is kept of a followed person, which new papers
carrying their name are theirs (:func:`paperfeed.authors.attribute`), the badge, and how a
digest keeps their papers (:func:`paperfeed.services.selection.split`) and which filters
they still obey (:func:`paperfeed.services.filters.vetoed`)."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.authors import (
    DEFAULT_FOLLOW_PARAMS,
    FollowParams,
    attribute,
    disambiguate,
    follow_evidence,
)
from paperfeed.models import Explanation, FollowedAuthor, Paper, Recommendation
from paperfeed.services.filters import vetoed
from paperfeed.services.selection import badged, split
from paperfeed.settings import UserDelivery

DIM = 8


def unit(*hot: float) -> np.ndarray:
    """A unit vector whose first components are ``hot``."""
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(hot)] = hot
    return v / np.linalg.norm(v)


def paper(pid: str, *authors: str, date: str = "2026-01-05", title: str = "") -> Paper:
    return Paper(id=pid, title=title or f"paper {pid}", authors=authors, date=date)


# Two people called Qiang Liu: one writes about optimizers with Chen and Smith, the other
# about vehicles with Wang. Topic vectors: optimizers along axis 0, vehicles along axis 1.
OPT = [
    paper("o1", "Qiang Liu", "Wei Chen"),
    paper("o2", "Jane Smith", "Liu, Qiang"),
    paper("o3", "Qiang Liu", "Wei Chen", "Jane Smith"),
]
CAR = [paper("c1", "QIANG LIU", "Bo Wang"), paper("c2", "Bo Wang", "Qiang Liu")]
OPT_VECS = np.stack([unit(1, 0.1), unit(1, 0.2), unit(1, 0.05)])
CAR_VECS = np.stack([unit(0.1, 1), unit(0.05, 1)])


@pytest.fixture()
def person() -> FollowedAuthor:
    people = disambiguate(OPT + CAR, "Qiang Liu", vectors=np.vstack([OPT_VECS, CAR_VECS]))
    assert len(people) == 2
    chosen = next(p for p in people if any(q.id == "o1" for q in p.papers))
    return follow_evidence(chosen, people, "qiang liu", followed_at="2026-01-06")


def test_the_evidence_is_the_persons_papers_coauthors_and_the_other_peoples_papers(
    person: FollowedAuthor,
) -> None:
    assert person.name == "Qiang Liu"  # as their papers write it most, not as typed
    assert person.key == "liu qiang"
    assert sorted(person.paper_ids) == ["o1", "o2", "o3"]
    assert person.coauthors == ("chen wei", "jane smith")  # name keys, the person left out
    assert sorted(person.other_ids) == ["c1", "c2"]
    assert person.followed_at == "2026-01-06"


def test_a_shared_coauthor_makes_the_paper_theirs_whatever_its_topic(
    person: FollowedAuthor,
) -> None:
    new = paper("n1", "Smith, Jane", "Qiang Liu", "Someone New")
    found = attribute(new, unit(0, 0, 1), person, OPT_VECS, CAR_VECS)
    assert found.theirs and "coauthor" in found.reason
    two = FollowParams(min_shared_coauthors=2)
    assert not attribute(new, unit(0, 0, 1), person, OPT_VECS, CAR_VECS, params=two).theirs


def test_without_coauthors_the_topic_decides(person: FollowedAuthor) -> None:
    alone = paper("n2", "Qiang Liu", "Ann Other")
    near = attribute(alone, unit(1, 0.15), person, OPT_VECS, CAR_VECS)
    assert near.theirs and near.topic > 0.95 and "close to their papers" in near.reason
    other = attribute(alone, unit(0.1, 1), person, OPT_VECS, CAR_VECS)
    assert not other.theirs and "not their topic" in other.reason
    unrelated = attribute(alone, unit(0, 0, 1), person, OPT_VECS, CAR_VECS)
    assert not unrelated.theirs


def test_a_paper_close_to_them_but_closer_to_the_names_other_people_is_not_theirs(
    person: FollowedAuthor,
) -> None:
    between = unit(0.8, 1)  # best cosine ≈ 0.77 to their papers, ≈ 0.81 to the other's
    alone = paper("n3", "Qiang Liu")
    assert not attribute(alone, between, person, OPT_VECS, CAR_VECS).theirs
    # with nobody else known under the name, closeness to them is enough
    assert attribute(alone, between, person, OPT_VECS, None).theirs
    lenient = FollowParams(contrast_margin=-0.2)
    assert attribute(alone, between, person, OPT_VECS, CAR_VECS, params=lenient).theirs


def test_known_papers_are_decided_by_the_evidence(person: FollowedAuthor) -> None:
    assert attribute(OPT[0], unit(0, 1), person, OPT_VECS, CAR_VECS).theirs
    assert not attribute(CAR[0], unit(1, 0), person, OPT_VECS, CAR_VECS).theirs


def test_the_threshold_is_a_mean_of_the_best_cosines() -> None:
    someone = FollowedAuthor("Qiang Liu", "liu qiang", paper_ids=("a", "b"))
    mine = np.stack([unit(1, 0), unit(0, 1)])
    new = paper("n", "Qiang Liu")
    vec = unit(1, 0)  # cos 1 to one paper, 0 to the other
    assert attribute(new, vec, someone, mine, params=FollowParams(topic_k=1)).theirs
    mean_of_two = FollowParams(topic_k=2, topic_threshold=0.6)
    assert attribute(new, vec, someone, mine, params=mean_of_two).topic == pytest.approx(0.5)
    assert not attribute(new, vec, someone, mine, params=mean_of_two).theirs
    nothing_stored = np.zeros((0, DIM), dtype=np.float32)
    assert not attribute(new, vec, someone, nothing_stored).theirs
    assert 0 < DEFAULT_FOLLOW_PARAMS.topic_threshold < 1


# --- the badge and the digest -----------------------------------------------------------------


def rec(pid: str, score: float, followed: tuple[str, ...] = ()) -> Recommendation:
    why = Explanation(closest_id="p", closest_title="Profile paper", similarity=0.5)
    return Recommendation(paper(pid), score, 0, why, followed=followed)


def test_the_badge_names_everyone_followed() -> None:
    assert rec("a", 1.0).followed_note == ""
    assert rec("a", 1.0, ("Qiang Liu",)).followed_note == "by Qiang Liu, whom you follow"
    three = rec("a", 1.0, ("A B", "C D", "E F")).followed_note
    assert three == "by A B, C D and E F, whom you follow"


def test_a_digest_keeps_the_followed_papers_below_its_top_after_them() -> None:
    ranked = badged(
        [rec("a", 5), rec("b", 4), rec("c", 3), rec("d", 2), rec("e", 1)],
        {"b": ("X Y",), "d": ("X Y",), "e": ("Z W",)},
    )
    explained: list[str] = []

    def explain(recs: list[Recommendation]) -> list[Recommendation]:
        explained.extend(r.paper.id for r in recs)
        return recs

    shown, rest = split(ranked, 2, explain)
    assert [(r.paper.id, r.rank) for r in shown] == [("a", 1), ("b", 2), ("d", 3), ("e", 4)]
    assert [r.paper.id for r in rest] == ["c"]
    assert explained == ["d", "e"]  # only the papers added below the top need their terms
    assert [r.score for r in shown] == [5, 4, 2, 1]  # still reads as a ranking
    assert split(ranked, 0, explain) == ([], ranked)  # nothing shown: nothing kept


def test_followed_papers_still_obey_exclude_keywords_and_earlier_digests() -> None:
    papers = [
        paper("a", title="A survey of optimizers"),
        paper("b", title="Optimizers for vehicles"),
        paper("c", title="Surveying land"),  # "survey" as a whole word only
    ]
    user = UserDelivery(name="ada", email="", exclude=("survey",), include=("vehicles",))
    assert [p.id for p in vetoed(papers, user, shown={"b"})] == ["a", "b"]
    again = UserDelivery(name="ada", email="", exclude=("survey",), show_again=True)
    assert [p.id for p in vetoed(papers, again, shown={"b"})] == ["a"]
