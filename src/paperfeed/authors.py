"""Author pages: a name's papers split into the distinct people behind the name. Pure.

Two signals, strongest first:

1. **coauthors** — papers sharing a coauthor (other than the name itself) are by one person;
   they form connected components;
2. **topic** — components are then joined by complete-linkage agglomerative clustering of
   their topic vectors (mean cosine over the two components' papers), up to a similarity
   threshold: every pair of groups in a person must be about related things. Groups that
   both name coauthors but share none must be more similar still. The vectors are sentence
   embeddings when the caller passes them (the project's model), else TF-IDF of the title,
   abstract and comment.

Each person is labelled by the terms that set their papers apart, their most frequent
coauthors and categories.

A followed person (:func:`follow_evidence`) is found again in papers to come by
:func:`attribute`: a new paper carrying the name is theirs when it shares a coauthor with
them, or when it is about what they write about (:class:`FollowParams`, measured by
``benchmarks/bench_follow.py``) and no closer to the name's other people.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from paperfeed.models import FollowedAuthor, Paper
from paperfeed.names import name_key
from paperfeed.rank.terms import tokenize


@dataclass(frozen=True, slots=True)
class AuthorParams:
    """Thresholds of the clustering. ``dense_threshold`` is the cosine similarity that every
    pair of papers of one person must reach with sentence-embedding vectors (all-MiniLM-L6-v2
    scale); ``lexical_threshold`` the same for TF-IDF vectors, which score lower."""

    dense_threshold: float = 0.28
    lexical_threshold: float = 0.12
    min_shared_coauthors: int = 1
    # Two groups that both name coauthors (at least ``known_coauthors``) but share none
    # need this much more topic similarity: different circles suggest different people.
    disjoint_margin: float = 0.25
    known_coauthors: int = 2
    label_terms: int = 4
    label_coauthors: int = 3


DEFAULT_AUTHOR_PARAMS = AuthorParams()


@dataclass(frozen=True, slots=True)
class Person:
    """One of the people behind a name: a label and their papers, newest first."""

    label: str
    terms: tuple[str, ...]
    coauthors: tuple[str, ...]
    categories: tuple[str, ...]
    papers: tuple[Paper, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "terms": list(self.terms),
            "coauthors": list(self.coauthors),
            "categories": list(self.categories),
            "papers": [
                {"id": p.id, "title": p.display_title, **({"date": p.date} if p.date else {})}
                for p in self.papers
            ],
        }


# --- names ------------------------------------------------------------------------------------


def coauthors_of(paper: Paper, name: str) -> set[str]:
    """The name keys of ``paper``'s authors other than ``name``."""
    key = name_key(name)
    return {k for a in paper.authors if (k := name_key(a)) and k != key}


# --- vectors ----------------------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    """Unigrams and bigrams of the project's tokenizer (stop words and LaTeX dropped)."""
    toks = tokenize(text)
    return toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]


def _doc_text(p: Paper) -> str:
    return " ".join(x for x in (p.title, p.abstract, p.comment or "") if x)


def tfidf_vectors(texts: Sequence[str]) -> np.ndarray:
    """L2-normalized TF-IDF rows (sublinear tf, smoothed idf over ``texts``)."""
    docs = [Counter(_terms(t)) for t in texts]
    vocab = sorted({w for d in docs for w in d})
    col = {w: i for i, w in enumerate(vocab)}
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    mat = np.zeros((n, max(1, len(vocab))), dtype=np.float64)
    for i, d in enumerate(docs):
        for w, c in d.items():
            mat[i, col[w]] = (1.0 + math.log(c)) * (math.log((1 + n) / (1 + df[w])) + 1.0)
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return mat / np.where(norms == 0, 1.0, norms)


def _normalize(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1.0, norms)


# --- clustering -------------------------------------------------------------------------------


