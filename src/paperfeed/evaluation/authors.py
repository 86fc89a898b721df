"""The author-history benchmark: can a ranker find an author's next papers in a feed?

A user is an author of the corpus. Profile: the papers they listed before day T (oldest
first). Feed: every paper listed in [T, T + N days). Relevant: their own papers in the
feed. Homonyms are kept out by requiring a 2+-word name, 3–40 profile papers and a
coauthor shared between profile and window. Rankers never see author names: the papers
they get carry title, abstract and listing date only.

Construction (:func:`eligible_authors`, :func:`build_benchmark`) is pure over corpus rows.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from tqdm import tqdm

from paperfeed.evaluation.feedback import (
    FEEDBACK_TABLES,
    SHOWN_PER_ROUND,
    feedback_columns,
    simulate_feedback,
)
from paperfeed.evaluation.harness import PAPERFEED, Results
from paperfeed.evaluation.methods import ANCHORS, METHODS, TWO_TERM, orders, prepare, sanity_text
from paperfeed.evaluation.metrics import mean, ndcg_at_k, recall_at_k, reciprocal_rank
from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, RankParams

__all__ = [
    "ANCHORS",
    "FEEDBACK_TABLES",
    "METHODS",
    "METRICS",
    "SHOWN_PER_ROUND",
    "TWO_TERM",
    "feedback_columns",
    "sanity_text",
]

METRICS: tuple[str, ...] = ("nDCG@10", "Recall@50", "MRR")
N_NEGATIVES = 1000
"""Random pre-T corpus papers drawn once (seeded) as the logistic regression's negatives."""

Embed = Callable[[Sequence[Paper]], np.ndarray]


@dataclass(frozen=True, slots=True)
class Row:
    """One corpus record, as much of it as the benchmark needs."""

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    date: str
    upvotes: int | None = None
    """Hugging Face upvotes, when the record carries them (``upvotes`` or ``extra.upvotes``)."""

    @classmethod
    def from_json(cls, d: dict) -> Row:
        extra = d.get("extra") if isinstance(d.get("extra"), dict) else {}
        votes = d.get("upvotes", extra.get("upvotes"))
        return cls(
            id=str(d["id"]),
            title=d.get("title") or "",
            abstract=d.get("abstract") or "",
            authors=tuple(a.strip() for a in d.get("authors") or () if a and a.strip()),
            date=_row_date(d),
            upvotes=votes if isinstance(votes, int) and not isinstance(votes, bool) else None,
        )

    def paper(self) -> Paper:
        """What a ranker sees: no authors (nor anything else that could name them); the
        upvotes, for the popularity prior."""
        extra = {"upvotes": self.upvotes} if self.upvotes is not None else {}
        return Paper(
            id=self.id,
            title=self.title,
            abstract=self.abstract,
            date=self.date or None,
            extra=extra,
        )


def _row_date(d: dict) -> str:
    """The record's time axis: its listing date, else its date, else January 1st of its
    publication year (the conference corpus has years only)."""
    day = str(d.get("listing_date") or d.get("date") or "")[:10]
    if not day and str(d.get("year") or "").isdigit():
        day = f"{int(d['year']):04d}-01-01"
    return day


