"""``paperfeed train``: learn relatedness from a corpus file. Reads the papers listed before
the cut-off, builds related pairs (:mod:`paperfeed.training.pairs`), fine-tunes MiniLM's top
layers on the training pairs, exports the model like the packaged one, and compares the base
and the learned model on the held-out pairs (recall@1 among 100 and MRR, the same candidates
for both)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from paperfeed.embed import Embedder, MiniLMEmbedder, TunedMiniLMEmbedder
from paperfeed.embed.minilm import model_dir as base_model_dir
from paperfeed.embed.tuned import PREFIX, export_tuned
from paperfeed.fetch.oai import write_json_atomic
from paperfeed.models import Paper
from paperfeed.sources import iter_jsonl_papers
from paperfeed.training import PairOptions, TrainingSet, build_training_set, corpus_kind
from paperfeed.training import resolve_cutoff as _resolve_cutoff
from paperfeed.training.finetune import TrainOptions, train
from paperfeed.training.heldout import (
    PairAccuracy,
    accuracy_of,
    candidate_lists,
    paired_interval,
    partner_ranks,
)

__all__ = ["PairOptions", "TrainOptions", "TrainReport", "read_corpus", "train_model"]

WORK = "work"
"""Sub-directory of the output holding the checkpoint and the trained Hugging Face model."""
REPORT = "paperfeed-training-report.json"


@dataclass(slots=True)
class CorpusRead:
    path: Path
    kind: str
    cutoff: str
    papers: list[Paper]
    late: int = 0
    """Papers dated on or after the cut-off: left out while reading."""
    undated: int = 0
    issues: int = 0


@dataclass(slots=True)
class TrainReport:
    corpus: CorpusRead
    training: TrainingSet
    out_dir: Path
    steps: int = 0
    resumed_from: int = 0
    last_loss: float | None = None
    base: PairAccuracy | None = None
    learned: PairAccuracy | None = None
    model_name: str = ""
    difference: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    """learned − base per metric: (difference, 95% interval low, high), paired by pair."""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def config_value(self) -> str:
        """What config.toml's ``model`` should say to use the learned model."""
        return f"{PREFIX}{self.out_dir}"

    def to_json(self) -> dict[str, Any]:
        c, t = self.corpus, self.training
        return {
            "corpus": str(c.path),
            "kind": c.kind,
            "cutoff": c.cutoff,
            "papers_before_cutoff": len(c.papers),
            "left_out_on_or_after_cutoff": c.late,
            "left_out_undated": c.undated,
            "unreadable_records": c.issues,
            "pairs_found": t.found,
            "train_pairs": t.counts("train"),
            "heldout_pairs": t.counts("heldout"),
            "pairs_across_split_dropped": t.crossing,
            "steps": self.steps,
            "resumed_from": self.resumed_from,
            "last_loss": self.last_loss,
            "heldout_base": self.base.to_json() if self.base else None,
            "heldout_learned": self.learned.to_json() if self.learned else None,
            "heldout_difference": {k: [round(x, 4) for x in v] for k, v in self.difference.items()},
            "model": self.config_value,
            "model_name": self.model_name,
            "seconds": self.seconds,
        }

    def lines(self) -> list[str]:
        c, t = self.corpus, self.training
        out = [
            f"corpus {c.path.name} ({c.kind}): {len(c.papers)} papers before {c.cutoff} "
            f"({c.late} on or after it left out, {c.undated} undated"
            + (f", {c.issues} records unreadable" if c.issues else "")
            + ")",
            f"pairs: train {len(t.train)} {t.counts('train')}, held-out {len(t.heldout)} "
            f"{t.counts('heldout')}, {t.crossing} across the split dropped",
            f"trained {self.steps} steps"
            + (f" (resumed at step {self.resumed_from})" if self.resumed_from else "")
            + (f", last loss {self.last_loss:.4f}" if self.last_loss is not None else ""),
        ]
        if self.base and self.learned:
            out += [
                f"held-out pairs ({self.base.pairs}, partner among {self.base.candidates}):",
                f"  {'model':<10} {'recall@1':>9} {'MRR':>7}",
                f"  {'base':<10} {self.base.recall_at_1:>9.3f} {self.base.mrr:>7.3f}",
                f"  {'learned':<10} {self.learned.recall_at_1:>9.3f} {self.learned.mrr:>7.3f}",
            ]
            if self.difference:
                r, m = self.difference["recall_at_1"], self.difference["mrr"]
                out.append(
                    f"  learned − base: recall@1 {r[0]:+.3f} [{r[1]:+.3f}, {r[2]:+.3f}], "
                    f"MRR {m[0]:+.3f} [{m[1]:+.3f}, {m[2]:+.3f}] (95%, pairs resampled)"
                )
        out.append(f'model written; to use it, config.toml: model = "{self.config_value}"')
        return out