def coauthor_components(papers: Sequence[Paper], name: str, min_shared: int = 1) -> list[list[int]]:
    """Indices of ``papers`` grouped by shared coauthors (connected components)."""
    parent = list(range(len(papers)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    co = [coauthors_of(p, name) for p in papers]
    for i in range(len(papers)):
        for j in range(i + 1, len(papers)):
            if len(co[i] & co[j]) >= min_shared:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(papers)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _complete_linkage(margin: np.ndarray) -> list[list[int]]:
    """Agglomerative clustering, complete linkage: merge the two closest clusters while the
    worst pair across them still has a non-negative ``margin`` (similarity − threshold)."""
    clusters: list[list[int]] = [[i] for i in range(len(margin))]
    while len(clusters) > 1:
        best, pair = -np.inf, (0, 0)
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                link = float(margin[np.ix_(clusters[a], clusters[b])].min())
                if link > best:
                    best, pair = link, (a, b)
        if best < 0:
            break
        a, b = pair
        clusters[a] = clusters[a] + clusters[b]
        del clusters[b]
    return clusters


def cluster(
    papers: Sequence[Paper],
    name: str,
    *,
    vectors: np.ndarray | None = None,
    params: AuthorParams = DEFAULT_AUTHOR_PARAMS,
) -> list[list[int]]:
    """Indices of ``papers`` grouped into people (coauthor components joined by topic).

    ``vectors`` (one row per paper, e.g. sentence embeddings) are the topic signal; without
    them TF-IDF vectors of the texts are used with ``params.lexical_threshold``.
    """
    if not papers:
        return []
    if vectors is None:
        vecs = tfidf_vectors([_doc_text(p) for p in papers])
        threshold = params.lexical_threshold
    else:
        if len(vectors) != len(papers):
            raise ValueError(f"{len(vectors)} vectors for {len(papers)} papers")
        vecs = _normalize(vectors)
        threshold = params.dense_threshold
    units = coauthor_components(papers, name, params.min_shared_coauthors)
    paper_sim = vecs @ vecs.T
    # unit similarity: the mean over their papers' pairs (a plain cosine for two papers);
    # a centroid would make a big coauthor group look similar to everything
    sim = np.array([[float(paper_sim[np.ix_(a, b)].mean()) for b in units] for a in units])
    circles = [set().union(*(coauthors_of(papers[i], name) for i in u)) for u in units]
    known = [len(c) >= params.known_coauthors for c in circles]
    need = np.full(sim.shape, threshold)
    for a in range(len(units)):
        for b in range(len(units)):
            if a != b and known[a] and known[b] and not circles[a] & circles[b]:
                need[a, b] = threshold + params.disjoint_margin
    joined = _complete_linkage(sim - need)
    return [sorted(i for u in group for i in units[u]) for group in joined]


# --- labels -----------------------------------------------------------------------------------


_URL = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|io|edu|net)\S*")
# words of comments and boilerplate: a term containing one says nothing about a topic
_JUNK = frozenset(
    """
    code source github http https io www com org pages page accepted review oral conference
    paper arxiv available homepage project release released submitted appear figures tables
    """.split()  # noqa: SIM905
)
# frequent in any abstract, so they name nobody's topic on their own
_BLAND = frozenset(
    """
    model models information data framework learning training update updates highly
    improve improves improved effective effectively efficient efficiency performance
    challenge challenges real world baseline baselines dataset datasets benchmark benchmarks
    leverage range wide various enhance enhanced enhancing consistently superior extensive
    simple simpler complex promising potential specifically effectiveness limitations
    """.split()  # noqa: SIM905
)


def _label_terms(p: Paper) -> Counter[str]:
    text = _URL.sub(" ", _doc_text(p))
    return Counter(
        w for w in _terms(text) if w not in _BLAND and not any(part in _JUNK for part in w.split())
    )


def _distinctive_terms(groups: list[list[int]], papers: Sequence[Paper], k: int) -> list[list[str]]:
    """Per group, the terms frequent in its papers and rare in the others' (terms shared by
    two of its papers come first); phrases are preferred to single words."""
    docs = [_label_terms(p) for p in papers]
    n = len(papers)
    df_all = Counter(w for d in docs for w in d)
    out = []
    for g in groups:
        df: Counter[str] = Counter()
        tf: Counter[str] = Counter()
        for i in g:
            df.update(set(docs[i]))
            tf.update(docs[i])
        need = 2 if len(g) >= 2 else 1
        scored = []
        for w, d in df.items():
            share = d / df_all[w]  # 1.0 when no other person uses the term
            score = (d / len(g)) * share * (1 + math.log(tf[w])) * math.log(1 + n / df_all[w])
            if " " in w:
                score *= 1.5  # phrases read better than single words
            scored.append((d >= need, score, w))
        # terms shared by several of the papers first, then the best of single papers
        scored.sort(key=lambda x: (not x[0], -x[1], x[2]))
        chosen: list[str] = []
        for _, _, w in scored:
            if any(w in c or c in w for c in chosen):
                continue  # no "graph" beside "graph learning"
            chosen.append(w)
            if len(chosen) == k:
                break
        out.append(chosen)
    return out


def _display_name(key: str, papers: Sequence[Paper], idx: list[int]) -> str:
    for i in idx:
        for a in papers[i].authors:
            if name_key(a) == key:
                return a
    return key


def disambiguate(
    papers: Sequence[Paper],
    name: str,
    *,
    vectors: np.ndarray | None = None,
    params: AuthorParams = DEFAULT_AUTHOR_PARAMS,
) -> list[Person]:
    """The people behind ``name`` in ``papers`` (all assumed to carry the name), most papers
    first. See :func:`cluster` for ``vectors``."""
    papers = list(papers)
    groups = cluster(papers, name, vectors=vectors, params=params)
    terms = _distinctive_terms(groups, papers, params.label_terms)
    people = []
    for g, words in zip(groups, terms, strict=True):
        co = Counter(k for i in g for k in coauthors_of(papers[i], name))
        ranked_co = sorted(co.items(), key=lambda kv: (-kv[1], kv[0]))  # ties: by name, stably
        top_co = [_display_name(k, papers, g) for k, _ in ranked_co[: params.label_coauthors]]
        cats = Counter(papers[i].categories[0] for i in g if papers[i].categories)
        top_cats = [c for c, _ in cats.most_common(2)]
        parts = [", ".join(words) or "(no distinctive terms)"]
        if top_co:
            parts.append("with " + ", ".join(top_co))
        if top_cats:
            parts.append(" ".join(top_cats))
        members = sorted((papers[i] for i in g), key=lambda p: (p.date or "", p.id), reverse=True)
        people.append(
            Person(
                label=" · ".join(parts),
                terms=tuple(words),
                coauthors=tuple(top_co),
                categories=tuple(top_cats),
                papers=tuple(members),
            )
        )
    people.sort(key=lambda p: (-len(p.papers), -max(len(x.date or "") for x in p.papers), p.label))
    return people


# --- followed people --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowParams:
    """When a new paper carrying a followed name is the followed person's: it shares
    ``min_shared_coauthors`` coauthors with their papers, or the mean of its ``topic_k``
    best cosines to their papers (sentence embeddings, all-MiniLM-L6-v2 scale) reaches
    ``topic_threshold`` and beats the same mean over the name's other people's papers by
    ``contrast_margin``. The values are the best F1 of ``benchmarks/bench_follow.py`` on its
    dev groups (see benchmarks/README.md): a new paper is theirs by topic alone only when it
    is very close to one of their papers."""

    min_shared_coauthors: int = 1
    topic_threshold: float = 0.625
    topic_k: int = 1
    contrast_margin: float = 0.05


DEFAULT_FOLLOW_PARAMS = FollowParams()


@dataclass(frozen=True, slots=True)
class Attribution:
    """Whether a paper is the followed person's, and why (for people, not for code)."""

    theirs: bool
    reason: str
    topic: float = 0.0


def follow_evidence(
    person: Person, people: Sequence[Person], name: str, *, followed_at: str = ""
) -> FollowedAuthor:
    """What to keep of ``person`` (one of ``people``, the name's people) to know them again:
    their papers, every coauthor, and the papers of the name's other people; the name as
    their papers write it most often."""
    key = name_key(name)
    spelled = Counter(a for p in person.papers for a in p.authors if name_key(a) == key)
    display = spelled.most_common(1)[0][0] if spelled else name  # ties: the newest paper's
    coauthors = sorted({k for p in person.papers for k in coauthors_of(p, name)})
    mine = {p.id for p in person.papers}
    others = [p.id for q in people if q is not person for p in q.papers if p.id not in mine]
    return FollowedAuthor(
        name=display,
        key=key,
        paper_ids=tuple(p.id for p in person.papers),
        coauthors=tuple(coauthors),
        other_ids=tuple(dict.fromkeys(others)),
        followed_at=followed_at,
    )


def _topk_mean(vec: np.ndarray, vecs: np.ndarray, k: int) -> float:
    """The mean of the ``k`` best cosines of ``vec`` to the rows of ``vecs`` (-1 if none)."""
    if len(vecs) == 0:
        return -1.0
    sims = _normalize(vecs) @ _normalize(np.asarray(vec)[None, :])[0]
    best = np.sort(sims)[::-1][: max(1, k)]
    return float(best.mean())


def attribute(
    paper: Paper,
    vec: np.ndarray,
    person: FollowedAuthor,
    person_vecs: np.ndarray,
    other_vecs: np.ndarray | None = None,
    *,
    params: FollowParams = DEFAULT_FOLLOW_PARAMS,
) -> Attribution:
    """Is ``paper`` (which must carry ``person``'s name) by the followed ``person``?

    ``vec`` is its sentence embedding, ``person_vecs`` those of the person's stored papers,
    ``other_vecs`` those of the name's other people's papers (None or empty: none known).
    A paper the person was followed for is theirs, one of the other people's is not."""
    if paper.id in person.paper_ids:
        return Attribution(True, "one of their papers")
    if paper.id in person.other_ids:
        return Attribution(False, "by another person of that name")
    shared = coauthors_of(paper, person.name) & set(person.coauthors)
    if shared and len(shared) >= params.min_shared_coauthors:
        return Attribution(True, f"shares {len(shared)} coauthor(s) with them")
    mine = _topk_mean(vec, person_vecs, params.topic_k)
    if mine < params.topic_threshold:
        return Attribution(False, f"not their topic ({mine:.2f})", mine)
    if other_vecs is not None and len(other_vecs):
        theirs = _topk_mean(vec, other_vecs, params.topic_k)
        if mine < theirs + params.contrast_margin:
            return Attribution(False, f"closer to another {person.name} ({theirs:.2f})", mine)
    return Attribution(True, f"close to their papers ({mine:.2f})", mine)
