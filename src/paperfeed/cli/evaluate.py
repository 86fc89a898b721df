"""``paperfeed eval``: ranking-quality benchmarks, paperfeed next to its baselines.

Embeddings go through the store's cache (``<home>/paperfeed.db``), so a rerun embeds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click
import numpy as np

from paperfeed.cli import common
from paperfeed.cli.common import iso_date, user_errors
from paperfeed.models import Paper
from paperfeed.settings import data_dir

PUBLISHED_CSFCUBE = (
    "published (MAP / NDCG%20, whole-abstract queries): SPECTER 34.23 / 53.28, "
    "all-mpnet-base-v2 34.64 / 54.94, Aspire contextual-sentence multi-match 40.79 / 61.41"
)


def _data_default(name: str) -> Callable[[], str]:
    return lambda: str(data_dir() / name)


def _embed_fn(ctx: click.Context) -> tuple[Callable[[Sequence[Paper]], np.ndarray], bool]:
    """An ``embed(papers)`` over this home's store cache and the configured model."""
    return common.app(ctx).vectors, common.progress(ctx)


@click.group("eval")
def eval_group() -> None:
    """Measure ranking quality on public benchmarks, paperfeed next to baselines.

    \b
    Methods are run in the same process on the same data; paperfeed's row is the
    product's own ranker (default settings). Embeddings are cached in the store.
    """


@eval_group.command("csfcube")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=_data_default("csfcube"),
    show_default="$PAPERFEED_DATA/csfcube",
    help="Directory of the released CSFCube files.",
)
@click.option(
    "--facet",
    type=click.Choice(["all", "background", "method", "result"]),
    default="all",
    show_default=True,
    help="Evaluate the query-facet pairs of one facet only.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=0,
    help="Only the first N query-facet pairs (0: all), for a quick check.",
)
@click.option("--json", "as_json", is_flag=True, help="Print {method: {metric: value}}.")
@click.pass_context
@user_errors
def csfcube_cmd(ctx: click.Context, data: Path, facet: str, limit: int, as_json: bool) -> None:
    """CSFCube faceted query-by-example: MAP and NDCG%20 (percent) over the query-facet pairs.

    \b
    Each query is the query paper's sentences of the asked facet; each pool is re-ranked
    whole. Grades 0-3 (relevance_adju); MAP counts grade >= 2 as relevant; NDCG%20 uses
    linear gains over the top 20% of the pool (discount as in the published evaluation
    code). Methods: paperfeed, bm25, tfidf-cosine, minilm-cosine.
    """
    from paperfeed.evaluation.csfcube import METRICS, load_csfcube, run_csfcube
    from paperfeed.evaluation.harness import markdown_table, to_json

    dataset = load_csfcube(data)
    queries = [q for q in dataset.queries if facet in ("all", q.facet)]
    if limit:
        queries = queries[:limit]
    embed, progress = _embed_fn(ctx)
    results = run_csfcube(dataset, embed, queries, progress=progress)
    if as_json:
        click.echo(to_json(results))
        return
    click.echo(f"CSFCube: {len(queries)} query-facet pairs ({facet}), figures in %\n")
    click.echo(markdown_table(results, METRICS, digits=2))
    click.echo(f"\n{PUBLISHED_CSFCUBE}")


@eval_group.command("authors")
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_data_default("arxiv-cs-2025-2026.jsonl.gz"),
    show_default="$PAPERFEED_DATA/arxiv-cs-2025-2026.jsonl.gz",
    help="JSONL(.gz) corpus with id, title, abstract, authors, listing_date.",
)
@click.option("--t", "t", required=True, callback=iso_date, help="First day of the window.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=28,
    show_default=True,
    help="Length of the window.",
)
@click.option(
    "--users",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="How many eligible authors to draw.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the draw.")
@click.option(
    "--feedback-rounds",
    type=click.IntRange(min=0, max=10),
    default=0,
    show_default=True,
    help="Simulated feedback rounds: each shows the top 10 unseen papers, rates the "
    "author's own up and the rest down, and re-ranks. Adds nDCG@10_round1..R (the "
    "papers not yet shown, re-ranked) and nDCG@10_noFB1..R (the same papers ranked "
    "without the ratings), and Recall_round1..R / Recall_noFB1..R (share of the "
    "author's papers shown in r+1 screens, with feedback / reading on).",
)
@click.option(
    "--popularity-weight",
    type=click.FloatRange(min=0.0),
    default=0.0,
    show_default=True,
    help="Weight of paperfeed's popularity prior (log1p of Hugging Face upvotes, z-scored "
    "over the window's candidates); 0: off, the product's default. The description line "
    "says how many candidates carry upvotes.",
)
@click.option("--json", "as_json", is_flag=True, help="Print {method: {metric: value}}.")
@click.pass_context
@user_errors
def authors_cmd(
    ctx: click.Context,
    corpus: Path,
    t: str,
    days: int,
    users: int,
    seed: int,
    feedback_rounds: int,
    popularity_weight: float,
    as_json: bool,
) -> None:
    """Author-history benchmark: find each author's papers of [T, T+days) in that window's
    feed, from the papers they listed before T.

    \b
    Eligible authors: names of >= 2 words with 3-40 papers before T, >= 1 in the window
    and a coauthor in both periods; the sorted names are sampled with
    random.Random(seed). Rankers never see author names. Reports nDCG@10, Recall@50 and
    MRR for paperfeed and the re-implemented anchors:
      arxiv-sanity-lite     tf-idf 1-2-grams + LinearSVC(C=0.01), candidates negative
      zotero-arxiv-daily    time-decay weighted mean cosine to the library
      scholar-inbox         logistic regression vs random corpus papers
      bm25                  BM25, the whole profile as the query
      minilm-maxsim         best cosine to any profile paper
      rrf(bm25,svm,maxsim)  reciprocal rank fusion of the three
    """
    from paperfeed.evaluation.authors import (
        FEEDBACK_TABLES,
        METRICS,
        evaluate_window,
        feedback_columns,
        read_corpus,
    )
    from paperfeed.evaluation.harness import markdown_table, to_json

    rows = read_corpus(corpus)
    embed, progress = _embed_fn(ctx)
    report = evaluate_window(
        rows,
        embed,
        t,
        days,
        users=users,
        seed=seed,
        feedback_rounds=feedback_rounds,
        progress=progress,
        popularity_weight=popularity_weight,
    )
    if as_json:
        click.echo(to_json(report.results))
        return
    click.echo(report.describe() + "\n")
    click.echo(markdown_table(report.results, METRICS, digits=3))
    for metric, title in FEEDBACK_TABLES.items() if feedback_rounds else ():
        click.echo(f"\nFeedback simulation, {metric}: {title}\n")
        cols = feedback_columns(feedback_rounds, metric)
        click.echo(markdown_table(report.results, cols, digits=3))


COMMANDS: tuple[click.Command, ...] = (eval_group,)
