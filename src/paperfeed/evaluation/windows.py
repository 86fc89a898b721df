"""The windows of the author-history sweep, which ones tune and which are held out, and
running every method on a list of them in one process (embeddings cached in the store).

Leave-windows-out: ranker defaults may only be chosen on the :data:`TUNING` windows; the
:data:`HELD_OUT` ones report how those choices generalize. The split is fixed here, so
every report says the same thing about the same window.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from paperfeed.evaluation.authors import METHODS, evaluate_window, read_corpus
from paperfeed.models import Paper
from paperfeed.rank import DEFAULT_PARAMS, RankParams

ARXIV_CORPUS = "arxiv-cs-2025-2026.jsonl.gz"
CONFERENCE_CORPUS = "conference-papers.jsonl.gz"
TUNING = "tuning"
HELD_OUT = "held-out"


@dataclass(frozen=True, slots=True)
class Window:
    """One benchmark window: the feed is every paper of ``corpus`` listed in
    ``[t, t + days)``, the profiles what was listed before ``t``."""

    name: str
    corpus: str
    """File name in the data directory."""
    t: str
    days: int
    role: str
    """:data:`TUNING` or :data:`HELD_OUT`."""


def _arxiv(t: str, role: str) -> Window:
    return Window(f"arxiv-{t[:7]}", ARXIV_CORPUS, t, 28, role)


WINDOWS: tuple[Window, ...] = (
    _arxiv("2025-07-01", HELD_OUT),
    _arxiv("2025-08-01", HELD_OUT),
    _arxiv("2025-09-01", HELD_OUT),
    _arxiv("2025-11-01", TUNING),
    _arxiv("2025-12-01", TUNING),
    _arxiv("2026-01-01", HELD_OUT),
    _arxiv("2026-02-01", TUNING),  # the reference window of the earlier issues
    _arxiv("2026-03-01", HELD_OUT),
    _arxiv("2026-06-01", HELD_OUT),
    _arxiv("2026-07-01", HELD_OUT),
    # another field and era: conference papers, their publication years as the time axis
    Window("conference-2019", CONFERENCE_CORPUS, "2019-01-01", 365, HELD_OUT),
)
"""Ten 28-day arXiv windows from July 2025 to July 2026 (the corpus runs from 2025-03-18
to 2026-08-21, so every window has at least 3.5 months of history before it) and the
conference papers of 2019. Three arXiv windows tune: the reference window of earlier
reports and the two before it, the smallest windows (1,042–1,895 candidates, so a tuning
run is cheap); the seven other arXiv windows and the conference window are held out."""


def select_windows(spec: str, windows: Sequence[Window] = WINDOWS) -> list[Window]:
    """The windows a ``--windows`` value names: ``all``, ``tuning``, ``held-out``, or a
    comma-separated list of window names or first days (``arxiv-2026-02,2025-07-01``)."""
    spec = spec.strip()
    if spec == "all":
        return list(windows)
    if spec in (TUNING, HELD_OUT):
        return [w for w in windows if w.role == spec]
    chosen: list[Window] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        match = [w for w in windows if part in (w.name, w.t)]
        if not match:
            names = ", ".join(w.name for w in windows)
            raise ValueError(
                f"--windows: unknown window {part!r}; use all, {TUNING}, {HELD_OUT} or "
                f"names from: {names}"
            )
        chosen.extend(w for w in match if w not in chosen)
    if not chosen:
        raise ValueError("--windows: no window named")
    return chosen


@dataclass(frozen=True, slots=True)
class WindowResult:
    """One window's figures: every method's metrics per user (users in draw order; NaN
    where a user has no value, e.g. nothing left to find after feedback rounds)."""

    window: Window
    users: int
    eligible: int
    candidates: int
    relevant: int
    per_user: dict[str, dict[str, list[float]]]
    """``{method: {metric: [value of user 0, user 1, …]}}``."""

    @property
    def methods(self) -> list[str]:
        return list(self.per_user)

    def values(self, method: str, metric: str) -> np.ndarray:
        return np.asarray(self.per_user[method][metric], dtype=np.float64)

    def mean(self, method: str, metric: str) -> float:
        """The method's mean over the users that have the figure (0.0 if none do)."""
        x = self.values(method, metric)
        known = x[~np.isnan(x)]
        return float(known.mean()) if len(known) else 0.0

    def describe(self) -> str:
        w = self.window
        return (
            f"{w.name} ({w.role}): T={w.t}, {w.days} days, {self.users} users "
            f"(of {self.eligible} eligible), {self.candidates} candidates, "
            f"{self.relevant} relevant"
        )


def _columns(rows: Sequence[dict[str, float]]) -> dict[str, list[float]]:
    keys = list(rows[0]) if rows else []
    return {k: [float(r.get(k, math.nan)) for r in rows] for k in keys}


def run_windows(
    windows: Sequence[Window],
    data: Path,
    embed: Callable[[Sequence[Paper]], np.ndarray],
    *,
    users: int = 300,
    seed: int = 1,
    params: RankParams = DEFAULT_PARAMS,
    variants: Mapping[str, RankParams] | None = None,
    methods: Collection[str] = tuple(METHODS),
    feedback_rounds: int = 0,
    progress: bool = False,
    popularity_weight: float | None = None,
) -> list[WindowResult]:
    """Every method of ``methods`` and paperfeed variant of ``variants`` on each window, in
    order; each corpus (a file in the directory ``data``) is read once. ``embed`` should
    cache (the store does, by content hash), so a second sweep embeds nothing."""
    out: list[WindowResult] = []
    corpora: dict[str, list] = {}
    bar = tqdm(windows, desc="windows", unit="window", disable=not progress, file=sys.stderr)
    for w in bar:
        bar.set_postfix_str(w.name)
        if w.corpus not in corpora:
            corpora.clear()  # one corpus in memory at a time
            corpora[w.corpus] = read_corpus(data / w.corpus)
        report = evaluate_window(
            corpora[w.corpus],
            embed,
            w.t,
            w.days,
            users=users,
            seed=seed,
            params=params,
            variants=variants,
            methods=methods,
            feedback_rounds=feedback_rounds,
            progress=progress,
            popularity_weight=popularity_weight or None,
        )
        b = report.bench
        out.append(
            WindowResult(
                window=w,
                users=len(b.users),
                eligible=b.n_eligible,
                candidates=len(b.candidates),
                relevant=sum(len(u.relevant) for u in b.users),
                per_user={m: _columns(rows) for m, rows in report.per_user.items()},
            )
        )
    bar.close()
    return out
