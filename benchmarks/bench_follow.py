"""Followed authors: is a new paper carrying a followed name given to the right person?

    .venv/bin/python benchmarks/bench_follow.py --home out/bench-home \\
        --corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz

Real people made homonyms (the usual test of name disambiguation, which has no labelled
people here): authors of the corpus whose name is unlikely to be shared (three words or more
once normalized, e.g. "Joao F. Henriques"), with 3–40 papers listed before ``--t`` and one or
more from it on, are put in groups of ``--size`` who share their main arXiv category and never
wrote together, and each group's members are renamed to one name. Following each member in
turn as ``paperfeed follow NAME --paper ID`` does (``paperfeed author``'s people over the
group's papers before T, the person of their newest paper), every group paper listed from T
on is attributed to the followed person or not, by :func:`paperfeed.authors.attribute`; the
truth is who wrote it. "oracle" follows the member's true papers instead (the clustering
taken out). Groups are split in halves (seeded): ``dev`` chooses the parameters, ``test``
reports them. Embeddings come from the home's cache (filled on first use).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from paperfeed.authors import (
    DEFAULT_FOLLOW_PARAMS,
    FollowParams,
    Person,
    attribute,
    coauthors_of,
    disambiguate,
    follow_evidence,
)
from paperfeed.models import FollowedAuthor, Paper
from paperfeed.names import name_key
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings

NAME = "Pat Homonym"
KEY = name_key(NAME)
GRID = {
    "topic_threshold": tuple(round(0.25 + 0.025 * i, 3) for i in range(19)),
    "topic_k": (1, 3, 100),
    "contrast_margin": (None, 0.0, 0.05),
    "min_shared_coauthors": (1, 2, 99),
}
"""``contrast_margin`` None: the name's other people are not consulted; ``topic_k`` 100:
the mean over all their papers; ``min_shared_coauthors`` 99: coauthors not used."""


@dataclass(frozen=True)
class Case:
    """One follow: the stored evidence, its vectors, and the group's new papers to judge."""

    group: int
    member: str
    evidence: FollowedAuthor
    mine: np.ndarray
    others: np.ndarray
    new: list[tuple[Paper, np.ndarray, bool]]


def load(corpus: Path, t: str) -> dict[str, list[Paper]]:
    """Papers per eligible author key (three words or more, 3–40 papers before ``t``, one or
    more from ``t`` on)."""
    by_key: dict[str, list[Paper]] = defaultdict(list)
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            paper = Paper(
                id=str(d["id"]),
                title=d.get("title") or "",
                abstract=d.get("abstract") or "",
                authors=tuple(a for a in d.get("authors") or () if a and a.strip()),
                categories=tuple(d.get("categories") or ()),
                date=(d.get("listing_date") or "")[:10] or None,
            )
            if not paper.date:
                continue
            for a in paper.authors:
                key = name_key(a)
                if len(key.split()) >= 3:
                    by_key[key].append(paper)
    eligible = {}
    for key, papers in by_key.items():
        before = sum(1 for p in papers if p.date and p.date < t)
        if 3 <= before <= 40 and before < len(papers):
            eligible[key] = papers
    return eligible


def groups(people: dict[str, list[Paper]], size: int, rng: random.Random) -> list[list[str]]:
    """Members of each homonym group: same main category, no paper in common."""
    by_cat: dict[str, list[str]] = defaultdict(list)
    for key, papers in sorted(people.items()):
        cats = Counter(p.categories[0] for p in papers if p.categories)
        if cats:
            by_cat[cats.most_common(1)[0][0]].append(key)
    out = []
    for cat in sorted(by_cat):
        keys = by_cat[cat]
        rng.shuffle(keys)
        while len(keys) >= size:
            group = [keys.pop()]
            for k in list(keys):
                ids = {p.id for m in group for p in people[m]}
                if not ids & {p.id for p in people[k]}:
                    group.append(k)
                    keys.remove(k)
                if len(group) == size:
                    break
            if len(group) == size:
                out.append(group)
    rng.shuffle(out)
    return out


def renamed(paper: Paper, key: str) -> Paper:
    return paper.with_(authors=tuple(NAME if name_key(a) == key else a for a in paper.authors))


def build_cases(
    pf: Paperfeed, people: dict[str, list[Paper]], members: list[list[str]], t: str, oracle: bool
) -> list[Case]:
    """Every follow of every group (vectors from the model, through the home's cache)."""
    group_papers = [
        {p.id: (renamed(p, k), k) for k in group for p in people[k]} for group in members
    ]
    every = [p for g in group_papers for p, _ in g.values()]
    vecs = pf.vectors(every)
    vec_of = {p.id: v for p, v in zip(every, vecs, strict=True)}
    cases = []
    for gi, (group, papers) in enumerate(zip(members, group_papers, strict=True)):
        before = sorted(
            (p for p, _ in papers.values() if p.date and p.date < t),
            key=lambda p: (p.date or "", p.id),
            reverse=True,
        )
        after = [(p, k) for p, k in papers.values() if p.date and p.date >= t]
        found = disambiguate(before, NAME, vectors=np.stack([vec_of[p.id] for p in before]))
        for member in group:
            own = [p for p in before if papers[p.id][1] == member]
            ev = _oracle(own, before) if oracle else _picked(found, own[0])
            mine = np.stack([vec_of[i] for i in ev.paper_ids])
            rest = [vec_of[i] for i in ev.other_ids]
            others = np.stack(rest) if rest else np.zeros((0, mine.shape[1]), np.float32)
            new = [(p, vec_of[p.id], k == member) for p, k in after]
            cases.append(Case(gi, member, ev, mine, others, new))
    return cases


