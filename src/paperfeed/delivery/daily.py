"""The daily run's parts: fetch the configured sources (store and embed the new papers), then
rank for every user with an e-mail address or a chat channel
(:meth:`Paperfeed.recommend_and_ask`, the one ranking path) and deliver each their digest to
every address and channel (:mod:`paperfeed.delivery.targets`). :meth:`Delivery.run_daily
<paperfeed.delivery.service.Delivery.run_daily>` puts them together.

Idempotent per day and resumable: each delivery is recorded in the store (user, day, channel)
right after it is sent, so a second run, or a run after a crash, sends only what is missing. A
day without new papers, or with a failed source, gets a short status message instead of
silence.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from paperfeed.delivery.links import digest_links
from paperfeed.delivery.targets import ChannelOpener, Fanout, Sender, UserResult
from paperfeed.digest.content import Digest
from paperfeed.digest.linkset import DigestLinks
from paperfeed.models import Recommendation
from paperfeed.services import Paperfeed, RemoteFetch, UserError, days_before
from paperfeed.services.trending import trending
from paperfeed.settings import WEEKDAYS, DeliverySettings, UserDelivery, source_kind

log = logging.getLogger("paperfeed.daily")

ASK_PER_DIGEST = 3
"""Papers a digest asks the reader to rate (active learning), after the recommendations."""
LOCK_FILE = "daily.lock"


@dataclass
class SourceResult:
    """What one configured source gave: new papers stored, or why it failed."""

    spec: str
    new: int = 0
    read: int = 0
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"source {self.spec}: FAILED: {self.error}"
        return f"source {self.spec}: {self.read} read, {self.new} new"


@dataclass
class DailyReport:
    day: str
    sources: list[SourceResult] = field(default_factory=list)
    users: list[UserResult] = field(default_factory=list)
    tldr: str = ""
    """In ``llm`` mode: where the run's TL;DRs came from (model, cache, extractive; failures
    counted); empty otherwise."""
    rerank: str = ""
    """When a user's ranking was re-ranked by the model: how (model, cache, failures and spent
    budget counted); empty otherwise."""

    @property
    def failed(self) -> list[UserResult]:
        return [u for u in self.users if u.outcome == "failed"]


def fetch_sources(
    app: Paperfeed,
    specs: Sequence[str],
    *,
    day: str,
    base_dir: Path,
    remote: RemoteFetch,
) -> list[SourceResult]:
    """Store and embed what each source gives; a failing source is logged with its cause and
    reported, never fatal. ``file:`` paths are relative to ``base_dir`` (the home)."""
    results = []
    for spec in specs:
        result = SourceResult(spec)
        try:
            kind, arg = source_kind(spec)
            if kind == "file":
                path = Path(arg).expanduser()
                summary = app.ingest(path if path.is_absolute() else base_dir / path)
                result.read, result.new = summary.read, summary.inserted
            else:
                parsed = remote(kind, arg, day)
                summary = app.store_result(kind, parsed, embed=True)
                result.read, result.new = len(parsed.papers), summary.inserted
        except Exception as exc:  # one broken source must not stop the others or delivery
            known = isinstance(exc, ValueError | OSError)
            result.error = str(exc) if known else f"{type(exc).__name__}: {exc}"
            log.warning("source %s failed: %s", spec, result.error)
        results.append(result)
    return results


def recipients(app: Paperfeed, settings: DeliverySettings) -> list[UserDelivery]:
    """Who gets a digest: config.toml's users with an e-mail address or a channel, each with
    what they chose on the web app's settings page (an e-mail there replaces the first
    address, and its frequency, "off" included, and a size above 0 win), then the web app's
    users with an e-mail config.toml does not list."""
    out: list[UserDelivery] = []
    listed = {u.name for u in settings.users}
    web = [u for u in app.store.users() if u not in listed]
    for user in [*settings.users, *(UserDelivery(name, "") for name in web)]:
        account = app.store.account(user.name)
        if account is not None and account.email:
            if account.digest_frequency == "off":
                continue
            user = replace(
                user,
                email=account.email,
                extra_emails=tuple(e for e in user.extra_emails if e != account.email),
                frequency=account.digest_frequency,
                size=account.digest_size or (user.size if user.name in listed else settings.size),
            )
        if user.reachable:
            out.append(user)
    return out


def feed_generation(app: Paperfeed, user: str) -> int:
    """How often ``user`` rotated their private feed address (0: never)."""
    account = app.store.account(user)
    return account.feed_generation if account else 0


class DailyRunning(ValueError):
    """Another daily run holds this home's lock."""


