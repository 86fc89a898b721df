"""TL;DRs for recommendations: the extractive line (:func:`paperfeed.tldr.extractive_tldr`),
or in ``llm`` mode one from an OpenAI-compatible chat endpoint, cached in the store per
(paper, model, language), asked ``concurrency`` at a time within a per-run ``budget``. Any
failure (time-out, error status, malformed answer, budget spent) keeps the extractive line
and is counted in :class:`TldrStats`; no item is ever dropped."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from paperfeed.fetch.http import FetchError
from paperfeed.fetch.llm import ChatClient
from paperfeed.models import Paper, Recommendation
from paperfeed.settings import TldrSettings
from paperfeed.store import AppStore
from paperfeed.tldr import extractive_tldr

log = logging.getLogger("paperfeed.tldr")


@dataclass
class TldrStats:
    """What a run's TL;DRs came from: written by the model now, cached, or extractive
    (``failed`` of them because the model failed, ``over_budget`` because the budget was
    spent)."""

    llm: int = 0
    cached: int = 0
    extractive: int = 0
    failed: int = 0
    over_budget: int = 0
    last_error: str = ""

    def line(self) -> str:
        """One line for the run's status."""
        parts = [f"{self.llm} written by the model", f"{self.cached} cached"]
        parts.append(f"{self.extractive} extractive")
        if self.failed:
            parts.append(f"{self.failed} model failures (last: {self.last_error})")
        if self.over_budget:
            parts.append(f"{self.over_budget} over the run's budget")
        return "TL;DRs: " + ", ".join(parts)


class Summarizer:
    """Adds TL;DRs to recommendations per :class:`TldrSettings` (see the module docstring);
    one per run, so that its budget and counts cover the run."""

    def __init__(self, store: AppStore, settings: TldrSettings) -> None:
        self.store = store
        self.settings = settings
        self.stats = TldrStats()
        self.budget = settings.budget
        self._client: ChatClient | None = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def add(self, recs: Sequence[Recommendation], language: str) -> list[Recommendation]:
        """``recs`` with a TL;DR each, in the same order."""
        lines = {r.paper.id: extractive_tldr(r.paper.abstract, r.paper.title) for r in recs}
        if self.settings.mode == "llm" and recs:
            lines.update(self._from_model([r.paper for r in recs], language))
        else:
            self.stats.extractive += len(recs)
        return [replace(r, tldr=lines[r.paper.id]) for r in recs]

    def _from_model(self, papers: Sequence[Paper], language: str) -> dict[str, str]:
        """The model's TL;DRs of the ``papers`` it could write (cached ones first)."""
        model = self.settings.model
        cached = self.store.tldrs(model, language, [p.id for p in papers])
        self.stats.cached += len(cached)
        todo = [p for p in papers if p.id not in cached and p.abstract.strip()]
        self.stats.extractive += len(papers) - len(cached) - len(todo)
        asked, skipped = todo[: self.budget], todo[self.budget :]
        self.budget -= len(asked)
        self.stats.over_budget += len(skipped)
        self.stats.extractive += len(skipped)
        written: dict[str, str] = {}
        if asked:
            with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
                answers = list(pool.map(lambda p: self._try(p, language), asked))
            written = {p.id: a for p, a in zip(asked, answers, strict=True) if a}
            self.store.put_tldrs(model, language, written.items())
        self.stats.llm += len(written)
        self.stats.failed += len(asked) - len(written)
        self.stats.extractive += len(asked) - len(written)
        return {**cached, **written}

    def _try(self, paper: Paper, language: str) -> str:
        """The model's TL;DR of ``paper``, or empty (logged) when asking failed."""
        try:
            return self._model_tldr(paper, language)
        except (FetchError, OSError, ValueError) as exc:
            self.stats.last_error = str(exc)
            log.warning("TL;DR of %s from the model failed: %s", paper.id, exc)
            return ""

    def _model_tldr(self, paper: Paper, language: str) -> str:
        """One TL;DR from the endpoint (its client made on first use)."""
        if self._client is None:
            s = self.settings
            self._client = ChatClient(s.base_url, s.model, api_key=s.key, timeout=s.timeout)
        return self._client.tldr(paper.title, paper.abstract, language)
