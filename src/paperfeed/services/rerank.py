"""Optional LLM re-ranking: the top ``rerank_top`` papers of a user's normal ranking, sent in
one prompt with the user's interest statement to the OpenAI-compatible chat endpoint of
``[tldr]``, come back in the model's order. Off by default (``[users.NAME] rerank = true``).

The answer is parsed strictly (:func:`paperfeed.fetch.llm.parse_ranking`); a malformed
answer, a time-out, an error status or a spent budget keeps the ranker's order, is logged in
one line and counted in :class:`RerankStats` (the daily run's status); no item is ever
dropped. Answers are cached in the store per (interest statement, candidate ids, model).

Scores after a re-ranking: the items keep reading as a ranking (each score at most the one
above it) because the re-ordered head hands out its own scores, best first, in the model's
order; each item's own score and place stay in ``components["ranker_score"]`` and
``components["ranker_rank"]``."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from paperfeed.fetch.http import FetchError
from paperfeed.fetch.llm import ChatClient
from paperfeed.models import Recommendation
from paperfeed.services.common import UserError
from paperfeed.settings import ConfigError, RerankSettings, Settings, TldrSettings, UserDelivery
from paperfeed.store import AppStore

log = logging.getLogger("paperfeed.rerank")

PROMPT_VERSION = 1
"""Part of the cache key: a changed prompt asks again."""


@dataclass
class RerankStats:
    """A run's re-rankings: by the model now, from the cache, and those that kept the
    ranker's order because the model failed or the budget was spent."""

    reranked: int = 0
    cached: int = 0
    failed: int = 0
    over_budget: int = 0
    last_error: str = ""

    @property
    def asked(self) -> int:
        """Re-rankings wanted, whatever came of them."""
        return self.reranked + self.cached + self.failed + self.over_budget

    def line(self) -> str:
        """One line for the run's status."""
        parts = [f"{self.reranked} by the model", f"{self.cached} cached"]
        if self.failed:
            parts.append(f"{self.failed} failed, kept the ranker's order (last: {self.last_error})")
        if self.over_budget:
            parts.append(f"{self.over_budget} over the run's budget, kept the ranker's order")
        return "Re-ranking: " + ", ".join(parts)


def check_rerank(settings: Settings) -> None:
    """One clear :class:`ConfigError` at start-up when a user has ``rerank = true`` but no
    interest statement, or the ``[tldr]`` endpoint lacks its URL, model or key variable."""
    for user in settings.delivery.users:
        if user.rerank:
            needs = f"users.{user.name}.rerank is true"
            if not user.interest_statement:
                raise ConfigError(
                    f"{settings.delivery.path}: {needs} but users.{user.name}.interest_statement "
                    "is empty"
                )
            settings.tldr.check(needs)


def cache_key(model: str, statement: str, paper_ids: Sequence[str]) -> str:
    """The cache key of a re-ranking: the model, the statement and the set of candidates."""
    text = "\n".join([f"rerank {PROMPT_VERSION}", model, statement, *sorted(paper_ids)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reorder(recs: Sequence[Recommendation], order: Sequence[str]) -> list[Recommendation]:
    """``recs`` with the items ``order`` names first, in that order, then the others as they
    were; renumbered, each score the one of its place (see the module docstring)."""
    by_id = {r.paper.id: r for r in recs}
    first = [by_id[i] for i in order if i in by_id]
    named = {r.paper.id for r in first}
    moved = first + [r for r in recs if r.paper.id not in named]
    scores = sorted((r.score for r in recs), reverse=True)
    return [
        replace(
            r,
            rank=n,
            score=scores[n - 1],
            components={**r.components, "ranker_rank": float(r.rank), "ranker_score": r.score},
        )
        for n, r in enumerate(moved, start=1)
    ]


class Reranker:
    """Re-ranks recommendations per user (see the module docstring) as the installation's
    ``settings`` say (None: the defaults, every user's re-ranking off); one per run, so that
    its budget and counts cover the run."""

    def __init__(self, store: AppStore, settings: Settings | None) -> None:
        self.store = store
        self._settings = settings
        self.stats = RerankStats()
        self._budget: int | None = None
        self._client: ChatClient | None = None

    @property
    def endpoint(self) -> TldrSettings:
        """The chat endpoint (config.toml ``[tldr]``)."""
        return self._settings.tldr if self._settings else TldrSettings()

    @property
    def limits(self) -> RerankSettings:
        """Time-out and budget (config.toml ``[rerank]``)."""
        return self._settings.rerank if self._settings else RerankSettings()

    def user(self, name: str) -> UserDelivery | None:
        """``name``'s settings (config.toml ``[users.NAME]``), None if it has none."""
        return self._settings.delivery.user(name) if self._settings else None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def depth(self, name: str, wanted: bool | None = None) -> int:
        """How many top papers user ``name``'s ranking re-orders (0: none): ``rerank_top``
        when ``wanted`` (None: as config.toml says for the user). Asking for it without an
        interest statement is a :class:`UserError`, without an endpoint a ConfigError."""
        user = self.user(name)
        if not ((user is not None and user.rerank) if wanted is None else wanted):
            return 0
        if user is None or not user.interest_statement:
            raise UserError(
                f"re-ranking needs an interest statement: set users.{name}.interest_statement "
                "in config.toml"
            )
        self.endpoint.check(f"users.{name}.rerank is true")
        return user.rerank_top

    def rerank(self, name: str, recs: Sequence[Recommendation], depth: int) -> list[Recommendation]:
        """``recs`` with their first ``depth`` items in the model's order (all of them kept);
        the ranker's order when ``depth`` is below 2 or the model fails."""
        head, user = list(recs[:depth]), self.user(name)
        if user is None or len(head) < 2:
            return list(recs)
        ids = [r.paper.id for r in head]
        key = cache_key(self.endpoint.model, user.interest_statement, ids)
        order = self.store.llm_ranking(key)
        if order is not None:
            self.stats.cached += 1
        elif self._spend() is False:
            self.stats.over_budget += 1
            log.warning("re-ranking for %s: the run's budget is spent; kept the order", name)
            return list(recs)
        else:
            order = self._ask(user, head)
            if order is None:
                return list(recs)
            self.store.put_llm_ranking(key, self.endpoint.model, order)
            self.stats.reranked += 1
        return reorder(head, order) + [
            replace(r, rank=n) for n, r in enumerate(recs[depth:], start=len(head) + 1)
        ]

    def _spend(self) -> bool:
        """Take one request from the run's budget; False when it is spent."""
        if self._budget is None:
            self._budget = self.limits.budget
        if self._budget <= 0:
            return False
        self._budget -= 1
        return True

    def _ask(self, user: UserDelivery, head: Sequence[Recommendation]) -> list[str] | None:
        """The model's order of ``head``, or None (logged, counted) when asking failed."""
        if self._client is None:
            e = self.endpoint
            self._client = ChatClient(
                e.base_url, e.model, api_key=e.key, timeout=self.limits.timeout
            )
        papers = [(r.paper.id, r.paper.display_title, r.paper.abstract) for r in head]
        try:
            return self._client.rerank(user.interest_statement, papers)
        except (FetchError, OSError, ValueError) as exc:
            self.stats.failed += 1
            self.stats.last_error = " ".join(str(exc).split())
            log.warning("re-ranking for %s failed, kept the ranker's order: %s", user.name, exc)
            return None