def read_corpus(path: str | Path) -> list[Row]:
    """Rows of a JSONL corpus (gzip or plain) with id, title, abstract, authors, listing_date."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such corpus file")
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [Row.from_json(json.loads(line)) for line in fh if line.strip()]


def window_end(t: str, days: int) -> str:
    """The first day after the window ``[t, t + days)``."""
    return (date.fromisoformat(t) + timedelta(days=days)).isoformat()


@dataclass(frozen=True, slots=True)
class User:
    name: str
    profile: tuple[str, ...]
    """Ids of the papers listed before T, oldest first."""
    relevant: frozenset[str]
    """Ids of their papers in the window."""


@dataclass(frozen=True, slots=True)
class AuthorBenchmark:
    t: str
    days: int
    users: tuple[User, ...]
    candidates: tuple[str, ...]
    """Every paper listed in the window, in corpus order."""
    papers: dict[str, Paper]
    """Every paper of the corpus by id, authors removed."""
    n_eligible: int


def _by_author(rows: Iterable[Row]) -> tuple[dict[str, list[Row]], dict[str, set[str]]]:
    papers: dict[str, list[Row]] = {}
    coauthors: dict[str, set[str]] = {}
    for r in rows:
        names = set(r.authors)
        for a in names:
            papers.setdefault(a, []).append(r)
            coauthors.setdefault(a, set()).update(names - {a})
    return papers, coauthors


def eligible_authors(
    rows: Sequence[Row], t: str, days: int, *, min_profile: int = 3, max_profile: int = 40
) -> list[str]:
    """Sorted names with ≥ 2 words, ``min_profile``–``max_profile`` papers listed before
    ``t``, ≥ 1 in ``[t, t + days)``, and a coauthor in both periods."""
    end = window_end(t, days)
    before, co_before = _by_author(r for r in rows if r.date < t)
    within, co_within = _by_author(r for r in rows if t <= r.date < end)
    out = [
        name
        for name, papers in before.items()
        if len(name.split()) >= 2
        and min_profile <= len({p.id for p in papers}) <= max_profile
        and name in within
        and co_before[name] & co_within[name]
    ]
    return sorted(out)


def sample_users(names: Sequence[str], n: int, seed: int) -> list[str]:
    """``n`` of the sorted ``names`` drawn with ``random.Random(seed).sample`` (all if fewer)."""
    ordered = sorted(names)
    return random.Random(seed).sample(ordered, min(n, len(ordered)))


def build_benchmark(
    rows: Sequence[Row],
    t: str,
    days: int,
    *,
    users: int = 300,
    seed: int = 1,
    min_profile: int = 3,
    max_profile: int = 40,
) -> AuthorBenchmark:
    """Users, their profiles and window papers, and the feed, for window ``[t, t + days)``."""
    date.fromisoformat(t)  # a clear error for a bad date
    if days < 1:
        raise ValueError("the window must last at least one day")
    end = window_end(t, days)
    names = eligible_authors(rows, t, days, min_profile=min_profile, max_profile=max_profile)
    chosen = sample_users(names, users, seed)
    before, _ = _by_author(r for r in rows if r.date < t)
    within, _ = _by_author(r for r in rows if t <= r.date < end)
    out = []
    for name in chosen:
        prof = sorted({r.id: r for r in before[name]}.values(), key=lambda r: (r.date, r.id))
        out.append(User(name, tuple(r.id for r in prof), frozenset(r.id for r in within[name])))
    cands = tuple(dict.fromkeys(r.id for r in rows if t <= r.date < end))
    papers = {r.id: r.paper() for r in rows}
    return AuthorBenchmark(t, days, tuple(out), cands, papers, len(names))


def user_metrics(relevant: Sequence[bool], n_relevant: int) -> dict[str, float]:
    """nDCG@10 (binary gains), Recall@50 and reciprocal rank of one ranked feed, with
    ``n_relevant`` window papers in all."""
    gains = [1.0 if r else 0.0 for r in relevant]
    return {
        "nDCG@10": ndcg_at_k(gains, 10, ideal_gains=[1.0] * n_relevant),
        "Recall@50": recall_at_k(relevant, 50, n_relevant),
        "MRR": reciprocal_rank(relevant),
    }


def negative_pool(rows: Sequence[Row], t: str, n: int, seed: int) -> list[str]:
    """Ids of ``n`` random papers listed before ``t``, the logistic regression's negatives:
    the first ``n`` such papers of one seeded shuffle of the whole corpus, so every window
    of a sweep draws mostly the same papers (and embeds them once)."""
    before = {r.id for r in rows if r.date < t}
    order = sorted({r.id for r in rows})
    random.Random(f"negatives:{seed}").shuffle(order)
    return [i for i in order if i in before][:n]


def run_authors(
    bench: AuthorBenchmark,
    embed: Embed,
    tfidf_texts: Sequence[str],
    negatives: Sequence[str],
    *,
    params: RankParams = DEFAULT_PARAMS,
    variants: Mapping[str, RankParams] | None = None,
    methods: Collection[str] = tuple(METHODS),
    feedback_rounds: int = 0,
    progress: bool = False,
) -> tuple[Results, dict[str, list[dict[str, float]]]]:
    """Every method of ``methods`` (of :data:`METHODS`; paperfeed with ``params``) and
    every paperfeed variant of ``variants`` (name → settings) on every user: (mean
    metrics, per-user metrics), methods in that order.

    ``tfidf_texts``: the corpus the arxiv-sanity-lite tf-idf is fit on; ``negatives``: ids of
    random corpus papers for the logistic regression.

    With ``feedback_rounds`` R > 0, each user is then shown the top
    :data:`~paperfeed.evaluation.feedback.SHOWN_PER_ROUND` papers they have not seen yet,
    rates their own papers up and the rest down, and the method re-ranks; see
    :func:`~paperfeed.evaluation.feedback.simulate_feedback` for the figures this adds. A
    figure a user cannot have (nothing left to find) is NaN in ``per_user`` and left out
    of that figure's mean.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r}; known: {', '.join(METHODS)}")
    rankers = {PAPERFEED: params} if PAPERFEED in methods else {}
    rankers.update(variants or {})
    names = [*methods, *(v for v in variants or {} if v not in methods)]
    library = dict.fromkeys(pid for u in bench.users for pid in u.profile)
    prep = prepare(
        bench.papers, bench.candidates, library, embed, tfidf_texts, negatives, rankers, names
    )
    cand = prep.cand
    per_user: dict[str, list[dict[str, float]]] = {m: [] for m in names}
    bar = tqdm(bench.users, desc="ranking", unit="user", disable=not progress, file=sys.stderr)
    for user in bar:
        first = orders(prep, user.profile, (), (), names)
        row: dict[str, dict[str, float]] = {}
        for m in names:
            rel = [cand[i].id in user.relevant for i in first[m]]
            row[m] = user_metrics(rel, len(user.relevant))
        if feedback_rounds:
            simulate_feedback(prep, user, first, feedback_rounds, row, names)
        for m in names:
            per_user[m].append(row[m])
    bar.close()
    keys = list(per_user[names[0]][0]) if bench.users and names else list(METRICS)
    results = {
        m: {k: _mean_known(u[k] for u in rows) for k in keys} for m, rows in per_user.items()
    }
    return results, per_user


