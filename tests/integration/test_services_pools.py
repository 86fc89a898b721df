"""The window's candidate pool: built once, shared by users and commands, cached in the store
for the next process, rebuilt when the window's papers change; scores that read as a ranking."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from paperfeed.embed import HashingEmbedder
from paperfeed.services import Paperfeed, pools
from paperfeed.store import open_store

pytestmark = pytest.mark.integration

TOPICS = [
    "graph neural networks message passing over molecules",
    "speech recognition with acoustic transformers",
    "low rank optimizer states for memory efficient training",
    "robot grasping with tactile sensing",
]


def _ingest(app: Paperfeed, tmp_path: Path, n: int, prefix: str = "2601") -> None:
    rows = [
        {
            "id": f"{prefix}.{i:05d}",
            "title": f"{TOPICS[i % 4].split()[0].title()} study {i} of {TOPICS[i % 4]}",
            "abstract": f"We study {TOPICS[i % 4]}. Variant {i} uses {TOPICS[(i * 7) % 4]}.",
            "listing_date": f"2026-01-{1 + i % 20:02d}",
        }
        for i in range(n)
    ]
    path = tmp_path / f"{prefix}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    app.ingest(path)


def _app(db: Path) -> Paperfeed:
    return Paperfeed(store=open_store(db), embedder_factory=lambda: HashingEmbedder(64))


def _with_user(app: Paperfeed, tmp_path: Path) -> None:
    prof = tmp_path / "mine.txt"
    prof.write_text("Abstract: " + TOPICS[0] + " and chemistry.\n\nAbstract: " + TOPICS[2])
    app.profile_add("me", [str(prof)])


def _fingerprint(recs: list) -> list:
    return [(r.paper.id, r.score, r.explanation, r.components) for r in recs]


def test_a_window_pool_is_built_once_and_read_back_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "paperfeed.db"
    with _app(db) as app:
        _ingest(app, tmp_path, 120)
        _with_user(app, tmp_path)
        first = app.recommend("me", days=30, top=10)
        pool = app.window_pool("2026-01-01")
        assert app.window_pool("2026-01-01") is pool  # memory
        asked = app.recommend_and_ask("me", days=30, top=10, k=3)
        assert _fingerprint(asked[0]) == _fingerprint(first)

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached pool should have been read back")

    monkeypatch.setattr(pools, "prepare_candidates", no_rebuild)
    with _app(db) as again:  # a second process: the pool comes from the store
        assert _fingerprint(again.recommend("me", days=30, top=10)) == _fingerprint(first)


def test_a_changed_window_is_rebuilt_and_replaces_the_cached_pool(tmp_path: Path) -> None:
    with _app(tmp_path / "paperfeed.db") as app:
        _ingest(app, tmp_path, 60)
        cands = app.candidates("2026-01-01")
        key = pools.pool_key(app.embedder.name, app.params, cands)
        app.window_pool("2026-01-01")
        assert app.store.get_cached_pool(key) is not None
        _ingest(app, tmp_path, 3, prefix="2602")  # new papers listed in the same window
        pool = app.window_pool("2026-01-01")
        assert len(pool.papers) == 63
        assert app.store.get_cached_pool(key) is None  # the stale pool is gone
        new_key = pools.pool_key(app.embedder.name, app.params, app.candidates("2026-01-01"))
        assert new_key != key and app.store.get_cached_pool(new_key) is not None


def test_every_list_shows_scores_that_never_increase(tmp_path: Path) -> None:
    with _app(tmp_path / "paperfeed.db") as app:
        _ingest(app, tmp_path, 160)
        _with_user(app, tmp_path)
        recs, ask = app.recommend_and_ask("me", days=30, top=12, k=4)
        similar = app.similar("2601.00004", top=15)
        for items in (recs, ask, app.recommend("me", days=30, top=0), similar):
            scores = [r.score for r in items]
            assert scores == sorted(scores, reverse=True)
            assert all(r.score <= r.components["relevance"] for r in items)
        assert all(r.explanation.shared_terms for r in ask)
        assert "2601.00004" not in {r.paper.id for r in similar}
        # query by example is a relevance order: nothing was moved down, nothing capped
        assert [r.score for r in similar] == [r.components["relevance"] for r in similar]


def test_pool_payloads_are_plain_arrays_and_pickles_are_refused() -> None:
    assert list(pools.decode(pools.encode({"a": np.arange(3)}))["a"]) == [0, 1, 2]
    buf = io.BytesIO()
    np.savez(buf, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError):
        pools.decode(buf.getvalue())


def test_a_damaged_cached_pool_is_rebuilt(tmp_path: Path) -> None:
    with _app(tmp_path / "paperfeed.db") as app:
        _ingest(app, tmp_path, 40)
        key = pools.pool_key(app.embedder.name, app.params, app.candidates("2026-01-01"))
        app.store.put_cached_pool(key, app.embedder.name, "2026-01-01..", b"not an npz")
        pool = app.window_pool("2026-01-01")
        assert len(pool.papers) == 40
        assert pools.decode(app.store.get_cached_pool(key) or b"")["format"][0] == 1