def _picked(people: Sequence[Person], paper: Paper) -> FollowedAuthor:
    person = next(q for q in people if any(p.id == paper.id for p in q.papers))
    return follow_evidence(person, people, NAME)


def _oracle(own: list[Paper], before: list[Paper]) -> FollowedAuthor:
    ids = {p.id for p in own}
    return FollowedAuthor(
        name=NAME,
        key=KEY,
        paper_ids=tuple(ids),
        coauthors=tuple(sorted({k for p in own for k in coauthors_of(p, NAME)})),
        other_ids=tuple(p.id for p in before if p.id not in ids),
    )


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> str:
        return (
            f"{self.precision:.3f} | {self.recall:.3f} | {self.f1:.3f} | "
            f"{self.tp + self.fn} | {self.tp + self.fp}"
        )


def evaluate(
    cases: Iterable[Case], params: FollowParams | None, *, use_others: bool = True
) -> tuple[Counts, Counts, Counts]:
    """Counts over every (follow, new paper): all, then papers sharing a coauthor with the
    followed person's stored papers, then the others. ``params`` None: the name alone."""
    every, linked, unlinked = Counts(), Counts(), Counts()
    for c in cases:
        for paper, vec, truth in c.new:
            if params is None:
                said = True
            else:
                said = attribute(
                    paper, vec, c.evidence, c.mine, c.others if use_others else None, params=params
                ).theirs
            shares = bool(coauthors_of(paper, NAME) & set(c.evidence.coauthors))
            for counts in (every, linked if shares else unlinked):
                if said and truth:
                    counts.tp += 1
                elif said:
                    counts.fp += 1
                elif truth:
                    counts.fn += 1
                else:
                    counts.tn += 1
    return every, linked, unlinked


def grid(cases: list[Case]) -> list[tuple[float, FollowParams, bool]]:
    """(F1, parameters, others consulted) of every grid point, best first."""
    out = []
    for thr, k, margin, shared in itertools.product(*GRID.values()):
        params = FollowParams(
            min_shared_coauthors=shared,
            topic_threshold=thr,
            topic_k=k,
            contrast_margin=margin or 0.0,
        )
        every, _, _ = evaluate(cases, params, use_others=margin is not None)
        out.append((every.f1, params, margin is not None))
    out.sort(key=lambda x: -x[0])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--t", default="2026-01-01", help="first day of the 'new' papers")
    ap.add_argument("--groups", type=int, default=120, help="homonym groups (half dev)")
    ap.add_argument("--size", type=int, default=3, help="people per group")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    people = load(args.corpus, args.t)
    members = groups(people, args.size, rng)[: args.groups]
    half = len(members) // 2
    print(
        f"{len(people)} eligible people; {len(members)} groups of {args.size} "
        f"(dev {half}, test {len(members) - half}); T = {args.t}"
    )
    with Paperfeed.open(Settings.load(args.home)) as pf:
        cases = {o: build_cases(pf, people, members, args.t, o) for o in (False, True)}
    pairs = sum(len(c.new) for c in cases[False])
    print(f"{len(cases[False])} follows, {pairs} (follow, new paper) pairs\n")
    dev = {o: [c for c in cs if c.group < half] for o, cs in cases.items()}
    test = {o: [c for c in cs if c.group >= half] for o, cs in cases.items()}
    ranked = grid(dev[False])
    best_f1, best, use_others = ranked[0]
    print(f"best on dev (F1 {best_f1:.3f}): {best}, others consulted: {use_others}")
    print("next best on dev:")
    for f1, params, others in ranked[1:6]:
        print(f"  F1 {f1:.3f}: {params}, others consulted: {others}")
    print(f"the default: {DEFAULT_FOLLOW_PARAMS}\n")
    rows: list[tuple[str, FollowParams | None, bool]] = [
        ("the name alone (no disambiguation)", None, True),
        ("coauthors only", replace(DEFAULT_FOLLOW_PARAMS, topic_threshold=2.0), True),
        ("topic only", replace(DEFAULT_FOLLOW_PARAMS, min_shared_coauthors=99), True),
        ("coauthors or topic, others not consulted", DEFAULT_FOLLOW_PARAMS, False),
        (
            "**the default** (coauthors, or topic closer than the others')",
            DEFAULT_FOLLOW_PARAMS,
            True,
        ),
    ]
    print("| rule | follow | split | precision | recall | F1 | theirs | attributed |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for label, params, others in rows:
        for oracle in (False, True):
            for split, cs in (("dev", dev[oracle]), ("test", test[oracle])):
                every, _, _ = evaluate(cs, params, use_others=others)
                how = "oracle" if oracle else "picked"
                print(f"| {label} | {how} | {split} | {every.row()} |")
    print("\nThe default on test, by whether the new paper shares a coauthor with them:\n")
    print("| follow | papers | precision | recall | F1 | theirs | attributed |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for oracle in (False, True):
        _, linked, unlinked = evaluate(test[oracle], DEFAULT_FOLLOW_PARAMS)
        how = "oracle" if oracle else "picked"
        print(f"| {how} | shares a coauthor | {linked.row()} |")
        print(f"| {how} | shares none | {unlinked.row()} |")
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
