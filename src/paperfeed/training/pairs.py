"""Pairs of related papers found in a corpus's own records, only among papers listed before a
cut-off, split into train and held-out by paper. Pure: papers in, pairs out.

Three signals, each stronger than "two shared authors" (which left a linear adapter flat):

* ``citation``: a paper's abstract or comment quotes another corpus paper's arXiv id, or its
  exact title (at least :attr:`PairOptions.min_title_words` words);
* ``author``: the same full name (:func:`paperfeed.names.name_key`) on both papers *and*
  overlapping vocabulary: Jaccard of their uncommon words >= :attr:`PairOptions.min_vocab_jaccard`,
  or half that with a second shared coauthor (two shared authors alone is the signal that
  failed: a lab's papers on unrelated topics);
* ``terms``: at least :attr:`PairOptions.min_shared_terms` shared rare words or bigrams (each
  found in at most :attr:`PairOptions.max_term_df` papers of the corpus).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import combinations, pairwise

from paperfeed import ids
from paperfeed.models import Paper
from paperfeed.names import name_key

DEFAULT_CUTOFFS: dict[str, str] = {"arxiv": "2025-09-01", "conference": "2019-01-01"}
"""First day training may NOT use, by corpus: papers must be listed before it. The arXiv
corpus's evaluation windows start 2025-09; the conference corpus's at 2019."""
SIGNALS: tuple[str, ...] = ("citation", "author", "terms")
"""The signals, strongest first: a pair found by several is tagged with the first (of those
trained on, for a training pair)."""

_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_STOP_WORDS = (
    "the and for with that this from are was were which these those their there have has had "
    "been being into onto over under than then also such can may our its not but all any each "
    "both more most other some only very via using used use based between within without "
    "while where when how what who whom whose why upon across about after before during per "
    "we us it is be as an of on in to or by at if so no do does did"
)
_STOP = frozenset(_STOP_WORDS.split())


class CutoffError(ValueError):
    """A paper dated on or after the training cut-off (or undated) was given to the builder."""


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    signal: str


@dataclass(frozen=True, slots=True)
class PairOptions:
    signals: tuple[str, ...] = SIGNALS
    """The signals whose pairs are trained on; held-out pairs come from every signal, so runs
    with different signals are judged on the same pairs."""
    min_shared_terms: int = 3
    max_term_df: int = 5
    max_author_papers: int = 30
    """A name on more papers than this is too common to tell people apart: skipped."""
    min_vocab_jaccard: float = 0.1
    min_title_words: int = 5
    max_pairs_per_paper: int = 6
    heldout_fraction: float = 0.2
    max_pairs: int | None = None
    """At most this many training pairs (a seeded sample); held-out pairs are not cut."""
    seed: int = 0


@dataclass(slots=True)
class TrainingSet:
    cutoff: str
    train: list[Pair]
    heldout: list[Pair]
    papers: dict[str, Paper]
    found: dict[str, int] = field(default_factory=dict)
    """Pairs each signal found on its own (a pair may be found by several), before the
    per-paper cap and the split."""
    crossing: int = 0
    """Pairs dropped because one paper is in train and the other held out."""

    @property
    def train_ids(self) -> set[str]:
        return {x for p in self.train for x in (p.a, p.b)}

    @property
    def heldout_ids(self) -> set[str]:
        return {x for p in self.heldout for x in (p.a, p.b)}

    def counts(self, which: str) -> dict[str, int]:
        """Pairs per signal in ``which`` (``"train"`` or ``"heldout"``)."""
        return dict(Counter(p.signal for p in getattr(self, which)))


def corpus_kind(papers: Iterable[Paper]) -> str:
    """``"conference"`` when the first papers carry a venue (the conference corpus, dated by
    year), else ``"arxiv"`` (the default for any other corpus too)."""
    first = [p for _, p in zip(range(50), papers, strict=False)]
    venues = sum(1 for p in first if p.venue)
    return "conference" if first and venues * 2 > len(first) else "arxiv"


def resolve_cutoff(kind: str, requested: str | None = None) -> str:
    """The cut-off for a corpus of ``kind``: its default, or ``requested`` if not later."""
    default = DEFAULT_CUTOFFS.get(kind, DEFAULT_CUTOFFS["arxiv"])
    if requested is None:
        return default
    try:
        day = date.fromisoformat(requested).isoformat()
    except ValueError:
        raise ValueError(f"cut-off {requested!r} is not a date (YYYY-MM-DD)") from None
    if day > default:
        raise ValueError(
            f"cut-off {day} is after the {kind} corpus's {default}: the papers from {default} on "
            "are the evaluation periods; the cut-off may only move earlier"
        )
    return day


def check_before(papers: Iterable[Paper], cutoff: str) -> None:
    """Raise :class:`CutoffError` naming the first paper that is undated or dated on/after
    ``cutoff``."""
    for p in papers:
        if not p.date:
            raise CutoffError(f"paper {p.id}: no date; training needs papers dated before {cutoff}")
        if p.date[:10] >= cutoff:
            raise CutoffError(
                f"paper {p.id}: dated {p.date[:10]}, on or after the training cut-off {cutoff}; "
                "training may use only papers listed before it"
            )


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` without stop words (letters first, hyphens kept)."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP]


def terms(text: str) -> set[str]:
    """The words and the bigrams of consecutive words of ``text``."""
    ws = words(text)
    return {*ws, *(f"{x} {y}" for x, y in pairwise(ws))}


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def citation_pairs(papers: Sequence[Paper], min_title_words: int) -> Iterator[tuple[str, str]]:
    """Papers whose abstract or comment quotes another's arXiv id or exact title."""
    known = {p.id for p in papers}
    by_start: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for p in papers:
        tw = tuple(_WORD.findall(p.title.lower()))
        if len(tw) >= min_title_words:
            by_start[tw[:3]].append((tw, p.id))
    for p in papers:
        text = f"{p.abstract}\n{p.comment or ''}"
        for cited in ids.find_arxiv_ids(text):
            if cited in known and cited != p.id:
                yield _key(p.id, cited)
        tw = _WORD.findall(text.lower())
        for i in range(len(tw) - 2):
            for title, pid in by_start.get((tw[i], tw[i + 1], tw[i + 2]), ()):
                if pid != p.id and tuple(tw[i : i + len(title)]) == title:
                    yield _key(p.id, pid)