def read_corpus(path: Path, cutoff: str | None = None) -> CorpusRead:
    """The papers of a JSON-lines corpus listed before its cut-off (the corpus's default, or
    ``cutoff`` if earlier); the later and the undated ones are counted, not kept."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such corpus file")
    papers: list[Paper] = []
    issues = 0
    for item in iter_jsonl_papers(path):
        if isinstance(item, Paper):
            papers.append(item)
        else:
            issues += 1
    kind = corpus_kind(papers)
    day = _resolve_cutoff(kind, cutoff)
    kept = [p for p in papers if p.date and p.date[:10] < day]
    undated = sum(1 for p in papers if not p.date)
    return CorpusRead(path, kind, day, kept, len(papers) - len(kept) - undated, undated, issues)


def _embed_pool(embedder: Embedder, papers: Sequence[Paper]) -> dict[str, np.ndarray]:
    vecs = embedder.embed([p.text for p in papers])
    return {p.id: v for p, v in zip(papers, vecs, strict=True)}


def heldout_ranks(
    ts: TrainingSet, embedders: Sequence[Embedder], *, max_pairs: int, seed: int
) -> tuple[list[np.ndarray], list[list[str]]]:
    """Each embedder's partner ranks on (at most ``max_pairs`` of) the held-out pairs, the
    same candidates for all; and the candidate lists."""
    pairs = list(ts.heldout)
    if len(pairs) > max_pairs:
        pairs = random.Random(seed).sample(pairs, max_pairs)
    pool = sorted(ts.heldout_ids)
    cands = candidate_lists(pairs, pool, 99, seed)
    needed = sorted({x for p, c in zip(pairs, cands, strict=True) for x in (p.a, *c)})
    papers = [ts.papers[x] for x in needed]
    return [partner_ranks(_embed_pool(e, papers), pairs, cands) for e in embedders], cands


def train_model(
    corpus: Path,
    out_dir: Path,
    *,
    cutoff: str | None = None,
    pair_options: PairOptions | None = None,
    options: TrainOptions | None = None,
    resume: bool = False,
    max_steps: int | None = None,
    heldout_max: int = 1000,
    model_cache: Path | None = None,
    progress: bool = False,
) -> TrainReport:
    """Build pairs from ``corpus``, fine-tune, export to ``out_dir`` and measure; see the
    module docstring."""
    opts = options or TrainOptions()
    t0 = time.perf_counter()
    read = read_corpus(corpus, cutoff)
    ts = build_training_set(read.papers, read.cutoff, pair_options or PairOptions(seed=opts.seed))
    if len(ts.train) < 2:
        raise ValueError(
            f"{corpus}: only {len(ts.train)} training pairs among {len(read.papers)} papers "
            f"before {read.cutoff}; a larger corpus is needed"
        )
    out_dir = Path(out_dir).expanduser().resolve()
    report = TrainReport(read, ts, out_dir)
    report.seconds["pairs"] = round(time.perf_counter() - t0, 1)
    _write_pairs(out_dir, ts)
    text_pairs = [(ts.papers[p.a].text, ts.papers[p.b].text) for p in ts.train]
    t1 = time.perf_counter()
    result = train(
        text_pairs,
        base_model_dir(),
        out_dir / WORK,
        opts,
        resume=resume,
        max_steps=max_steps,
        progress=progress,
    )
    report.steps, report.resumed_from, report.last_loss = (
        result.steps,
        result.resumed_from,
        result.last_loss,
    )
    report.seconds["train"] = round(time.perf_counter() - t1, 1)
    t2 = time.perf_counter()
    export_tuned(result.model_dir, out_dir, {"cutoff": read.cutoff, "corpus": str(read.path)})
    report.seconds["export"] = round(time.perf_counter() - t2, 1)
    tuned = TunedMiniLMEmbedder(out_dir, threads=opts.threads)
    report.model_name = tuned.name
    if ts.heldout:
        t3 = time.perf_counter()
        base = MiniLMEmbedder(quantized=True, cache_dir=model_cache, threads=opts.threads)
        (r_base, r_tuned), cands = heldout_ranks(
            ts, [base, tuned], max_pairs=heldout_max, seed=opts.seed
        )
        report.base, report.learned = accuracy_of(r_base, cands), accuracy_of(r_tuned, cands)
        report.difference = paired_interval(r_base, r_tuned, seed=opts.seed)
        report.seconds["heldout"] = round(time.perf_counter() - t3, 1)
    write_json_atomic(out_dir / REPORT, report.to_json())
    return report


def _write_pairs(out_dir: Path, ts: TrainingSet) -> None:
    """The pairs as id lists (``training-pairs.json``): what was trained and held out."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {
        "cutoff": ts.cutoff,
        "train": [[p.a, p.b, p.signal] for p in ts.train],
        "heldout": [[p.a, p.b, p.signal] for p in ts.heldout],
    }
    write_json_atomic(out_dir / "training-pairs.json", doc)
