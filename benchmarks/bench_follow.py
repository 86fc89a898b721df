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

Then the most frequent real names (no truth there): following each of their people, how
much of the name's new papers reaches the follower.
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
    coauthor_components,
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


EVIDENCE = {
    "cluster": "the person `paperfeed author` finds (the default)",
    "circle": "topic from the person, coauthors only from the picked paper's coauthor circle",
    "circle only": "the picked paper's coauthor circle alone",
    "oracle": "the member's true papers",
}


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


def common_names(corpus: Path, n: int) -> dict[str, list[Paper]]:
    """The papers of the corpus's ``n`` most frequent author names (no truth: real
    homonyms)."""
    by_key: dict[str, list[Paper]] = defaultdict(list)
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            authors = tuple(a for a in d.get("authors") or () if a and a.strip())
            paper = Paper(
                id=str(d["id"]),
                title=d.get("title") or "",
                abstract=d.get("abstract") or "",
                authors=authors,
                date=(d.get("listing_date") or "")[:10] or None,
            )
            for key in {name_key(a) for a in authors}:
                by_key[key].append(paper)
    top = sorted(by_key, key=lambda k: (-len(by_key[k]), k))[:n]
    return {k: by_key[k] for k in top}


def flood(pf: Paperfeed, names: dict[str, list[Paper]], t: str) -> None:
    """Following each person (3+ papers before T) of the most common real names: how many
    people the name splits into, and the share of the name's papers from T on that reach
    the follower (the name alone: all of them)."""
    print(
        "| name | papers before T | people | followed (3+ papers) | new papers | "
        "given to a followed person, mean | max |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    shares_all = []
    for key, papers in names.items():
        before = [p for p in papers if p.date and p.date < t]
        after = [p for p in papers if p.date and p.date >= t]
        if not before or not after:
            continue
        name = next(a for a in papers[0].authors if name_key(a) == key)
        bvecs, avecs = pf.vectors(before), pf.vectors(after)
        vec_of = dict(zip([p.id for p in before], bvecs, strict=True))
        people = disambiguate(before, name, vectors=bvecs)
        shares = []
        for person in people:
            if len(person.papers) < 3:
                continue
            ev = follow_evidence(person, people, name)
            mine = np.stack([vec_of[i] for i in ev.paper_ids])
            others = [vec_of[i] for i in ev.other_ids]
            ovecs = np.stack(others) if others else None
            said = sum(
                attribute(p, v, ev, mine, ovecs).theirs for p, v in zip(after, avecs, strict=True)
            )
            shares.append(said / len(after))
        shares_all += shares
        mean = f"{100 * np.mean(shares):.1f}%" if shares else "–"
        most = f"{100 * max(shares):.1f}%" if shares else "–"
        print(
            f"| {name} | {len(before)} | {len(people)} | {len(shares)} | {len(after)} | "
            f"{mean} | {most} |"
        )
    print(
        f"\nover {len(shares_all)} follows: {100 * np.mean(shares_all):.1f}% of the name's new "
        "papers on average"
    )


def renamed(paper: Paper, key: str) -> Paper:
    return paper.with_(authors=tuple(NAME if name_key(a) == key else a for a in paper.authors))


def build_cases(
    pf: Paperfeed, people: dict[str, list[Paper]], members: list[list[str]], t: str
) -> dict[str, list[Case]]:
    """Every follow of every group, for each kind of :data:`EVIDENCE` (vectors from the model,
    through the home's cache)."""
    group_papers = [
        {p.id: (renamed(p, k), k) for k in group for p in people[k]} for group in members
    ]
    every = [p for g in group_papers for p, _ in g.values()]
    vecs = pf.vectors(every)
    vec_of = {p.id: v for p, v in zip(every, vecs, strict=True)}
    cases: dict[str, list[Case]] = {kind: [] for kind in EVIDENCE}
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
            new = [(p, vec_of[p.id], k == member) for p, k in after]
            for kind in EVIDENCE:
                ev = _evidence(kind, found, own, before)
                mine = np.stack([vec_of[i] for i in ev.paper_ids])
                rest = [vec_of[i] for i in ev.other_ids]
                others = np.stack(rest) if rest else np.zeros((0, mine.shape[1]), np.float32)
                cases[kind].append(Case(gi, member, ev, mine, others, new))
    return cases


def _evidence(
    kind: str, people: Sequence[Person], own: list[Paper], before: list[Paper]
) -> FollowedAuthor:
    """What a follow keeps, by ``kind`` (:data:`EVIDENCE`); the member picks their newest
    paper before T."""
    if kind == "oracle":
        return _kept(own, own, before)
    if kind == "cluster":
        person = next(q for q in people if any(p.id == own[0].id for p in q.papers))
        return follow_evidence(person, people, NAME)
    person = next(q for q in people if any(p.id == own[0].id for p in q.papers))
    members = list(person.papers)
    circle = next(
        [members[i] for i in c]
        for c in coauthor_components(members, NAME)
        if any(members[i].id == own[0].id for i in c)
    )
    return _kept(members if kind == "circle" else circle, circle, before)


def _kept(topic: list[Paper], circle: list[Paper], before: list[Paper]) -> FollowedAuthor:
    ids = {p.id for p in topic}
    return FollowedAuthor(
        name=NAME,
        key=KEY,
        paper_ids=tuple(ids),
        coauthors=tuple(sorted({k for p in circle for k in coauthors_of(p, NAME)})),
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


@dataclass(frozen=True)
class Features:
    """Per (follow, new paper), what :func:`attribute` decides from, as arrays: coauthors
    shared, the mean of the k best cosines to their papers and to the others' (-1: none)
    for each k of the grid, the truth, and the follow's group."""

    shared: np.ndarray
    mine: dict[int, np.ndarray]
    others: dict[int, np.ndarray]
    truth: np.ndarray
    group: np.ndarray


def features(cases: Sequence[Case]) -> Features:
    shared, truth, group = [], [], []
    mine: dict[int, list[float]] = {k: [] for k in GRID["topic_k"]}
    others: dict[int, list[float]] = {k: [] for k in GRID["topic_k"]}
    for c in cases:
        new = np.stack([v for _, v, _ in c.new])
        m = _sorted_sims(new, c.mine)
        o = _sorted_sims(new, c.others)
        for k in GRID["topic_k"]:
            mine[k].extend(m[:, :k].mean(axis=1) if m.shape[1] else [-1.0] * len(new))
            others[k].extend(o[:, :k].mean(axis=1) if o.shape[1] else [-1.0] * len(new))
        co = set(c.evidence.coauthors)
        for paper, _, theirs in c.new:
            shared.append(len(coauthors_of(paper, NAME) & co))
            truth.append(theirs)
            group.append(c.group)
    return Features(
        np.array(shared),
        {k: np.array(v) for k, v in mine.items()},
        {k: np.array(v) for k, v in others.items()},
        np.array(truth),
        np.array(group),
    )


def _sorted_sims(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosines of each row of ``a`` to the rows of ``b``, best first."""
    if len(b) == 0:
        return np.zeros((len(a), 0))
    an = a / np.linalg.norm(a, axis=1, keepdims=True)
    bn = b / np.linalg.norm(b, axis=1, keepdims=True)
    return -np.sort(-(an @ bn.T), axis=1)


def decide(f: Features, params: FollowParams, use_others: bool) -> np.ndarray:
    """:func:`attribute`'s rule over the features (the benchmark checks they agree)."""
    by_coauthors = (f.shared > 0) & (f.shared >= params.min_shared_coauthors)
    mine, others = f.mine[params.topic_k], f.others[params.topic_k]
    close = mine >= params.topic_threshold
    if use_others:
        close &= (others == -1.0) | (mine >= others + params.contrast_margin)
    return by_coauthors | close


def f1(said: np.ndarray, truth: np.ndarray) -> float:
    tp = int((said & truth).sum())
    return 2 * tp / (int(said.sum()) + int(truth.sum())) if tp else 0.0


def grid(f: Features) -> list[tuple[float, FollowParams, bool]]:
    """(F1, parameters, others consulted) of every grid point, best first."""
    out = []
    for thr, k, margin, shared in itertools.product(*GRID.values()):
        params = FollowParams(
            min_shared_coauthors=shared,
            topic_threshold=thr,
            topic_k=k,
            contrast_margin=margin or 0.0,
        )
        out.append((f1(decide(f, params, margin is not None), f.truth), params, margin is not None))
    out.sort(key=lambda x: -x[0])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--t", default="2026-01-01", help="first day of the 'new' papers")
    ap.add_argument("--groups", type=int, default=200, help="homonym groups (half dev)")
    ap.add_argument("--size", type=int, default=3, help="people per group")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--common", type=int, default=10, help="most frequent real names to follow")
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
        cases = build_cases(pf, people, members, args.t)
        if args.common:
            print(f"Real common names (the {args.common} most frequent), no truth:\n")
            flood(pf, common_names(args.corpus, args.common), args.t)
            print()
    pairs = sum(len(c.new) for c in cases["cluster"])
    print(f"{len(cases['cluster'])} follows, {pairs} (follow, new paper) pairs\n")
    dev = {kind: [c for c in cs if c.group < half] for kind, cs in cases.items()}
    test = {kind: [c for c in cs if c.group >= half] for kind, cs in cases.items()}
    print("Best on dev, per kind of evidence:\n")
    chosen = {}
    for kind in EVIDENCE:
        ranked = grid(features(dev[kind]))
        chosen[kind] = ranked[0]
        best_f1, best, others = ranked[0]
        print(f"- {kind} (F1 {best_f1:.3f}): {best}, others consulted: {others}")
        for f1_, params, o in ranked[1:4]:
            print(f"  - then F1 {f1_:.3f}: {params}, others consulted: {o}")
    print(f"\nthe default: {DEFAULT_FOLLOW_PARAMS}\n")
    table(dev, test)
    print("\nThe default's topic threshold moved (evidence: cluster, test):\n")
    print("| topic_threshold | precision | recall | F1 |\n|---:|---:|---:|---:|")
    for thr in (0.45, 0.5, 0.55, 0.6, 0.625, 0.65, 0.7, 0.8, 2.0):
        every, _, _ = evaluate(test["cluster"], replace(DEFAULT_FOLLOW_PARAMS, topic_threshold=thr))
        print(f"| {thr} | {every.precision:.3f} | {every.recall:.3f} | {every.f1:.3f} |")
    print(f"\n{time.perf_counter() - start:.0f} s")


def table(dev: dict[str, list[Case]], test: dict[str, list[Case]]) -> None:
    """The rules' figures, by :func:`attribute` itself, on dev and test."""
    rows: list[tuple[str, FollowParams | None, bool]] = [
        ("the name alone (no disambiguation)", None, True),
        ("coauthors only", replace(DEFAULT_FOLLOW_PARAMS, topic_threshold=2.0), True),
        ("topic only", replace(DEFAULT_FOLLOW_PARAMS, min_shared_coauthors=99), True),
        ("coauthors or topic, others not consulted", DEFAULT_FOLLOW_PARAMS, False),
        ("**the default**", DEFAULT_FOLLOW_PARAMS, True),
    ]
    print("| rule | evidence | split | precision | recall | F1 | theirs | attributed |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for label, params, others in rows:
        for kind in EVIDENCE:
            for split, cs in (("dev", dev[kind]), ("test", test[kind])):
                every, _, _ = evaluate(cs, params, use_others=others)
                print(f"| {label} | {kind} | {split} | {every.row()} |")
                if params is not None:  # the grid's rule agrees with attribute()
                    f = features(cs)
                    assert abs(f1(decide(f, params, others), f.truth) - every.f1) < 1e-9
    print("\nThe default on test, by whether the new paper shares a coauthor with them:\n")
    print("| evidence | papers | precision | recall | F1 | theirs | attributed |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for kind in EVIDENCE:
        _, linked, unlinked = evaluate(test[kind], DEFAULT_FOLLOW_PARAMS)
        print(f"| {kind} | shares a coauthor | {linked.row()} |")
        print(f"| {kind} | shares none | {unlinked.row()} |")


if __name__ == "__main__":
    main()
