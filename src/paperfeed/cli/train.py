"""``paperfeed train``: learn relatedness from a corpus (pairs before a cut-off, MiniLM's top
layers fine-tuned, exported to int8 ONNX) and print held-out pair accuracy, base vs learned."""

from __future__ import annotations

import json
from pathlib import Path

import click

from paperfeed.cli import common
from paperfeed.cli.common import iso_date, json_option, user_errors


@click.command("train")
@click.argument("corpus", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help='Model directory to write (config.toml: model = "minilm-tuned:DIR").',
)
@click.option(
    "--cutoff",
    callback=iso_date,
    help="Use only papers listed before this day; default 2025-09-01 (arXiv corpus) or "
    "2019-01-01 (conference corpus); may only be earlier than the default.",
)
@click.option(
    "--layers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 6),
    help="Top transformer layers trained (the rest frozen).",
)
@click.option("--epochs", default=1, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--max-pairs",
    type=click.IntRange(min=2),
    help="At most this many training pairs (a seeded sample).",
)
@click.option(
    "--batch-size",
    default=32,
    show_default=True,
    type=click.IntRange(min=2),
    help="Pairs per step; the other pairs of a batch are the negatives.",
)
@click.option(
    "--lr",
    default=1e-4,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Learning rate (AdamW, linear warm-up and decay).",
)
@click.option(
    "--signals",
    default="citation,author,terms",
    show_default=True,
    help="Which signals' pairs to train on (held-out pairs always come from all three).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="Seeds the pairs, the split, the order and the weights' updates.",
)
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="CPU threads for torch and the held-out embedding.",
)
@click.option(
    "--steps",
    "max_steps",
    type=click.IntRange(min=1),
    help="Stop after this many steps (in all; a resumed run counts the earlier ones).",
)
@click.option(
    "--checkpoint-every",
    default=25,
    show_default=True,
    type=click.IntRange(min=1),
    help="Save a checkpoint every N steps.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue from the checkpoint in --out (same corpus and options).",
)
@json_option()
@click.pass_context
@user_errors
def train_cmd(
    ctx: click.Context,
    corpus: Path,
    out_dir: Path,
    cutoff: str | None,
    layers: int,
    epochs: int,
    max_pairs: int | None,
    batch_size: int,
    lr: float,
    signals: str,
    seed: int,
    threads: int,
    max_steps: int | None,
    checkpoint_every: int,
    resume: bool,
    as_json: bool,
) -> None:
    """Fine-tune the embedding model on related papers of CORPUS (a JSON-lines file such as
    arxiv-cs-2025-2026.jsonl.gz): pairs found by quoted arXiv ids or titles, a shared author
    with overlapping vocabulary, or shared rare terms, only among papers listed before the
    cut-off; a fifth of the papers is held out. Prints held-out pair accuracy (the
    partner's rank among 100) for the packaged model and the learned one."""
    from paperfeed.services.training import PairOptions, TrainOptions, train_model

    wanted = tuple(s.strip() for s in signals.split(",") if s.strip())
    pair_opts = PairOptions(signals=wanted, max_pairs=max_pairs, seed=seed)
    opts = TrainOptions(
        layers=layers,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        threads=threads,
        checkpoint_every=checkpoint_every,
    )
    report = train_model(
        corpus,
        out_dir,
        cutoff=cutoff,
        pair_options=pair_opts,
        options=opts,
        resume=resume,
        max_steps=max_steps,
        model_cache=common.config(ctx).model_cache,
        progress=common.progress(ctx),
    )
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        click.echo("\n".join(report.lines()))


COMMANDS: tuple[click.Command, ...] = (train_cmd,)
