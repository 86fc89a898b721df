"""The approximate index beside a SQLite store (:mod:`paperfeed.store.ann`): its recall against
an exact scan, incremental additions, and a stale, corrupt or foreign index file rebuilt."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from paperfeed.models import Paper
from paperfeed.store import SQLiteStore, ann
from paperfeed.store.ann import VectorIndex, index_paths

pytestmark = pytest.mark.integration

MODEL = "m"
DIM = 48


def clustered(n: int, seed: int) -> np.ndarray:
    """Unit vectors in 40 clusters, as real paper embeddings cluster by topic."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, DIM))
    vecs = centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, DIM))
    return (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)


def fill(store: SQLiteStore, start: int, vecs: np.ndarray) -> list[Paper]:
    papers = [
        Paper(id=f"p{start + i}", title=f"Paper number {start + i}") for i in range(len(vecs))
    ]
    store.upsert_papers(papers, "test", batch_size=5000)
    store.put_embeddings(MODEL, [(p.content_hash, v) for p, v in zip(papers, vecs, strict=True)])
    return papers


def exact_top(store: SQLiteStore, query: np.ndarray, k: int) -> list[str]:
    hashes, matrix = store.all_embeddings(MODEL)
    return [hashes[i] for i in np.argsort(-(matrix @ query))[:k]]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "paperfeed.db"


def open_at(path: Path, threshold: int = 100) -> SQLiteStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path, ann_threshold=threshold)


def test_recall_at_10_against_the_exact_scan(store_path: Path) -> None:
    with open_at(store_path) as store:
        fill(store, 0, clustered(6000, seed=1))
        queries = clustered(100, seed=2)
        recall = np.mean(
            [
                len({h for h, _ in store.nearest(MODEL, q, 10)} & set(exact_top(store, q, 10))) / 10
                for q in queries
            ]
        )
        found = store.nearest(MODEL, queries[0], 10)
    assert recall >= 0.95
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    index_file, meta_file = index_paths(store_path, MODEL)
    assert index_file.exists() and meta_file.exists()  # saved beside the store


def test_a_larger_index_searches_wider(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ann, "BREADTH_BASE_SIZE", 1_500)  # 6,000 vectors: four times as many
    with open_at(store_path) as store:
        fill(store, 0, clustered(6000, seed=1))
        q = clustered(1, seed=2)[0]
        store.nearest(MODEL, q, 10)
        index = store._ann._loaded[MODEL]
        assert index.index.expansion_search == round(ann.EXPANSION_SEARCH * 4**ann.BREADTH_GROWTH)
        index.breadth = 40  # a fixed breadth (the benchmark's sweep) wins
        assert len(store.nearest(MODEL, q, 10)) == 10
        assert index.index.expansion_search == 40


def test_below_the_threshold_the_scan_is_exact_and_no_file_is_written(store_path: Path) -> None:
    with open_at(store_path, threshold=1000) as store:
        fill(store, 0, clustered(300, seed=3))
        q = clustered(1, seed=4)[0]
        assert [h for h, _ in store.nearest(MODEL, q, 10)] == exact_top(store, q, 10)
    assert not any(p.exists() for p in index_paths(store_path, MODEL))


def test_new_vectors_are_added_to_the_saved_index_without_a_rebuild(store_path: Path) -> None:
    with open_at(store_path) as store:
        fill(store, 0, clustered(500, seed=5))
        store.nearest(MODEL, clustered(1, seed=6)[0], 5)  # builds and saves the index
    paths = index_paths(store_path, MODEL)
    first = VectorIndex.load(*paths, MODEL)
    assert first is not None and len(first.hashes) == 500
    with open_at(store_path) as store:  # another process ingests: its put_embeddings adds
        new = fill(store, 500, clustered(40, seed=7))
        target = store.get_embeddings(MODEL, [new[3].content_hash])[new[3].content_hash]
        assert store.nearest(MODEL, target, 1)[0][0] == new[3].content_hash
    after = VectorIndex.load(*paths, MODEL)
    assert after is not None and len(after.hashes) == 540
    assert after.hashes[:500] == first.hashes  # the old labels kept: added to, not rebuilt
    assert after.hashes[500:] == [p.content_hash for p in new]


def test_a_stale_index_file_catches_up_with_the_store(store_path: Path, tmp_path: Path) -> None:
    with open_at(store_path) as store:
        fill(store, 0, clustered(400, seed=8))
        store.nearest(MODEL, clustered(1, seed=9)[0], 5)
    paths = index_paths(store_path, MODEL)
    saved = [shutil.copy(p, tmp_path / p.name) for p in paths]
    with open_at(store_path) as store:
        new = fill(store, 400, clustered(30, seed=10))
    for copy, path in zip(saved, paths, strict=True):  # a crash: the index never saw the 30
        shutil.copy(copy, path)
    with open_at(store_path) as store:
        target = store.get_embeddings(MODEL, [new[0].content_hash])[new[0].content_hash]
        assert store.nearest(MODEL, target, 1)[0][0] == new[0].content_hash
    loaded = VectorIndex.load(*paths, MODEL)
    assert loaded is not None and len(loaded.hashes) == 430


@pytest.mark.parametrize("damage", ["garbage", "truncated", "meta", "foreign"])
def test_a_damaged_or_foreign_index_is_detected_and_rebuilt(
    store_path: Path, tmp_path: Path, damage: str
) -> None:
    vecs = clustered(400, seed=11)
    with open_at(store_path) as store:
        fill(store, 0, vecs)
        store.nearest(MODEL, vecs[0], 5)
    index_file, meta_file = index_paths(store_path, MODEL)
    if damage == "garbage":
        data = bytearray(index_file.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64
        index_file.write_bytes(bytes(data))
    elif damage == "truncated":
        index_file.write_bytes(index_file.read_bytes()[:1000])
    elif damage == "meta":
        meta_file.write_text("{not json")
    else:  # the files of another store whose rows differ
        other = tmp_path / "other" / "paperfeed.db"
        with open_at(other) as store:
            fill(store, 1000, clustered(400, seed=12))
            store.nearest(MODEL, vecs[0], 5)
        for p in index_paths(other, MODEL):
            shutil.copy(p, index_file.parent / p.name)
    with open_at(store_path) as store:
        hashes, matrix = store.all_embeddings(MODEL)
        best = (matrix @ np.asarray(vecs).T).max(axis=0)
        got = np.array([store.nearest(MODEL, v, 1)[0][1] for v in vecs])
        # the rebuilt index answers as an HNSW index does: the best match for nearly every
        # query (approximate: a few of 400 may get a close second)
        assert np.mean(got >= best - 2e-3) >= 0.98
    rebuilt = VectorIndex.load(index_file, meta_file, MODEL)
    assert rebuilt is not None and rebuilt.hashes == hashes


def test_hashes_of_no_stored_paper_are_left_out(store_path: Path) -> None:
    vecs = clustered(300, seed=13)
    with open_at(store_path) as store:
        papers = fill(store, 0, vecs)
        store.put_embeddings(MODEL, [("old-text", vecs[5])])  # a text since edited
        found = store.nearest(MODEL, vecs[5], 3)
    assert found[0][0] == papers[5].content_hash
    assert "old-text" not in {h for h, _ in found} and len(found) == 3
