"""Use cases over a real SQLite store with the model-free hashing embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperfeed.embed import HashingEmbedder
from paperfeed.models import Paper
from paperfeed.services import Paperfeed, UserError, embed_papers
from paperfeed.store import open_store

pytestmark = pytest.mark.integration

TOPICS = [
    "graph neural networks message passing over molecules",
    "speech recognition with acoustic transformers",
    "low rank optimizer states for memory efficient training",
    "robot grasping with tactile sensing",
]


def _rows(n: int, start_day: int = 1) -> list[dict[str, object]]:
    rows = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        rows.append(
            {
                "id": f"2601.{i:05d}",
                "title": f"{topic.split()[0].title()} study {i}",
                "abstract": f"We study {topic}. Variant {i} of the idea.",
                "authors": ["A. Author"],
                "categories": ["cs.LG"],
                "listing_date": f"2026-01-{start_day + i % 20:02d}",
            }
        )
    return rows


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture()
def app(tmp_path: Path) -> Paperfeed:
    store = open_store(tmp_path / "paperfeed.db")
    yield Paperfeed(store=store, embedder_factory=lambda: HashingEmbedder(64))
    store.close()


def test_ingest_is_idempotent_and_embeds_once(app: Paperfeed, tmp_path: Path) -> None:
    path = _write(tmp_path / "c.jsonl", _rows(50))
    first = app.ingest(path)
    assert (first.inserted, first.embedded) == (50, 50)
    second = app.ingest(path)
    assert (second.inserted, second.updated, second.unchanged, second.embedded) == (0, 0, 50, 0)
    assert app.store.count_papers() == 50


def test_newer_version_wins_and_is_reembedded(app: Paperfeed, tmp_path: Path) -> None:
    rows = _rows(3)
    app.ingest(_write(tmp_path / "v1.jsonl", rows))
    rows[0] = {**rows[0], "id": "2601.00000v2", "abstract": "A revised abstract."}
    summary = app.ingest(_write(tmp_path / "v2.jsonl", rows[:1]))
    assert summary.updated == 1 and summary.embedded == 1
    assert app.store.get_paper("2601.00000").abstract == "A revised abstract."


def test_failure_half_way_keeps_what_was_stored(app: Paperfeed, tmp_path: Path) -> None:
    app.ingest(_write(tmp_path / "a.jsonl", _rows(10)))
    real = app.store.upsert_papers
    calls = {"n": 0}

    def flaky(papers, source, **kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk unplugged")
        return real(papers, source, **kw)

    app.store.upsert_papers = flaky  # type: ignore[method-assign]
    more = _rows(40, start_day=1)
    more = [{**r, "id": r["id"].replace("2601.", "2602.")} for r in more]
    with pytest.raises(RuntimeError):
        app.ingest(_write(tmp_path / "b.jsonl", more), batch_size=15)
    app.store.upsert_papers = real  # type: ignore[method-assign]
    # The 10 papers from before and the first full batch of 15 survive; nothing of batch two.
    assert app.store.count_papers() == 25
    assert app.ingest(_write(tmp_path / "b.jsonl", more)).inserted == 25
    assert app.store.count_papers() == 50


def test_embedding_cache_is_keyed_by_model_and_text(app: Paperfeed) -> None:
    papers = [
        Paper("x", title="same text"),
        Paper("y", title="same text"),
        Paper("z", title="other"),
    ]
    vecs, n = embed_papers(app.store, app.embedder, papers)
    assert n == 2 and vecs.shape == (3, 64)
    _, n = embed_papers(app.store, app.embedder, papers)
    assert n == 0
    _, n = embed_papers(app.store, HashingEmbedder(32), papers)
    assert n == 2


def test_recommend_uses_profile_and_ratings(app: Paperfeed, tmp_path: Path) -> None:
    app.ingest(_write(tmp_path / "c.jsonl", _rows(80)))
    prof = tmp_path / "mine.txt"
    prof.write_text("Abstract: " + TOPICS[0] + " and chemistry.\n")
    assert app.profile_add("me", [str(prof)]).added_to_profile == 1
    recs = app.recommend("me", days=30, top=5)
    assert all("Graph" in r.paper.title for r in recs[:3])
    app.rate("me", recs[0].paper.id, "down")
    again = app.recommend("me", days=30, top=5)
    assert recs[0].paper.id not in {r.paper.id for r in again}
    with pytest.raises(UserError, match="no user 'nobody'"):
        app.recommend("nobody")
    with pytest.raises(UserError, match="rating must be one of"):
        app.rate("me", recs[0].paper.id, "meh")


def test_profile_add_is_all_or_nothing(app: Paperfeed, tmp_path: Path) -> None:
    prof = tmp_path / "mine.txt"
    prof.write_text("Abstract: something about graphs.\n")
    with pytest.raises(UserError, match="not-there"):
        app.profile_add("me", [str(prof), "not-there"])
    assert app.store.count_papers() == 0


def test_calibrate_asks_about_distinct_papers_not_yet_rated(app: Paperfeed, tmp_path: Path) -> None:
    app.ingest(_write(tmp_path / "c.jsonl", _rows(120)))
    prof = tmp_path / "mine.txt"
    prof.write_text("Abstract: " + TOPICS[0] + " and chemistry.\n")
    app.profile_add("me", [str(prof)])
    ask = app.calibrate("me", days=30, k=4)
    assert len(ask) == len({r.paper.id for r in ask}) == 4
    assert [r.rank for r in ask] == [1, 2, 3, 4]
    top = {r.paper.id for r in app.recommend("me", days=30, top=3)}
    assert not top & {r.paper.id for r in ask}  # the ones it already believes in are not asked
    app.rate("me", ask[0].paper.id, "down")
    assert ask[0].paper.id not in {r.paper.id for r in app.calibrate("me", days=30, k=4)}