def author_pairs(
    papers: Sequence[Paper], vocab: dict[str, set[str]], opts: PairOptions
) -> Iterator[tuple[str, str]]:
    """Papers sharing a full name and a second coauthor or enough uncommon vocabulary."""
    names = {p.id: {name_key(a) for a in p.authors} - {""} for p in papers}
    by_name: dict[str, list[str]] = defaultdict(list)
    for pid, keys in names.items():
        for k in keys:
            by_name[k].append(pid)
    seen: set[tuple[str, str]] = set()
    for key, pids in by_name.items():
        if not 2 <= len(pids) <= opts.max_author_papers:
            continue
        for a, b in combinations(pids, 2):
            pair = _key(a, b)
            if pair in seen:
                continue
            overlap = _jaccard(vocab[a], vocab[b])
            coauthor = len((names[a] & names[b]) - {key}) >= 1
            if overlap >= opts.min_vocab_jaccard or (
                coauthor and 2 * overlap >= opts.min_vocab_jaccard
            ):
                seen.add(pair)
                yield pair


def _jaccard(x: set[str], y: set[str]) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def term_pairs(doc_terms: dict[str, set[str]], opts: PairOptions) -> Iterator[tuple[str, str]]:
    """Papers sharing at least ``min_shared_terms`` terms that occur in 2..max_term_df papers."""
    postings: dict[str, list[str]] = defaultdict(list)
    for pid, ts in doc_terms.items():
        for t in ts:
            postings[t].append(pid)
    shared: Counter[tuple[str, str]] = Counter()
    for pids in postings.values():
        if 2 <= len(pids) <= opts.max_term_df:
            shared.update(_key(a, b) for a, b in combinations(pids, 2))
    yield from (pair for pair, n in shared.items() if n >= opts.min_shared_terms)