def _mean_known(values: Iterable[float]) -> float:
    """Mean of the values that are not NaN (0.0 if there are none)."""
    known = [v for v in values if not math.isnan(v)]
    return mean(known) if known else 0.0


@dataclass(frozen=True, slots=True)
class WindowReport:
    """One window's benchmark and results."""

    bench: AuthorBenchmark
    results: Results
    per_user: dict[str, list[dict[str, float]]]

    def describe(self) -> str:
        b = self.bench
        voted = sum(1 for i in b.candidates if "upvotes" in b.papers[i].extra)
        return (
            f"author-history benchmark: T={b.t}, {b.days} days, {len(b.users)} users "
            f"(of {b.n_eligible} eligible), {len(b.candidates)} candidates "
            f"({voted} with upvotes), {sum(len(u.relevant) for u in b.users)} relevant"
        )


def evaluate_window(
    rows: Sequence[Row],
    embed: Embed,
    t: str,
    days: int,
    *,
    users: int = 300,
    seed: int = 1,
    params: RankParams = DEFAULT_PARAMS,
    variants: Mapping[str, RankParams] | None = None,
    methods: Collection[str] = tuple(METHODS),
    feedback_rounds: int = 0,
    progress: bool = False,
    popularity_weight: float | None = None,
) -> WindowReport:
    """Build the window's benchmark and run ``methods`` and paperfeed's ``variants`` on it
    (see :func:`run_authors`). The arxiv-sanity-lite tf-idf is fit on the corpus as it
    stood at the end of the window (every paper listed before then), as its ``compute.py``
    fits on the whole database. ``popularity_weight`` (when given) replaces that of
    ``params``."""
    if popularity_weight is not None:
        params = replace(params, popularity_weight=popularity_weight)
    bench = build_benchmark(rows, t, days, users=users, seed=seed)
    if not bench.users:
        raise ValueError(f"no eligible authors for T={t} and {days} days in this corpus")
    end = window_end(t, days)
    fit_texts = [sanity_text(bench.papers[r.id]) for r in rows if r.date < end]
    negatives = negative_pool(rows, t, N_NEGATIVES, seed)
    results, per_user = run_authors(
        bench,
        embed,
        fit_texts,
        negatives,
        params=params,
        variants=variants,
        methods=methods,
        feedback_rounds=feedback_rounds,
        progress=progress,
    )
    return WindowReport(bench, results, per_user)
