"""Contrastive fine-tuning of MiniLM's top transformer layers on related pairs (torch, CPU).

Loss: in-batch negatives (InfoNCE, as sentence-transformers' MultipleNegativesRankingLoss,
both directions) over mean-pooled, L2-normalized vectors of ``[CLS] + text + [SEP]``, the text
being :attr:`paperfeed.models.Paper.text` cut to the model's 254 word pieces. Every layer
below the top ``layers`` stays frozen. A checkpoint (trainable weights, optimizer, schedule,
random state) is written atomically every ``checkpoint_every`` steps so a killed run resumes
where it stopped; the data order is a function of the seed and the epoch alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

CHECKPOINT = "checkpoint.pt"
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)


@dataclass(frozen=True, slots=True)
class TrainOptions:
    layers: int = 2
    epochs: int = 1
    batch_size: int = 32
    lr: float = 1e-4
    scale: float = 20.0
    """Inverse temperature of the in-batch softmax (sentence-transformers' default)."""
    max_tokens: int = 254
    seed: int = 0
    threads: int = 1
    checkpoint_every: int = 25

    def identity(self) -> dict[str, Any]:
        """What a checkpoint must match to be resumed (threads and saving may differ)."""
        d = asdict(self)
        d.pop("threads")
        d.pop("checkpoint_every")
        return d


@dataclass(frozen=True, slots=True)
class TrainResult:
    steps: int
    resumed_from: int
    last_loss: float | None
    model_dir: Path
    """A Hugging Face model directory (weights, config, tokenizer) of the trained model."""


class ResumeError(ValueError):
    """``--resume`` found no checkpoint, or one made with other settings or pairs."""


def pairs_digest(pairs: Sequence[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for a, b in pairs:
        h.update(f"{len(a)}:{a}{len(b)}:{b}".encode())
    return h.hexdigest()[:16]


def _tokenize(tok: Any, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    encs = tok.encode_batch(list(texts), add_special_tokens=False)
    return [[cls, *e.ids[:max_tokens], sep] for e in encs]


def _padded(seqs: Sequence[Sequence[int]], pad: int) -> tuple[Any, Any]:
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, : len(s)] = 1
    return ids, mask


def _encode(model: Any, ids: Any, mask: Any) -> Any:
    import torch

    hidden = model(input_ids=ids, attention_mask=mask)[0]
    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(dim=1) / m.sum(dim=1)
    return torch.nn.functional.normalize(pooled, dim=1)


def _load_model(base_dir: Path, layers: int) -> Any:
    import transformers
    from transformers import BertModel

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    model = BertModel.from_pretrained(str(base_dir), local_files_only=True)
    n = len(model.encoder.layer)
    if not 1 <= layers <= n:
        raise ValueError(f"layers must be between 1 and {n}, not {layers}")
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[n - layers :]:
        for p in layer.parameters():
            p.requires_grad = True
    return model


def _batches(n: int, opts: TrainOptions) -> list[np.ndarray]:
    """Every step's pair indices over all epochs: a seeded shuffle per epoch."""
    out = []
    for epoch in range(opts.epochs):
        order = np.random.default_rng([opts.seed, epoch]).permutation(n)
        out += [order[i : i + opts.batch_size] for i in range(0, n, opts.batch_size)]
    return [b for b in out if len(b) >= 2]  # one pair has no in-batch negative


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    import torch

    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _resume_state(work_dir: Path, ident: dict[str, Any], digest: str) -> dict[str, Any]:
    import torch

    path = work_dir / CHECKPOINT
    if not path.exists():
        raise ResumeError(f"{path}: no checkpoint to resume; run without --resume")
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("options") != ident or state.get("pairs") != digest:
        raise ResumeError(
            f"{path}: the checkpoint was made with other settings or training pairs "
            f"({state.get('options')}); use the same options, or run without --resume"
        )
    return state


def train(
    pairs: Sequence[tuple[str, str]],
    base_dir: Path,
    work_dir: Path,
    opts: TrainOptions,
    *,
    resume: bool = False,
    max_steps: int | None = None,
    progress: bool = False,
) -> TrainResult:
    """Fine-tune the model of ``base_dir`` on ``pairs`` of texts; write the result to
    ``work_dir/hf``. ``max_steps`` stops early (the checkpoint stays, for ``resume``)."""
    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)
    work_dir.mkdir(parents=True, exist_ok=True)
    ident, digest = opts.identity(), pairs_digest(pairs)
    model = _load_model(base_dir, opts.layers)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(trainable, lr=opts.lr)
    batches = _batches(len(pairs), opts)
    total = len(batches)
    warm = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    start = 0
    if resume:
        state = _resume_state(work_dir, ident, digest)
        model.load_state_dict(state["trainable"], strict=False)
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        torch.set_rng_state(state["rng"])
        start = int(state["step"])
    tok = Tokenizer.from_file(str(base_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    model.train()
    end = total if max_steps is None else min(total, max_steps)
    loss_value: float | None = None
    bar = _bar(total, start, progress)
    try:
        for step in range(start, end):
            loss_value = _step(model, tok, pairs, batches[step], opts, optim, sched)
            if bar is not None:
                bar.set_postfix(loss=f"{loss_value:.3f}")
                bar.update(1)
            if (step + 1) % opts.checkpoint_every == 0 or step + 1 == end:
                state = {"step": step + 1, "options": ident, "pairs": digest}
                _save_checkpoint(work_dir / CHECKPOINT, _state(model, optim, sched, state))
    finally:
        if bar is not None:
            bar.close()
    hf = work_dir / "hf"
    _save_model(model, base_dir, hf, {"steps": end, "options": ident, "pairs": digest})
    return TrainResult(end, start, loss_value, hf)


def _step(
    model: Any,
    tok: Any,
    pairs: Sequence[tuple[str, str]],
    idx: np.ndarray,
    opts: TrainOptions,
    optim: Any,
    sched: Any,
) -> float:
    """One update on the pairs ``idx``: symmetric in-batch InfoNCE; returns the loss."""
    import torch

    seqs = _tokenize(tok, [t for i in idx for t in pairs[i]], opts.max_tokens)
    ids, mask = _padded(seqs, tok.token_to_id("[PAD]"))
    vecs = _encode(model, ids, mask)
    logits = opts.scale * vecs[0::2] @ vecs[1::2].T
    target = torch.arange(len(idx))
    ce = torch.nn.functional.cross_entropy
    loss = (ce(logits, target) + ce(logits.T, target)) / 2
    optim.zero_grad()
    loss.backward()
    optim.step()
    sched.step()
    return float(loss.detach())


def _state(model: Any, optim: Any, sched: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint: the trainable weights, optimizer, schedule and random state."""
    import torch

    trained = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    return {
        **extra,
        "trainable": trained,
        "optim": optim.state_dict(),
        "sched": sched.state_dict(),
        "rng": torch.get_rng_state(),
    }


def _save_model(model: Any, base_dir: Path, out: Path, info: dict[str, Any]) -> None:
    """The model as a Hugging Face directory, with the base model's tokenizer files."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.eval()
    model.save_pretrained(str(tmp), safe_serialization=True)
    for name in _TOKENIZER_FILES:
        if (base_dir / name).exists():
            shutil.copyfile(base_dir / name, tmp / name)
    (tmp / "paperfeed-training.json").write_text(json.dumps(info, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)


def _bar(total: int, initial: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="step",
        desc="training",
        file=sys.stderr,
        dynamic_ncols=True,
    )
