"""One-time build of the ONNX models from the bundled weights. Imports torch: build time only."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from paperfeed.settings import keep_model_libraries_offline

log = logging.getLogger(__name__)

# Sentences used to check an export numerically: short, padded and a full 256-token window.
_CHECK_TEXTS = (
    "",
    "Graph neural networks for molecule property prediction.",
    "We study retrieval-augmented generation and show that dense retrievers trained with "
    "contrastive objectives outperform sparse baselines on open-domain question answering. " * 6,
)


def export_fp32(model_dir: Path, out_path: Path) -> dict[str, Any]:
    """Export BertModel + masked sum pooling to ONNX at ``out_path`` (dynamic batch/seq).

    The graph is then fused for onnxruntime (MultiHeadAttention, SkipLayerNorm, BiasGelu)
    when that works and checks out numerically; otherwise the plain export is kept.
    Returns facts about the build for the metadata file.

    Graph inputs: ``input_ids``, ``attention_mask`` (int64, ``[batch, seq]``); output
    ``summed`` (float32, ``[batch, 384]``): the sum of the last hidden states over unmasked
    tokens.  Dividing by the token count gives sentence-transformers' mean pooling.
    """
    keep_model_libraries_offline()
    import torch
    import transformers
    from transformers import BertModel

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # "torchvision is not installed"
    # Eager attention exports as plain MatMul/Softmax with an additive mask; the SDPA path
    # exports a boolean mask with Where/IsNaN over every score (about 25% of the run time).
    bert = BertModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    ).eval()

    class SumPooled(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(dim=1)

    module = SumPooled(bert).eval()
    # Example shapes > 1 so the exporter does not specialise a dimension to a constant.
    ids = torch.randint(1000, 2000, (2, 16), dtype=torch.int64)
    mask = torch.ones_like(ids)
    batch = torch.export.Dim("batch")
    seq = torch.export.Dim("seq", max=int(bert.config.max_position_embeddings))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (ids, mask),
            str(out_path),
            input_names=["input_ids", "attention_mask"],
            output_names=["summed"],
            dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
            dynamo=True,
            external_data=False,
            verbose=False,
        )
    info: dict[str, Any] = {"export_min_cos": _check_against_torch(module, model_dir, out_path)}
    fused = out_path.with_name(out_path.name + ".fused")
    try:
        info["fusions"] = fuse_for_ort(out_path, fused)
        info["fused_min_cos"] = _check_against_torch(module, model_dir, fused)
        os.replace(fused, out_path)
    except Exception as exc:  # fusion is an optimization only: keep the plain export
        log.warning("ONNX graph fusion skipped: %s", exc)
        info["fusions"] = f"skipped: {exc}"
    finally:
        fused.unlink(missing_ok=True)
    return info


def fuse_for_ort(src: Path, dst: Path) -> dict[str, int]:
    """Fuse attention into MultiHeadAttention (+ SkipLayerNorm, BiasGelu) with onnxscript.

    Stops short of the packed ``Attention`` op, so the Q/K/V projections stay MatMuls that
    dynamic quantization can turn into int8.
    """
    from unittest import mock

    import onnx_ir as ir
    from onnxscript.rewriter.ort_fusions import _core

    model = ir.load(str(src))
    with mock.patch.object(_core, "fuse_attention", lambda *a, **k: 0):
        model, counts = _core.optimize_for_ort(model)
    counts = {k: int(v) for k, v in counts.items() if v}
    if not counts.get("mha2") and not counts.get("mha1"):
        raise RuntimeError(f"no attention fusion applied ({counts})")
    ir.save(model, str(dst))
    return counts


def _check_against_torch(module: object, model_dir: Path, onnx_path: Path) -> float:
    """Min cosine of ONNX vs torch on a padded batch; raise if it is below 0.9999."""
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    seqs = [
        [101, *e.ids[:254], 102]
        for e in tok.encode_batch(list(_CHECK_TEXTS), add_special_tokens=False)
    ]
    width = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    with torch.no_grad():
        ref = module(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()  # type: ignore[operator]
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    cos = _rowwise_cos(ref, got)
    log.info("ONNX fp32 export vs torch: min cosine %.7f", cos.min())
    if cos.min() < 0.9999:
        raise RuntimeError(f"ONNX graph disagrees with torch (min cosine {cos.min():.5f})")
    return float(cos.min())


FP32_FFN_OUT_LAYERS = 2
"""The FFN output projections (1536 -> 384) of the first layers stay fp32: their GELU
inputs have the widest activation range, and quantizing them costs the most agreement."""


def quantize_int8(fp32_path: Path, out_path: Path) -> list[str]:
    """Dynamic int8 quantization: per-channel weights, MatMul only; returns skipped nodes.

    Per-tensor weights (onnxruntime's default) drop agreement with fp32 to cosine ~0.93;
    per-channel gives ~0.994, and keeping the first FFN output projections in fp32 lifts
    the worst case above 0.99 for a few percent of speed.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(fp32_path), load_external_data=False)
    shapes = {init.name: list(init.dims) for init in model.graph.initializer}
    ffn_out = [
        n.name
        for n in model.graph.node
        if n.op_type == "MatMul" and len(n.input) == 2 and shapes.get(n.input[1]) == [1536, 384]
    ]
    exclude = ffn_out[:FP32_FFN_OUT_LAYERS]
    del model

    root = logging.getLogger()
    nag = _DropMessage("consider to run pre-processing")
    root.addFilter(nag)
    try:
        quantize_dynamic(
            str(fp32_path),
            str(out_path),
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            weight_type=QuantType.QInt8,
            nodes_to_exclude=exclude,
        )
    finally:
        root.removeFilter(nag)
    return exclude


class _DropMessage(logging.Filter):
    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle

    def filter(self, record: logging.LogRecord) -> bool:
        return self.needle not in record.getMessage()


def check_quantized(model_dir: Path, fp32_path: Path, int8_path: Path) -> float:
    """Minimum cosine between int8 and fp32 outputs on the check texts; raise below 0.98."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    outs = []
    for path in (fp32_path, int8_path):
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        rows = []
        for e in tok.encode_batch(list(_CHECK_TEXTS[1:]), add_special_tokens=False):
            ids = np.asarray([[101, *e.ids[:254], 102]], dtype=np.int64)
            rows.append(sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0])
        outs.append(np.concatenate(rows))
    cos = float(_rowwise_cos(outs[0], outs[1]).min())
    if cos < 0.98:
        raise RuntimeError(f"int8 model disagrees with fp32 (min cosine {cos:.4f})")
    return cos


def _rowwise_cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.sum(a * b, axis=1)