@contextlib.contextmanager
def run_lock(home: Path) -> Iterator[None]:
    """One daily run at a time per home (cron overlapping a slow run would send twice)."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_FILE
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DailyRunning(
                f"another `paperfeed daily` is running on {home} (it holds {path})"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def next_weekday(day: str, weekday: str) -> str:
    d = date.fromisoformat(day)
    ahead = (WEEKDAYS.index(weekday) - d.weekday()) % 7 or 7
    return (d + timedelta(days=ahead)).isoformat()


@dataclass
class DailyRun:
    """One day's digests to every configured user (see the module docstring)."""

    app: Paperfeed
    settings: DeliverySettings
    secret: bytes
    day: str
    now: datetime
    sender: Sender | None = None
    dry_run: bool = False
    save_dir: Path | None = None
    report_user: Callable[[UserResult], None] = lambda r: None
    open_channel: ChannelOpener | None = None

    def run(self, sources: Sequence[SourceResult] = ()) -> DailyReport:
        report = DailyReport(self.day, list(sources))
        failures = [f"{s.spec} failed: {s.error}" for s in sources if s.error]
        until = (date.fromisoformat(self.day) + timedelta(days=1)).isoformat()
        for user in recipients(self.app, self.settings):
            for result in self._deliver(user, until, failures):
                report.users.append(result)
                self.report_user(result)
        return report

    def _deliver(self, user: UserDelivery, until: str, failures: list[str]) -> list[UserResult]:
        """One line per address and channel of ``user`` (one for the user when nothing can
        be sent): each delivered on its own."""
        if not user.due(date.fromisoformat(self.day).weekday()):
            detail = f"weekly digest, next on {next_weekday(self.day, user.weekday)}"
            return [UserResult(user.name, user.email, "skipped", detail)]
        fanout = Fanout(
            self.app,
            user,
            self.day,
            self.now,
            self.settings.smtp.from_addr or "paperfeed <paperfeed@localhost>",
            sender=self.sender,
            open_channel=self.open_channel,
            dry_run=self.dry_run,
            save_dir=self.save_dir,
        )
        pending, skipped = fanout.plan()
        if not pending:
            return skipped
        since = days_before(self.day, user.window_days)
        recs: list[Recommendation] = []
        ask: list[Recommendation] = []
        trend: list[Recommendation] = []
        try:
            self.app.user_signals(user.name)  # a missing user or empty profile: no digest
            if self.app.store.papers_between(since, until, limit=1):
                recs, ask = self.app.recommend_and_ask(
                    user.name, since=since, until=until, top=user.size, k=ASK_PER_DIGEST
                )
            if recs:
                shown = {r.paper.id for r in [*recs, *ask]}
                trend = trending(self.app, user.name, until=until, exclude=shown)
        except UserError as exc:
            log.warning("no digest for %s: %s", user.name, exc)
            return [*skipped, UserResult(user.name, user.email, "failed", str(exc))]
        links = self._links(user, [*recs, *ask, *trend])
        digest = Digest(
            user.name, self.day, links, tuple(recs), tuple(ask), tuple(failures), tuple(trend)
        )
        return [*skipped, *fanout.deliver(digest, pending)]

    def _links(self, user: UserDelivery, recs: Sequence[Recommendation]) -> DigestLinks:
        """Fresh signed links for every paper of ``user``'s digest (``recs``: all of them)."""
        return digest_links(
            self.secret,
            self.settings.base_url,
            user.name,
            [r.paper for r in recs],
            now=self.now.timestamp(),
            ttl_days=self.settings.token_days,
            feed_generation=feed_generation(self.app, user.name),
        )
