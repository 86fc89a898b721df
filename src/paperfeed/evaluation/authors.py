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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from paperfeed.evaluation import baselines
from paperfeed.evaluation.harness import PAPERFEED, Results, paperfeed_order
from paperfeed.evaluation.metrics import mean, ndcg_at_k, recall_at_k, reciprocal_rank
from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, CandidatePool, RankParams, prepare_candidates

METRICS: tuple[str, ...] = ("nDCG@10", "Recall@50", "MRR")
METHODS: dict[str, str] = {
    PAPERFEED: "paperfeed's ranker (paperfeed.rank.rank, default RankParams)",
    "arxiv-sanity-lite": "tf-idf (1-2-grams, 20k, sublinear) + LinearSVC(C=0.01, balanced)",
    "zotero-arxiv-daily": "MiniLM cosine to each profile paper, 1/(1+log10(r+1)) weights",
    "scholar-inbox": "logistic regression on MiniLM embeddings vs random corpus papers",
    "bm25": "BM25, the whole profile as one query",
    "minilm-maxsim": "best MiniLM cosine to any profile paper",
    "rrf(bm25,svm,maxsim)": "reciprocal rank fusion (k=60) of bm25, arxiv-sanity-lite, maxsim",
}
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
    """Ids of ``n`` random papers listed before ``t`` (seeded), the logistic regression's
    negatives."""
    ids = [r.id for r in rows if r.date < t]
    return random.Random(f"negatives:{seed}").sample(ids, min(n, len(ids)))


@dataclass
class _Prepared:
    """Everything the methods share for one window: candidates, vectors, fitted features."""

    bench: AuthorBenchmark
    cand: list[Paper]
    cvecs: np.ndarray
    vec: dict[str, np.ndarray]
    """Vector of every profile paper, candidate and random negative, by id."""
    neg_ids: list[str]
    pool: CandidatePool
    positions: dict[str, int]
    x_cand: Any
    tfidf: Any
    tokens: dict[str, list[str]]
    bm25: baselines.BM25Docs  # the candidates, for the BM25 baseline
    params: RankParams


def _prepare(
    bench: AuthorBenchmark,
    embed: Embed,
    tfidf_texts: Sequence[str],
    negatives: Sequence[str],
    params: RankParams,
) -> _Prepared:
    papers = bench.papers
    cand = [papers[i] for i in bench.candidates]
    prof_ids = list(dict.fromkeys(pid for u in bench.users for pid in u.profile))
    neg_ids = list(negatives)
    ids = list(dict.fromkeys([*bench.candidates, *prof_ids, *neg_ids]))
    vecs = embed([papers[i] for i in ids])
    vec = dict(zip(ids, vecs, strict=True))
    cvecs = np.stack([vec[p.id] for p in cand])
    vectorizer = baselines.arxiv_sanity_vectorizer()
    vectorizer.fit(tfidf_texts)
    stop = baselines.english_stop_words()
    return _Prepared(
        bench=bench,
        cand=cand,
        cvecs=cvecs,
        vec=vec,
        neg_ids=neg_ids,
        pool=prepare_candidates(cand, cvecs, params),
        positions={p.id: i for i, p in enumerate(cand)},
        x_cand=vectorizer.transform([sanity_text(p) for p in cand]),
        tfidf=vectorizer,
        tokens={pid: baselines.bm25_tokenize(papers[pid].text, stop) for pid in prof_ids},
        bm25=baselines.bm25_docs([baselines.bm25_tokenize(p.text, stop) for p in cand]),
        params=params,
    )


