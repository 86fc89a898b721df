"""A MiniLM fine-tuned by ``paperfeed train``: its model directory, built like the packaged
model (fp32 ONNX export, graph fusion, int8 quantization and their agreement checks) and run
by the same chunking embedder. Named ``minilm-tuned:<directory>`` in config.toml; its cache
key carries a hash of the int8 file, so its vectors never mix with another model's."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from paperfeed.embed.minilm import MAX_WORDPIECES, OVERLAP, QUANT_TAG, MiniLMEmbedder

PREFIX = "minilm-tuned:"
MANIFEST = "paperfeed-model.json"
INT8 = "model.int8.onnx"
FP32 = "model.fp32.onnx"
HF = "hf"
"""Sub-directory of the Hugging Face weights and tokenizer the ONNX files were built from."""
FORMAT = 1


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export_tuned(
    hf_dir: Path, out_dir: Path, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build ``out_dir`` (model.fp32.onnx, model.int8.onnx, hf/, the manifest) from the
    Hugging Face model in ``hf_dir``; raises if an agreement check fails. Returns the manifest."""
    from paperfeed.embed import _export

    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    try:
        info: dict[str, Any] = {"format": FORMAT, "base": "all-MiniLM-L6-v2", **(extra or {})}
        info["fp32"] = _export.export_fp32(hf_dir, tmp / FP32)
        info["int8_fp32_nodes"] = _export.quantize_int8(tmp / FP32, tmp / INT8)
        info["int8_min_cos_check"] = _export.check_quantized(hf_dir, tmp / FP32, tmp / INT8)
        info["sha256"] = _sha256(tmp / INT8)
        info["export_s"] = round(time.perf_counter() - t0, 2)
        if hf_dir.resolve() != (out_dir / HF).resolve():
            shutil.rmtree(out_dir / HF, ignore_errors=True)
            shutil.copytree(hf_dir, out_dir / HF)
        for name in (FP32, INT8):
            os.replace(tmp / name, out_dir / name)
        (tmp / MANIFEST).write_text(json.dumps(info, indent=2))
        os.replace(tmp / MANIFEST, out_dir / MANIFEST)  # last: the directory is complete
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return info


def read_manifest(model_dir: Path) -> dict[str, Any]:
    """The manifest of a model directory ``paperfeed train`` wrote; ValueError otherwise."""
    path = Path(model_dir).expanduser() / MANIFEST
    try:
        info = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(
            f"{model_dir}: not a model directory written by `paperfeed train` (no {MANIFEST})"
        ) from None
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: unreadable ({e})") from None
    if info.get("format") != FORMAT or not isinstance(info.get("sha256"), str):
        raise ValueError(f"{path}: unknown model format {info.get('format')!r}")
    return info


def tuned_name(sha256: str) -> str:
    """The cache key of a tuned model's vectors: its int8 file's hash and the pipeline."""
    return (
        f"minilm-tuned-{sha256[:16]}/onnx-{QUANT_TAG}/chunk{MAX_WORDPIECES + 2}-ov{OVERLAP}-wmean"
    )


class TunedMiniLMEmbedder(MiniLMEmbedder):
    """The chunking MiniLM embedder over a model directory of ``paperfeed train``."""

    def __init__(self, model_dir: Path, *, threads: int | None = None) -> None:
        super().__init__(quantized=True, threads=threads)
        self.directory = Path(model_dir).expanduser().resolve()
        self.manifest = read_manifest(self.directory)
        self.name = tuned_name(self.manifest["sha256"])
        self.spec = f"{PREFIX}{self.directory}"
        """What :func:`paperfeed.embed.get_embedder` takes to make this model again (a Ray
        actor does): the directory must be readable there too."""

    def __repr__(self) -> str:
        return f"TunedMiniLMEmbedder({str(self.directory)!r}, name={self.name!r})"

    @property
    def model_path(self) -> Path:
        path = self.directory / INT8
        if not path.exists():
            raise ValueError(f"{self.directory}: {INT8} is missing; run `paperfeed train` again")
        return path

    def _tokenizer_file(self) -> Path:
        return self.directory / HF / "tokenizer.json"