def _vocabularies(doc_terms: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each paper's uncommon words: in 2 papers or more, and at most 1% of them (or 5)."""
    df: Counter[str] = Counter()
    for ts in doc_terms.values():
        df.update(t for t in ts if " " not in t)
    top = max(5, len(doc_terms) // 100)
    return {
        pid: {t for t in ts if " " not in t and 2 <= df[t] <= top} for pid, ts in doc_terms.items()
    }


def find_pairs(
    papers: Sequence[Paper], opts: PairOptions
) -> tuple[dict[tuple[str, str], tuple[str, ...]], dict[str, int]]:
    """Every related pair the enabled signals find, with the signals that found it (strongest
    first), and how many pairs each signal found on its own."""
    unknown = set(opts.signals) - set(SIGNALS)
    if unknown:
        raise ValueError(f"unknown signal(s) {', '.join(sorted(unknown))}; known: {SIGNALS}")
    doc_terms = {p.id: terms(p.text) for p in papers}
    titles = {p.id: ids.title_key(p.title) for p in papers}
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    counts: Counter[str] = Counter()
    for signal in (s for s in SIGNALS if s in opts.signals):
        if signal == "citation":
            pairs: Iterable[tuple[str, str]] = citation_pairs(papers, opts.min_title_words)
        elif signal == "author":
            pairs = author_pairs(papers, _vocabularies(doc_terms), opts)
        else:
            pairs = term_pairs(doc_terms, opts)
        for a, b in pairs:
            if titles[a] and titles[a] == titles[b]:
                continue  # one paper listed twice: no relatedness to learn
            counts[signal] += 1
            found[(a, b)] = (*found.get((a, b), ()), signal)
    return found, dict(counts)


def _capped(
    found: dict[tuple[str, str], tuple[str, ...]], opts: PairOptions
) -> list[tuple[str, str, tuple[str, ...]]]:
    """At most ``max_pairs_per_paper`` pairs per paper, stronger signals kept first."""
    rng = random.Random(opts.seed)
    ordered = sorted(found.items())
    rng.shuffle(ordered)
    rank = {s: i for i, s in enumerate(SIGNALS)}
    ordered.sort(key=lambda item: rank[item[1][0]])
    degree: Counter[str] = Counter()
    kept = []
    for (a, b), signals in ordered:
        if degree[a] < opts.max_pairs_per_paper and degree[b] < opts.max_pairs_per_paper:
            degree[a] += 1
            degree[b] += 1
            kept.append((a, b, signals))
    return kept


def build_training_set(
    papers: Sequence[Paper], cutoff: str, options: PairOptions | None = None
) -> TrainingSet:
    """Related pairs among ``papers``, every one of which must be dated before ``cutoff``
    (else :class:`CutoffError`), split into train and held-out by paper: a seeded
    ``heldout_fraction`` of the papers is held out, and a pair across the split is dropped."""
    opts = options or PairOptions()
    unknown = set(opts.signals) - set(SIGNALS)
    if unknown or not opts.signals:
        raise ValueError(f"unknown signal(s) {', '.join(sorted(unknown))}; known: {SIGNALS}")
    check_before(papers, cutoff)
    unique = list({p.id: p for p in papers}.values())
    found, counts = find_pairs(unique, replace(opts, signals=SIGNALS))
    pairs = _capped(found, opts)
    rng = random.Random(opts.seed + 1)
    in_pairs = sorted({x for a, b, _ in pairs for x in (a, b)})
    held = {pid for pid in in_pairs if rng.random() < opts.heldout_fraction}
    heldout = [Pair(a, b, sigs[0]) for a, b, sigs in pairs if a in held and b in held]
    train = []
    for a, b, sigs in pairs:
        tag = next((s for s in sigs if s in opts.signals), None)
        if tag and a not in held and b not in held:
            train.append(Pair(a, b, tag))
    if opts.max_pairs is not None and len(train) > opts.max_pairs:
        train = random.Random(opts.seed + 2).sample(train, opts.max_pairs)
    by_id = {p.id: p for p in unique}
    keep = {x for p in (*train, *heldout) for x in (p.a, p.b)}
    return TrainingSet(
        cutoff=cutoff,
        train=train,
        heldout=heldout,
        papers={pid: by_id[pid] for pid in sorted(keep)},
        found=counts,
        crossing=sum(1 for a, b, _ in pairs if (a in held) != (b in held)),
    )