def _orders(
    prep: _Prepared,
    profile_ids: Sequence[str],
    ups: Sequence[str],
    downs: Sequence[str],
    methods: Collection[str] = METHODS,
) -> dict[str, list[int]]:
    """The candidate order of each of ``methods`` for a user whose library is
    ``profile_ids`` (oldest first) and who has rated ``ups`` (appended to the library, as
    each anchor does with a paper one keeps) and ``downs`` (used by the methods that learn
    from negatives: paperfeed and Scholar Inbox's classifier; the others have no notion of
    a downvote)."""
    papers = prep.bench.papers
    lib = [*profile_ids, *ups]
    pv = np.stack([prep.vec[i] for i in lib])
    dv = np.stack([prep.vec[i] for i in downs]) if downs else None
    cache: dict[str, np.ndarray] = {}

    def svm() -> np.ndarray:
        if "svm" not in cache:
            x_lib = prep.tfidf.transform([sanity_text(papers[i]) for i in lib])
            cache["svm"] = baselines.svm_scores(x_lib, prep.x_cand)
        return cache["svm"]

    def bm25() -> np.ndarray:
        if "bm25" not in cache:
            query = [t for i in lib for t in _tokens(prep, i)]
            cache["bm25"] = prep.bm25.scores([query])[:, 0]
        return cache["bm25"]

    def maxsim() -> np.ndarray:
        return baselines.max_sim_scores(pv, prep.cvecs)

    def logreg() -> np.ndarray:
        own = set(lib)
        rand = np.stack([prep.vec[i] for i in prep.neg_ids if i not in own])
        negs = rand if dv is None else np.vstack([dv, rand])
        return baselines.logreg_scores(pv, negs, prep.cvecs)

    scorers: dict[str, Callable[[], np.ndarray]] = {
        "arxiv-sanity-lite": svm,
        "zotero-arxiv-daily": lambda: baselines.zotero_scores(pv[::-1], prep.cvecs),
        "scholar-inbox": logreg,
        "bm25": bm25,
        "minilm-maxsim": maxsim,
        "rrf(bm25,svm,maxsim)": lambda: baselines.rrf_scores([bm25(), svm(), maxsim()]),
    }
    orders: dict[str, list[int]] = {}
    for m in methods:
        if m == PAPERFEED:
            orders[m] = paperfeed_order(
                [papers[i] for i in lib],
                pv,
                prep.pool,
                prep.positions,
                prep.params,
                negatives=[papers[i] for i in downs],
                negative_vecs=dv,
            )
        else:
            orders[m] = baselines.order_by(scorers[m]())
    return orders


def _tokens(prep: _Prepared, pid: str) -> list[str]:
    if pid not in prep.tokens:
        text = prep.bench.papers[pid].text
        prep.tokens[pid] = baselines.bm25_tokenize(text, baselines.english_stop_words())
    return prep.tokens[pid]


SHOWN_PER_ROUND = 10
"""Papers a simulated user looks at and rates in one feedback round."""


def run_authors(
    bench: AuthorBenchmark,
    embed: Embed,
    tfidf_texts: Sequence[str],
    negatives: Sequence[str],
    *,
    params: RankParams = DEFAULT_PARAMS,
    feedback_rounds: int = 0,
    progress: bool = False,
) -> tuple[Results, dict[str, list[dict[str, float]]]]:
    """Every method of :data:`METHODS` on every user: (mean metrics, per-user metrics).

    ``tfidf_texts``: the corpus the arxiv-sanity-lite tf-idf is fit on; ``negatives``: ids of
    random corpus papers for the logistic regression.

    With ``feedback_rounds`` R > 0, each user is then shown the top
    :data:`SHOWN_PER_ROUND` papers they have not seen yet, rates their own papers up and
    the rest down, and the method re-ranks; see :func:`_simulate_feedback` for the figures
    this adds. A figure a user cannot have (nothing left to find) is NaN in ``per_user``
    and left out of that figure's mean.
    """
    prep = _prepare(bench, embed, tfidf_texts, negatives, params)
    cand = prep.cand
    per_user: dict[str, list[dict[str, float]]] = {m: [] for m in METHODS}
    bar = tqdm(bench.users, desc="ranking", unit="user", disable=not progress, file=sys.stderr)
    for user in bar:
        first = _orders(prep, user.profile, (), ())
        row: dict[str, dict[str, float]] = {}
        for m in METHODS:
            rel = [cand[i].id in user.relevant for i in first[m]]
            row[m] = user_metrics(rel, len(user.relevant))
        if feedback_rounds:
            _simulate_feedback(prep, user, first, feedback_rounds, row)
        for m in METHODS:
            per_user[m].append(row[m])
    bar.close()
    keys = list(per_user[PAPERFEED][0]) if bench.users else list(METRICS)
    results = {
        m: {k: _mean_known(u[k] for u in rows) for k in keys} for m, rows in per_user.items()
    }
    return results, per_user


