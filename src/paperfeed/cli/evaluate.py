"""``paperfeed eval``: ranking-quality benchmarks, paperfeed next to its baselines.

Embeddings go through the store's cache (``<home>/paperfeed.db``), so a rerun embeds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np

from paperfeed.cli import common
from paperfeed.cli.common import iso_date, user_errors
from paperfeed.models import Paper
from paperfeed.settings import data_dir

if TYPE_CHECKING:
    from paperfeed.evaluation.report import Bootstrap, Sweep
    from paperfeed.evaluation.windows import Window

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


def _split(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    """Click callback: a comma-separated list (None stays None)."""
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


_resamples_option = click.option(
    "--resamples",
    type=click.IntRange(min=100),
    default=1000,
    show_default=True,
    help="Bootstrap resamples of the users for every interval.",
)


@eval_group.command("authors")
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False, path_type=Path),
    default=_data_default("arxiv-cs-2025-2026.jsonl.gz"),
    show_default="$PAPERFEED_DATA/arxiv-cs-2025-2026.jsonl.gz",
    help="JSONL(.gz) corpus with id, title, abstract, authors, listing_date (with --t).",
)
@click.option("--t", "t", callback=iso_date, help="First day of one window (or use --windows).")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=28,
    show_default=True,
    help="Length of the --t window.",
)
@click.option(
    "--windows",
    "windows_spec",
    metavar="all|tuning|held-out|NAMES",
    help="Sweep the fixed windows instead of one --t window: all of them, the tuning or "
    "the held-out ones, or comma-separated names (arxiv-2026-02,conference-2019).",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: str(data_dir()),
    show_default="$PAPERFEED_DATA",
    help="Directory of the corpora the --windows sweep reads.",
)
@click.option(
    "--users",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="How many eligible authors to draw per window.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the draws.")
@click.option(
    "--methods",
    callback=_split,
    metavar="LIST",
    help="Comma-separated methods to run (default: all; see below).",
)
@click.option(
    "--ablations",
    is_flag=True,
    help="Also run paperfeed with each component of its ranker switched off (or on, when "
    "the default leaves it off), with paired differences to the product.",
)
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
@_resamples_option
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every user's figures to this JSON file ('paperfeed eval report' "
    "regenerates the tables from it).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Markdown tables, or the report as JSON (means, intervals, paired differences).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
@user_errors
def authors_cmd(
    ctx: click.Context,
    corpus: Path,
    t: str | None,
    days: int,
    windows_spec: str | None,
    data: Path,
    users: int,
    seed: int,
    methods: list[str] | None,
    ablations: bool,
    feedback_rounds: int,
    popularity_weight: float,
    resamples: int,
    results: Path | None,
    fmt: str,
    as_json: bool,
) -> None:
    """Author-history benchmark: find each author's papers of [T, T+days) in that window's
    feed, from the papers they listed before T; one window (--t) or a sweep (--windows).

    \b
    Eligible authors: names of >= 2 words with 3-40 papers before T, >= 1 in the window
    and a coauthor in both periods; the sorted names are sampled with
    random.Random(seed). Rankers never see author names. Reports nDCG@10, Recall@50 and
    MRR, each with a 95% percentile-bootstrap interval over users, and paperfeed minus
    every other method paired over the same users. Methods:
      paperfeed             the product's ranker, default settings
      arxiv-sanity-lite     tf-idf 1-2-grams + LinearSVC(C=0.01), candidates negative
      zotero-arxiv-daily    time-decay weighted mean cosine to the library
      scholar-inbox         logistic regression vs random corpus papers
      bm25                  BM25, the whole profile as the query
      minilm-maxsim         best cosine to any profile paper
      rrf(bm25,svm,maxsim)  reciprocal rank fusion of the three
      two-term-fusion       z(BM25 of the last 10 profile papers) + z(max-sim)

    \b
    Windows (--windows; tuning windows may choose defaults, held-out ones only report):
      tuning     arxiv-2025-11, arxiv-2025-12, arxiv-2026-02 (28 days each)
      held-out   arxiv-2025-07, -08, -09, arxiv-2026-01, -03, -06, -07 (28 days),
                 conference-2019 (conference papers of 2019, 365 days)
    A sweep ends with a summary: each method's mean over windows, and paperfeed against
    the two-term fusion and the best anchor, window by window and pooled.
    """
    from paperfeed.evaluation import ablations as ab
    from paperfeed.evaluation import report as rp
    from paperfeed.evaluation.authors import METHODS
    from paperfeed.evaluation.windows import run_windows

    chosen = _windows(windows_spec, t, days, corpus)
    variants = ab.variants(with_ablations=ablations)
    embed, progress = _embed_fn(ctx)
    found = run_windows(
        chosen,
        data,
        embed,
        users=users,
        seed=seed,
        variants=variants,
        methods=methods if methods is not None else tuple(METHODS),
        feedback_rounds=feedback_rounds,
        progress=progress,
        popularity_weight=popularity_weight,
    )
    sweep = rp.Sweep(found, users, seed, {v: ab.changes(p) for v, p in variants.items()})
    if results is not None:
        rp.write_results(sweep, results)
    _print_report(sweep, rp.Bootstrap(resamples, seed), "json" if as_json else fmt)


def _windows(spec: str | None, t: str | None, days: int, corpus: Path) -> list[Window]:
    """The windows to run: the ``--windows`` selection, or the one ``--t`` window (named
    and given its role when it is one of the fixed windows)."""
    from paperfeed.evaluation.windows import WINDOWS, Window, select_windows

    if (spec is None) == (t is None):
        raise click.UsageError("give either --t (one window) or --windows (a sweep)")
    if spec is not None:
        return select_windows(spec)
    assert t is not None
    path = str(corpus.absolute())  # read as it is, not from --data
    known = [w for w in WINDOWS if (w.t, w.days, w.corpus) == (t, days, corpus.name)]
    if known:
        return [Window(known[0].name, path, t, days, known[0].role)]
    return [Window(f"T={t}", path, t, days, "ad hoc")]


def _print_report(sweep: Sweep, boot: Bootstrap, fmt: str) -> None:
    import json

    from paperfeed.evaluation import report as rp

    if fmt == "json":
        click.echo(json.dumps(rp.report_json(sweep, boot)))
    else:
        click.echo(rp.full_report(sweep, boot))


@eval_group.command("report")
@click.argument("results", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@_resamples_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Markdown tables or JSON.",
)
@user_errors
def report_cmd(results: tuple[Path, ...], resamples: int, fmt: str) -> None:
    """Regenerate the tables of 'eval authors --results FILE' runs from their files,
    without ranking anything (same seed and resamples: the same intervals). Several files
    (e.g. one per window, all with the same --users and --seed) make one report."""
    from paperfeed.evaluation import report as rp

    sweep = rp.merge_sweeps([rp.read_results(path) for path in results])
    _print_report(sweep, rp.Bootstrap(resamples, sweep.seed), fmt)


COMMANDS: tuple[click.Command, ...] = (eval_group,)
