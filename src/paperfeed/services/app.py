"""The library object: every use case over one store and one embedder — ingest, profiles,
ratings, recommend, calibrate, search, similar, batch ranking. The CLI, the daily run, the web
endpoints and the benchmarks all call it; ranking is :func:`paperfeed.rank.rank` for each."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Self

import numpy as np
from tqdm import tqdm

from paperfeed import ids
from paperfeed.embed import Embedder, get_embedder, prepare
from paperfeed.models import RATING_VALUES, Paper, Recommendation
from paperfeed.protocol import UserProfile, ranking_line
from paperfeed.rank import DEFAULT_PARAMS, CandidatePool, RankParams, rank, rank_similar
from paperfeed.rank.interests import Interest, cluster_interests, describe_interests
from paperfeed.rank.learn import most_informative
from paperfeed.rank.ranker import with_shared_terms
from paperfeed.services import pools, selection
from paperfeed.services.common import (
    ImportSummary,
    UserError,
    batched,
    days_before,
    embed_papers,
    looks_like_jsonl,
)
from paperfeed.services.ranked import rank_protocol_user, with_interest_names, worded
from paperfeed.services.rerank import Reranker
from paperfeed.services.search import hybrid_search, keyword_hits
from paperfeed.services.summaries import Summarizer
from paperfeed.settings import ConfigError, Settings, TldrSettings, UserDelivery
from paperfeed.sources import ParseIssue, ParseResult, iter_jsonl_papers, parse_path, parse_text
from paperfeed.store import AppStore, describe_location, open_url


@dataclass
class Paperfeed:
    """The library object: a store, an embedder (loaded on first use) and ranking settings."""

    store: AppStore
    embedder_factory: Callable[[], Embedder]
    params: RankParams = DEFAULT_PARAMS
    progress: bool = False
    location: str = ""
    """Where the store lives, for messages (a path or a URL without credentials)."""
    settings: Settings | None = None
    """The installation's settings (TL;DR mode, each user's language); None: the defaults."""
    _embedder: Embedder | None = None
    _pools: dict[str, CandidatePool] = field(default_factory=dict)
    """Candidate pools of the windows ranked so far (see :meth:`window_pool`)."""
    _summarizer: Summarizer | None = None
    reranker: Reranker = field(init=False)
    """The LLM re-ranker of this run (its budget and counts cover it until :meth:`close`)."""

    def __post_init__(self) -> None:
        self.reranker = Reranker(self.store, self.settings)

    @classmethod
    def open(
        cls, settings: Settings, *, params: RankParams = DEFAULT_PARAMS, progress: bool = False
    ) -> Paperfeed:
        """The library over the store of ``settings`` (created and migrated if needed) with the
        embedding model its config.toml names, resolved and loaded on first use (an unknown
        name is a :class:`ConfigError` naming the file). Close it when done."""

        def embedder() -> Embedder:
            try:
                return get_embedder(settings.model, cache_dir=settings.model_cache)
            except ValueError as e:
                raise ConfigError(f"{settings.config_path}: model: {e}") from None

        return cls(
            store=open_url(settings.db_url),
            embedder_factory=embedder,
            params=params,
            progress=progress,
            location=describe_location(settings.db_url),
            settings=settings,
        )

    def close(self) -> None:
        if self._summarizer is not None:
            self._summarizer.close()
        self.reranker.close()
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self.embedder_factory()
        return self._embedder

    @property
    def summarizer(self) -> Summarizer:
        """The TL;DR maker of this library's run (config.toml ``[tldr]``, read on first use;
        its budget and counts cover every ranking until :meth:`close`)."""
        if self._summarizer is None:
            tldr = self.settings.tldr if self.settings else TldrSettings()
            tldr.check()
            self._summarizer = Summarizer(self.store, tldr)
        return self._summarizer

    def with_tldrs(self, user: str | None, recs: Sequence[Recommendation]) -> list[Recommendation]:
        """``recs`` with their TL;DRs, in ``user``'s language (config.toml)."""
        language = self.summarizer.settings.language
        wanted = self.settings.delivery.user(user) if self.settings and user else None
        return self.summarizer.add(recs, wanted.language if wanted else language)

    def vectors(self, papers: Sequence[Paper]) -> np.ndarray:
        return embed_papers(self.store, self.embedder, papers, progress=self.progress)[0]

    # --- ingest -------------------------------------------------------------------------

    def ingest(
        self,
        path: Path,
        *,
        fmt: str | None = None,
        since: str | None = None,
        last_days: int | None = None,
        embed: bool = True,
        batch_size: int = 2000,
    ) -> ImportSummary:
        """Store the papers of a file; idempotent; each batch is one transaction."""
        summary = ImportSummary(source=str(path))
        papers = self._read(path, fmt, summary)
        if last_days is not None:
            newest = max((p.date for p in papers if p.date), default=None)
            if newest:
                since = max(since or "", days_before(newest, last_days))
        if since:
            kept = [p for p in papers if p.date and p.date >= since]
            summary.filtered = len(papers) - len(kept)
            papers = kept
        for batch in batched(papers, batch_size):
            stats = self.store.upsert_papers(batch, source=summary.source_name)
            summary.inserted += stats.inserted
            summary.updated += stats.updated
            summary.unchanged += stats.unchanged
            summary.merged += stats.merged
        if embed and papers:
            stored = self.store.get_papers([p.id for p in papers])
            _, summary.embedded = embed_papers(
                self.store, self.embedder, stored, progress=self.progress
            )
        return summary

    def store_result(
        self,
        label: str,
        result: ParseResult,
        *,
        profile: str | None = None,
        summary: ImportSummary | None = None,
        embed: bool = False,
    ) -> ImportSummary:
        """Store what a parser or fetcher gave (stubs that still need fetching are left out),
        optionally add it to ``profile`` and embed it; counts go into ``summary``."""
        summary = summary or ImportSummary(source=label, source_name=result.format)
        papers = [p for p in result.papers if not p.extra.get("needs_fetch")]
        skipped = sum(1 for i in result.issues if i.skipped)
        summary.issues.extend(result.issues)
        summary.skipped += skipped
        summary.read += len(papers) + skipped
        if not papers:
            return summary
        stats = self.store.upsert_papers(papers, source=result.format or label)
        summary.inserted += stats.inserted
        summary.updated += stats.updated
        summary.unchanged += stats.unchanged
        summary.merged += stats.merged
        if profile:
            summary.added_to_profile += self.store.add_profile_papers(
                profile, [p.id for p in papers]
            )
        if embed:
            stored = self.store.get_papers([p.id for p in papers])
            summary.embedded += embed_papers(
                self.store, self.embedder, stored, progress=self.progress
            )[1]
        return summary

    def _read(self, path: Path, fmt: str | None, summary: ImportSummary) -> list[Paper]:
        """Parse a file, adding its counts and issues to ``summary``."""
        if not path.exists():
            raise UserError(f"{path}: no such file")
        if path.is_dir():
            raise UserError(f"{path}: is a directory, expected a file")
        issues: list[ParseIssue] = []
        if fmt in (None, "jsonl") and looks_like_jsonl(path):
            papers: list[Paper] = []
            bar = tqdm(
                desc=f"reading {path.name}",
                unit=" papers",
                disable=not self.progress,
                file=sys.stderr,
            )
            for item in iter_jsonl_papers(path):
                if isinstance(item, ParseIssue):
                    issues.append(item)
                else:
                    papers.append(item)
                bar.update(1)
            bar.close()
            summary.source_name = "jsonl"
        else:
            result = parse_path(path, fmt)
            papers, issues = list(result.papers), list(result.issues)
            summary.source_name = result.format
        summary.issues.extend(issues)
        summary.read += len(papers) + len(issues)
        summary.skipped += len(issues)
        return papers

    # --- profiles and ratings -------------------------------------------------------------

    def profile_add(
        self, user: str, items: Sequence[str], *, fmt: str | None = None, stdin: str | None = None
    ) -> ImportSummary:
        """Add files, pasted text (``-``) or arXiv ids/DOIs already in the store to a profile.

        Every item is read and checked before anything is written, so one bad item leaves
        the profile as it was; the papers are then stored in short batches (a rating or a
        request running beside a large import waits a moment, never fails) and added to the
        profile in one transaction.
        """
        summary = ImportSummary(source=", ".join(items))
        to_store: list[tuple[list[Paper], str]] = []
        known_ids: list[str] = []
        for item in items:
            if item == "-":
                result = parse_text(stdin or "", fmt, filename="<stdin>")
                summary.issues.extend(result.issues)
                summary.read += len(result.papers) + len(result.issues)
                summary.skipped += len(result.issues)
                summary.source_name = result.format
                to_store.append((list(result.papers), result.format))
            elif Path(item).exists():
                papers = self._read(Path(item), fmt, summary)
                to_store.append((papers, summary.source_name))
            elif ids.is_arxiv_id(item) or ids.normalize_doi(item) == item.lower().strip():
                known_ids.append(self._stored_id(item))
                summary.read += 1
            else:
                raise UserError(f"{item}: no such file, and not an arXiv id or DOI")
        if not known_ids and not any(papers for papers, _ in to_store):
            raise UserError(f"{summary.source}: no papers found to add to the profile")
        to_add = list(known_ids)
        for papers, source in to_store:
            stats = self.store.upsert_papers(papers, source=f"profile:{source}")
            summary.inserted += stats.inserted
            summary.updated += stats.updated
            summary.unchanged += stats.unchanged
            summary.merged += stats.merged
            to_add.extend(p.id for p in papers)
        with self.store.transaction():
            self.store.ensure_user(user)
            summary.added_to_profile = self.store.add_profile_papers(user, to_add)
        _, summary.embedded = embed_papers(
            self.store, self.embedder, self.store.profile_papers(user), progress=self.progress
        )
        return summary

    def _stored_id(self, item: str) -> str:
        """The stored paper an arXiv id or DOI names; a user error when it is not stored."""
        pid = ids.canonical_arxiv_id(item) or f"doi:{ids.normalize_doi(item)}"
        if self.store.get_paper(pid) is None:
            raise UserError(
                f"{item}: not in the store; ingest a listing that contains it first "
                "(or pass a file with its abstract)"
            )
        return pid

    def profile(self, user: str) -> list[Paper]:
        """The papers of ``user``'s profile, oldest addition first."""
        return self.store.profile_papers(user)

    def profile_remove(self, user: str, paper_id: str) -> None:
        """Take a paper out of ``user``'s profile (it stays in the store)."""
        if not self.store.remove_profile_paper(user, paper_id):
            raise UserError(f"{paper_id}: not in the profile of {user!r}")

    def count_papers(self) -> int:
        return self.store.count_papers()

    def rate(self, user: str, paper_id: str, value: str) -> Paper:
        if value not in RATING_VALUES:
            raise UserError(f"rating must be one of {', '.join(RATING_VALUES)}, not {value!r}")
        pid = ids.canonical_arxiv_id(paper_id) if ids.is_arxiv_id(paper_id) else paper_id
        paper = self.store.get_paper(pid)
        if paper is None:
            raise UserError(f"{paper_id}: no such paper in the store")
        self.store.ensure_user(user)
        self.store.rate(user, pid, value)
        return paper

    # --- ranking ----------------------------------------------------------------------------

    def user_signals(self, user: str) -> tuple[list[Paper], list[Paper], set[str]]:
        """(positives, negatives, every paper to exclude) for a stored user."""
        if self.store.account(user) is None:  # one row, not every user (daily asks often)
            raise UserError(
                f"no user {user!r}: create one with `paperfeed profile add --user {user} …`"
            )
        ratings = self.store.ratings(user)
        positives = self.store.profile_papers(user)
        have = {p.id for p in positives}
        positives += [p for p in self.store.rated_papers(user, "up") if p.id not in have]
        positives += [
            p
            for p in self.store.rated_papers(user, "saved")
            if p.id not in {q.id for q in positives}
        ]
        negatives = self.store.rated_papers(user, "down")
        if not positives:
            raise UserError(
                f"the profile of {user!r} is empty: add papers with `paperfeed profile add`"
            )
        return positives, negatives, have | set(ratings)

    def candidate_window(
        self, since: str | None, until: str | None, days: int | None
    ) -> tuple[str, str | None]:
        newest = self.store.latest_date()
        if newest is None:
            raise UserError("the store has no papers: run `paperfeed ingest FILE` first")
        if since is None:
            since = days_before(newest, days or 7)
        return since, until

    def candidates(self, since: str, until: str | None = None) -> list[Paper]:
        """The papers listed in ``[since, until)``, newest first; none is a user error."""
        cands = self.store.papers_between(since, until)
        if not cands:
            raise UserError(
                f"no papers listed since {since}" + (f" until {until}" if until else "")
            )
        return cands

    def window_pool(self, since: str, until: str | None = None) -> CandidatePool:
        """The candidate pool of the papers listed in ``[since, until)``, prepared once per
        window, model and settings and shared by every user and command: from memory, else
        from the store's cache (another process built it), else built and cached."""
        return pools.window_pool(
            self.store,
            self._pools,
            model=self.embedder.name,
            span=f"{since}..{until or ''}",
            papers=self.candidates(since, until),
            vectors=self.vectors,
            params=self.params,
        )

    def recommend(
        self,
        user: str,
        *,
        since: str | None = None,
        until: str | None = None,
        days: int | None = None,
        top: int = 20,
        rerank: bool | None = None,
    ) -> list[Recommendation]:
        n = self.reranker.depth(user, rerank)  # None: as config.toml says (services.rerank)
        recs = self._rank_user(user, since, until, days, top=top and max(top, n))[0]
        recs = self.reranker.rerank(user, recs, n)
        if top:  # the best ``top``, then the papers by followed people below them
            recs = selection.split(recs, top, list)[0]
        return self.with_tldrs(user, recs)

    def calibrate(
        self,
        user: str,
        *,
        since: str | None = None,
        until: str | None = None,
        days: int | None = None,
        k: int = 5,
    ) -> list[Recommendation]:
        """Active learning: the ``k`` candidates whose rating would teach this user's model
        most (near the edge of what it would show, and unlike each other), explained as
        ``recommend`` explains them."""
        return self.recommend_and_ask(user, since=since, until=until, days=days, top=0, k=k)[1]

    def recommend_and_ask(
        self,
        user: str,
        *,
        since: str | None = None,
        until: str | None = None,
        days: int | None = None,
        top: int = 20,
        k: int = 3,
        rerank: bool | None = None,
    ) -> tuple[list[Recommendation], list[Recommendation]]:
        """From one ranking: the ``top`` recommendations (re-ranked as by :meth:`recommend`;
        with papers by followed people below them, as :func:`selection.split` adds) and, among
        the papers below them, the ``k`` to ask the user about (:meth:`calibrate`), as a
        digest shows both. Shared terms are worked out only for the papers shown."""
        n = self.reranker.depth(user, rerank) if top else 0
        ranked, pool, positives = self._rank_user(user, since, until, days, top=0, explain=top + n)
        ranked = self.reranker.rerank(user, ranked, n)
        recs, rest = selection.split(
            ranked, top, lambda rs: with_shared_terms(rs, positives, pool, self.params)
        )
        if not rest or k <= 0:
            return self.with_tldrs(user, recs), []
        row = {p.id: i for i, p in enumerate(pool.papers)}
        vecs = pool.vectors[[row[r.paper.id] for r in rest]]
        relevance = np.array([r.components["relevance"] for r in rest])
        picked = [rest[i] for i in most_informative(relevance, vecs, k)]
        picked.sort(key=lambda r: -r.score)  # shown best first, as every list is
        asked = with_shared_terms(picked, positives, pool, self.params)
        ask = [replace(r, rank=n) for n, r in enumerate(asked, start=1)]
        return self.with_tldrs(user, recs), self.with_tldrs(user, ask)

    def _rank_user(
        self,
        user: str,
        since: str | None,
        until: str | None,
        days: int | None,
        *,
        top: int,
        explain: int | None = None,
    ) -> tuple[list[Recommendation], CandidatePool, list[Paper]]:
        """The one ranking path for a stored user over the papers listed in a window: the
        recommendations (with :mod:`.selection`'s filters and follows), the window's pool
        and the user's positive papers."""
        positives, negatives, known = self.user_signals(user)
        since, until = self.candidate_window(since, until, days)
        pool = self.window_pool(since, until)
        wanted = self._filters(user)
        chosen = selection.select(self.store, self.vectors, user, wanted, pool, until, known)
        pvecs = self.vectors(positives)
        interests = self.named_interests(user, positives, pvecs)

        def ranked(exclude: set[str], k: int, n: int | None) -> list[Recommendation]:
            recs = rank(
                positives,
                pvecs,
                pool,
                negatives=negatives,
                negative_vecs=self.vectors(negatives) if negatives else None,
                exclude=exclude,
                top=k,
                params=self.params,
                explain=n,
            )
            return with_interest_names(recs, interests)

        def terms(recs: list[Recommendation]) -> list[Recommendation]:
            return with_shared_terms(recs, positives, pool, self.params)

        recs = selection.finish(ranked, terms, chosen, wanted, top, explain)
        return recs, pool, positives

    def _filters(self, user: str) -> UserDelivery | None:
        """``user``'s filters (config.toml ``[users.NAME]``), None without settings."""
        return self.settings.delivery.user(user) if self.settings else None

    # --- interests ----------------------------------------------------------------------------

    def interests(self, user: str) -> list[Interest]:
        """The interests of ``user``'s profile (its papers and upvotes, clustered as ranking
        clusters them), each with its name: the one the user gave it, else a derived one."""
        positives, _, _ = self.user_signals(user)
        return self.named_interests(user, positives, self.vectors(positives))

    def named_interests(
        self, user: str, positives: list[Paper], pvecs: np.ndarray
    ) -> list[Interest]:
        """:meth:`interests` of ``user``'s ``positives`` already read, with their vectors."""
        labels = cluster_interests(pvecs, min_similarity=self.params.interest_similarity)
        chosen = self.store.interest_names(user)
        return [
            replace(it, name=chosen.get(it.anchor, it.name))
            for it in describe_interests(positives, pvecs, labels)
        ]

    def rename_interest(self, user: str, number: int, name: str | None) -> Interest:
        """Name interest ``number`` (1-based, as :meth:`interests` lists them) of ``user``;
        None goes back to the derived name. The name follows the interest from day to day."""
        found = self.interests(user)
        if not 1 <= number <= len(found):
            raise UserError(f"{user!r} has {len(found)} interests; there is no number {number}")
        if name is not None and not name.strip():
            raise UserError("the new name is empty")
        it = found[number - 1]
        self.store.set_interest_name(user, it.anchor, " ".join(name.split()) if name else None)
        return self.interests(user)[number - 1]

    def _shortlist(self, query_vec: np.ndarray, text: str, n: int) -> list[Paper]:
        """Candidates for similar: the dense and the full-text top ``n``, merged (full text
        as search asks it: more than half of the words, so its cost stays bounded)."""
        found = [pid for pid, _, _ in self.store.nearest_papers(self.embedder.name, query_vec, n)]
        found.extend(pid for pid, _ in keyword_hits(self.store, text, n, n))
        return self.store.get_papers(list(dict.fromkeys(found)))

    def search(
        self, query: str, *, top: int = 20, viewer: str | None = None
    ) -> list[Recommendation]:
        """Keyword + semantic search: the full-text and nearest-neighbour indexes' top papers
        fused by reciprocal rank (:func:`paperfeed.services.search.hybrid_search`); for a
        ``viewer``, without the papers other users uploaded."""
        if not query.strip():
            raise UserError("the search query is empty")
        return hybrid_search(self.store, self.embedder, query, top=top, viewer=viewer)

    def visible_paper(self, paper_id: str, viewer: str | None = None) -> Paper | None:
        """The stored paper (any id form), unless ``viewer`` may not see it: a paper another
        user uploaded (:meth:`~paperfeed.store.Store.private_to_others`) is no paper to them."""
        pid = ids.canonical_arxiv_id(paper_id) if ids.is_arxiv_id(paper_id) else paper_id
        paper = self.store.get_paper(pid)
        if paper is None or (viewer and self.store.private_to_others(viewer, [paper.id])):
            return None
        return paper

    def similar(
        self, paper_id: str, *, top: int = 10, viewer: str | None = None
    ) -> list[Recommendation]:
        """The stored papers most like one, in relevance order (:func:`rank_similar`); for a
        ``viewer``, among the papers they may see."""
        paper = self.visible_paper(paper_id, viewer)
        if paper is None:
            raise UserError(f"{paper_id}: no such paper in the store")
        vec = self.vectors([paper])[0]
        cands = self._shortlist(vec, paper.title or paper.abstract[:200], 200)
        if viewer:
            hidden = self.store.private_to_others(viewer, [p.id for p in cands])
            cands = [p for p in cands if p.id not in hidden]
        recs = rank_similar(paper, vec, cands, self.vectors(cands), top=top, params=self.params)
        return worded(recs, "paper")

    def rank_profiles(
        self,
        profiles: Sequence[UserProfile],
        candidates: Sequence[Paper],
        *,
        top: int = 20,
    ) -> Iterator[dict[str, object]]:
        """The ``paperfeed rank`` protocol: one ranking line per user over one candidate pool
        built once, by the same :func:`rank` as :meth:`recommend`."""
        pool, inputs = self.protocol_inputs(profiles, candidates)
        quiet = not self.progress
        for prof, pv, nv in tqdm(
            inputs, desc="ranking", unit="user", disable=quiet, file=sys.stderr
        ):
            yield ranking_line(prof.user, rank_protocol_user(pool, prof, pv, nv, top, self.params))

    def protocol_inputs(
        self, profiles: Sequence[UserProfile], candidates: Sequence[Paper]
    ) -> tuple[CandidatePool, list[tuple[UserProfile, np.ndarray, np.ndarray]]]:
        """What the ``rank`` protocol ranks: the candidates' pool (built once, cached) and each
        profile with the vectors of its papers and of its negatives."""
        pool = pools.window_pool(
            self.store,
            self._pools,
            model=self.embedder.name,
            span="rank protocol",
            papers=candidates,
            vectors=self.vectors,
            params=self.params,
        )
        every = [p for prof in profiles for p in (*prof.papers, *prof.negatives)]
        vecs = self.vectors(every)
        inputs = []
        offset = 0
        for prof in profiles:
            pv = vecs[offset : offset + len(prof.papers)]
            offset += len(prof.papers)
            inputs.append((prof, pv, vecs[offset : offset + len(prof.negatives)]))
            offset += len(prof.negatives)
        return pool, inputs


def prepare_model(model_cache: Path | None = None) -> Path:
    """Build the quantized ONNX model from the packaged weights once (then cached); its path."""
    return prepare(model_cache)
