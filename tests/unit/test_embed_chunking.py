"""Chunk planning, batching and pooling math, and the model-free HashingEmbedder."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from paperfeed.embed import Embedder, HashingEmbedder, get_embedder
from paperfeed.embed.chunking import (
    MAX_WINDOWS,
    length_sorted_batches,
    pad_batch,
    plan_chunks,
    pool_windows,
    split_windows,
)


@pytest.mark.parametrize(
    ("max_tokens", "overlap"), [(1, 0), (2, 1), (7, 0), (7, 3), (254, 0), (254, 1), (254, 32)]
)
@pytest.mark.parametrize("n", [0, 1, 5, 253, 254, 255, 300, 508, 509, 600, 1000, 5000])
def test_windows_cover_all_tokens_within_limit(n: int, max_tokens: int, overlap: int) -> None:
    wins = split_windows(n, max_tokens, overlap)
    covered = np.zeros(n, dtype=bool)
    for s, e in wins:
        assert 0 <= s <= e <= n
        assert e - s <= max_tokens
        covered[s:e] = True
    assert covered.all()
    assert wins[0][0] == 0 and wins[-1][1] == n
    starts = [s for s, _ in wins]
    assert starts == sorted(starts)
    if n <= max_tokens:
        assert wins == [(0, n)]
    else:
        assert len({e - s for s, e in wins}) == 1  # equal sizes: no tiny leftover window
        for (_, e0), (s1, _) in itertools.pairwise(wins):
            assert e0 - s1 >= overlap  # neighbours overlap at least `overlap`
        # fewest windows possible for this size limit and overlap
        assert len(wins) == -(-(n - overlap) // (max_tokens - overlap))


def test_split_windows_examples() -> None:
    assert split_windows(254, 254, 32) == [(0, 254)]
    assert split_windows(255, 254, 32) == [(0, 144), (111, 255)]
    assert split_windows(600, 254, 32) == [(0, 222), (189, 411), (378, 600)]
    assert split_windows(0, 254, 32) == [(0, 0)]


@pytest.mark.parametrize(
    ("n", "max_tokens", "overlap"), [(-1, 10, 0), (10, 0, 0), (10, 5, 5), (10, 5, -1)]
)
def test_split_windows_rejects_bad_arguments(n: int, max_tokens: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        split_windows(n, max_tokens, overlap)


def test_plan_chunks_flattens_in_text_order() -> None:
    plan = plan_chunks([3, 600, 0, 255], 254, 32)
    assert plan.n_texts == 4
    assert plan.owner.tolist() == [0, 1, 1, 1, 2, 3, 3]
    assert plan.lengths.tolist() == [3, 222, 222, 222, 0, 144, 144]
    assert plan.n_windows == 7


def test_length_sorted_batches_permutation_and_order_restore() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 300, size=103)
    batches = length_sorted_batches(lengths, 16)
    assert all(1 <= len(b) <= 16 for b in batches)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(103))
    assert np.all(np.diff(lengths[flat]) <= 0)  # longest first
    # writing results back by index restores the original order
    out = np.empty(103, dtype=np.int64)
    for b in batches:
        out[b] = lengths[b] * 10  # stand-in for "embed this batch"
    assert np.array_equal(out, lengths * 10)


def test_pad_batch_pads_to_longest_in_batch() -> None:
    ids, mask = pad_batch([[101, 5, 102], [101, 102]], pad_id=0)
    assert ids.shape == (2, 3) and ids.dtype == np.int64
    assert ids.tolist() == [[101, 5, 102], [101, 102, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]


def test_pool_windows_weighted_mean_and_single_window_identity() -> None:
    vecs = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 1.0], [0.0, 2.0]], dtype=np.float32)
    owner = np.array([0, 1, 1, 2])
    out = pool_windows(vecs, owner, np.array([5, 3, 1, 0]), 3)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0], [0.6, 0.8], rtol=1e-6)  # one window: itself, normalized
    np.testing.assert_allclose(out[1], np.array([3.0, 1.0]) / np.sqrt(10), rtol=1e-6)
    np.testing.assert_allclose(out[2], [0.0, 1.0])  # zero-token (empty) text still counts
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-6)


def test_hashing_embedder_deterministic_and_normalized() -> None:
    emb = HashingEmbedder(64)
    texts = ["Graph neural networks", "graph NEURAL networks!", "", "quantum chromodynamics"]
    a = emb.embed(texts)
    b = HashingEmbedder(64).embed(texts)
    assert a.shape == (4, 64) and a.dtype == np.float32
    assert np.array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-6)
    assert a[0] @ a[1] == pytest.approx(1.0)  # case and punctuation do not matter
    assert a[0] @ a[3] < 0.9
    assert emb.name == "hashing-64" and emb.dim == 64
    assert isinstance(emb, Embedder)
    assert emb.embed([]).shape == (0, 64)


def test_hashing_embedder_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError):
        HashingEmbedder(8).embed("not a list")  # type: ignore[arg-type]


def test_get_embedder_caches_and_loads_no_model(tmp_path: Path) -> None:
    assert get_embedder("hashing-32") is get_embedder("hashing-32")
    assert get_embedder("hashing").name == "hashing-256"
    # a cache directory of its own: other tests in this process may have loaded the default
    minilm = get_embedder("minilm", cache_dir=tmp_path)
    assert minilm is get_embedder("minilm", cache_dir=tmp_path)
    assert minilm is get_embedder(minilm.name, cache_dir=tmp_path)  # full cache-key name too
    assert minilm.dim == 384
    fp32 = get_embedder("minilm-fp32", cache_dir=tmp_path)
    assert fp32.name != minilm.name and fp32.name.startswith("all-MiniLM-L6-v2/onnx-fp32/")
    assert getattr(minilm, "_session", None) is None  # lazy: nothing loaded until embed()
    with pytest.raises(ValueError):
        get_embedder("no-such-model")


def test_name_changes_with_chunking_settings() -> None:
    from paperfeed.embed import MiniLMEmbedder

    names = {
        MiniLMEmbedder().name,
        MiniLMEmbedder(quantized=False).name,
        MiniLMEmbedder(overlap=16).name,
        MiniLMEmbedder(max_tokens=126).name,
    }
    assert len(names) == 4


def test_importing_embed_loads_neither_torch_nor_onnxruntime() -> None:
    code = (
        "import sys, paperfeed.embed as e; e.get_embedder('minilm'); "
        "bad = [m for m in ('torch', 'onnxruntime', 'sentence_transformers', 'transformers') "
        "if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_windows_per_text_are_capped() -> None:
    # a 10 MB abstract is about 2.5 M word pieces: ~11,000 windows uncapped
    plan = plan_chunks([2_500_000, 300], max_tokens=254, overlap=32)
    huge = plan.owner == 0
    assert int(huge.sum()) == MAX_WINDOWS
    assert int(plan.start[huge].min()) == 0  # the head of the text is kept
    assert int(plan.end[huge].max()) == MAX_WINDOWS * 254 - (MAX_WINDOWS - 1) * 32
    assert [(int(s), int(e)) for s, e in zip(plan.start[~huge], plan.end[~huge], strict=True)] == (
        split_windows(300, 254, 32)
    )
    assert plan_chunks([1000], max_tokens=100, max_windows=3).n_windows == 3
    with pytest.raises(ValueError):
        plan_chunks([10], max_tokens=5, max_windows=0)