def _mean_known(values: Iterable[float]) -> float:
    """Mean of the values that are not NaN (0.0 if there are none)."""
    known = [v for v in values if not math.isnan(v)]
    return mean(known) if known else 0.0


def _residual(
    order: Sequence[int], cand: Sequence[Paper], seen: set[int], user: User
) -> tuple[float, float]:
    """(nDCG@10 of ``order`` over the papers not in ``seen`` against the relevant papers
    not in ``seen``; Recall of the user's papers once the top 10 of that residual ranking
    is shown too). nDCG is NaN when nothing relevant is left."""
    left = [i for i in order if i not in seen]
    rel = [cand[i].id in user.relevant for i in left]
    n_left = sum(rel)
    found = len(user.relevant) - n_left + sum(rel[:SHOWN_PER_ROUND])
    recall = found / len(user.relevant)
    if not n_left:
        return math.nan, recall
    return user_metrics(rel, n_left)["nDCG@10"], recall


def _simulate_feedback(
    prep: _Prepared,
    user: User,
    first: dict[str, list[int]],
    rounds: int,
    row: dict[str, dict[str, float]],
    methods: Collection[str] = METHODS,
) -> None:
    """Interactive sessions of ``rounds`` rounds, added to ``row`` for each method.

    Round r shows the user the top :data:`SHOWN_PER_ROUND` papers they have not seen of
    the method's current ranking, rates them (their own papers up, the rest down) and
    re-ranks with every rating so far. Figures after round r, on the *residual* feed (the
    papers not shown in rounds 1..r):

    - ``nDCG@10_round{r}``: the re-ranked residual feed, against the relevant papers left;
    - ``nDCG@10_noFB{r}``: the same residual feed ranked without any rating (the
      method's first ranking with the shown papers taken out), so the two differ only in
      the feedback; users with nothing left are out of both;
    - ``Recall_round{r}`` / ``Recall_noFB{r}``: share of the user's papers among everything
      shown in the r + 1 screens of the session (the screen after round r included), with
      feedback and when the user just reads on down the first ranking.
    """
    cand = prep.cand
    for m in methods:
        order, seen = first[m], set[int]()
        ups: list[str] = []
        downs: list[str] = []
        for r in range(1, rounds + 1):
            for i in [i for i in order if i not in seen][:SHOWN_PER_ROUND]:
                seen.add(i)
                (ups if cand[i].id in user.relevant else downs).append(cand[i].id)
            order = _orders(prep, user.profile, ups, downs, (m,))[m]
            row[m][f"nDCG@10_round{r}"], row[m][f"Recall_round{r}"] = _residual(
                order, cand, seen, user
            )
            row[m][f"nDCG@10_noFB{r}"] = _residual(first[m], cand, seen, user)[0]
            shown = first[m][: SHOWN_PER_ROUND * (r + 1)]
            row[m][f"Recall_noFB{r}"] = sum(cand[i].id in user.relevant for i in shown) / len(
                user.relevant
            )


FEEDBACK_TABLES: dict[str, str] = {
    "nDCG@10": "nDCG@10 over the papers not yet shown, with and without the ratings",
    "Recall": "share of the user's papers shown in the session's first r + 1 screens",
}


def feedback_columns(rounds: int, metric: str) -> list[str]:
    """The columns of one feedback table (``metric``: a key of :data:`FEEDBACK_TABLES`)."""
    return [f"{metric}_{kind}{r}" for r in range(1, rounds + 1) for kind in ("noFB", "round")]


def sanity_text(p: Paper) -> str:
    """arxiv-sanity-lite's document: title and abstract joined by a space (its author
    names are left out here, as for every ranker)."""
    return " ".join([p.title, p.abstract])


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
    feedback_rounds: int = 0,
    progress: bool = False,
    popularity_weight: float | None = None,
) -> WindowReport:
    """Build the window's benchmark and run every method on it. The arxiv-sanity-lite tf-idf
    is fit on the corpus as it stood at the end of the window (every paper listed before
    then), as its ``compute.py`` fits on the whole database. ``popularity_weight`` (when
    given) replaces that of ``params``."""
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
        feedback_rounds=feedback_rounds,
        progress=progress,
    )
    return WindowReport(bench, results, per_user)
