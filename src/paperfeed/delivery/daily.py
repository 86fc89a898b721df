"""The daily run's parts: fetch the configured sources (store and embed the new papers), then
rank for every user with an e-mail address (:meth:`Paperfeed.recommend_and_ask`, the one
ranking path) and send each their digest. :meth:`Delivery.run_daily
<paperfeed.delivery.service.Delivery.run_daily>` puts them together.

Idempotent per day and resumable: each delivery is recorded in the store (user, day, channel)
right after it is sent, so a second run, or a run after a crash, sends only what is missing. A
day without new papers, or with a failed source, gets a short status e-mail instead of silence.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from paperfeed.delivery.feedback import EMAIL
from paperfeed.delivery.links import digest_links
from paperfeed.delivery.mail import SendFailure
from paperfeed.digest.email import build_message, render_digest, render_status
from paperfeed.models import Recommendation
from paperfeed.services import Paperfeed, RemoteFetch, UserError, days_before
from paperfeed.services.trending import trending
from paperfeed.settings import WEEKDAYS, DeliverySettings, UserDelivery, source_kind

log = logging.getLogger("paperfeed.daily")

ASK_PER_DIGEST = 3
"""Papers a digest asks the reader to rate (active learning), after the recommendations."""
LOCK_FILE = "daily.lock"


class Sender(Protocol):
    def send(self, msg: EmailMessage) -> int: ...


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
class UserResult:
    """What happened to one user's delivery; ``outcome`` is sent, status, skipped or failed."""

    user: str
    email: str
    outcome: str
    detail: str = ""

    def line(self) -> str:
        return f"{self.user} <{self.email}>: {self.outcome}" + (
            f" ({self.detail})" if self.detail else ""
        )


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
    """Who gets a digest: config.toml's users with an e-mail address, each with what they
    chose on the web app's settings page (an e-mail there wins, as do its frequency, "off"
    included, and a size above 0), then the web app's users with an e-mail config.toml does
    not list."""
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
                frequency=account.digest_frequency,
                size=account.digest_size or (user.size if user.name in listed else settings.size),
            )
        if user.email:
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
    """One day's e-mails to every configured user (see the module docstring)."""

    app: Paperfeed
    settings: DeliverySettings
    secret: bytes
    day: str
    now: datetime
    sender: Sender | None = None
    dry_run: bool = False
    save_dir: Path | None = None
    report_user: Callable[[UserResult], None] = lambda r: None

    def run(self, sources: Sequence[SourceResult] = ()) -> DailyReport:
        report = DailyReport(self.day, list(sources))
        failures = [f"{s.spec} failed: {s.error}" for s in sources if s.error]
        until = (date.fromisoformat(self.day) + timedelta(days=1)).isoformat()
        for user in recipients(self.app, self.settings):
            result = self._deliver(user, until, failures)
            report.users.append(result)
            self.report_user(result)
        return report

    def _deliver(self, user: UserDelivery, until: str, failures: list[str]) -> UserResult:
        def result(outcome: str, detail: str = "") -> UserResult:
            return UserResult(user.name, user.email, outcome, detail)

        if not user.due(date.fromisoformat(self.day).weekday()):
            return result(
                "skipped", f"weekly digest, next on {next_weekday(self.day, user.weekday)}"
            )
        if not self.app.store.is_subscribed(user.name, EMAIL):
            return result("skipped", "unsubscribed")
        done = self.app.store.delivery(user.name, self.day, EMAIL)
        if done is not None:
            return result("skipped", f"{done} already sent for {self.day}")
        since = days_before(self.day, user.window_days)
        recs: list[Recommendation] = []
        ask: list[Recommendation] = []
        trend: list[Recommendation] = []
        try:
            self.app.user_signals(user.name)  # a missing user or empty profile: no mail at all
            if self.app.store.papers_between(since, until, limit=1):
                recs, ask = self.app.recommend_and_ask(
                    user.name, since=since, until=until, top=user.size, k=ASK_PER_DIGEST
                )
            if recs:
                shown = {r.paper.id for r in [*recs, *ask]}
                trend = trending(self.app, user.name, until=until, exclude=shown)
        except UserError as exc:
            log.warning("no digest for %s: %s", user.name, exc)
            return result("failed", str(exc))
        message, kind, detail = self._message(user, recs, failures, ask, trend)
        if self.save_dir is not None:
            self.save_dir.mkdir(parents=True, exist_ok=True)
            (self.save_dir / f"{self.day}-{user.name}.eml").write_bytes(message.as_bytes())
        if self.dry_run:
            return result("dry run", f"would send {detail}: {message['Subject']}")
        if self.sender is None:
            raise RuntimeError("DailyRun needs a sender unless dry_run is set")
        try:
            attempts = self.sender.send(message)
        except SendFailure as exc:
            log.warning("sending to %s failed: %s", user.name, exc)
            kind_of = "permanent" if exc.permanent else "transient"
            return result("failed", f"{kind_of}: {exc}")
        self.app.store.record_delivery(user.name, self.day, EMAIL, kind, detail)
        shown_ids = [r.paper.id for r in [*recs, *ask, *trend]]
        self.app.store.record_shown(user.name, self.day, shown_ids)
        tries = f", {attempts} tries" if attempts > 1 else ""
        return result("sent", f"{detail}{tries}")

    def _message(
        self,
        user: UserDelivery,
        recs: list[Recommendation],
        failures: list[str],
        ask: Sequence[Recommendation] = (),
        trend: Sequence[Recommendation] = (),
    ) -> tuple[EmailMessage, str, str]:
        """(message, kind, detail): the digest, or the status e-mail when there is nothing."""
        links = digest_links(
            self.secret,
            self.settings.base_url,
            user.name,
            [r.paper for r in [*recs, *ask, *trend]],
            now=self.now.timestamp(),
            ttl_days=self.settings.token_days,
            feed_generation=feed_generation(self.app, user.name),
        )
        if recs:
            notices = [f"Source {f}" for f in failures]
            content = render_digest(
                recs, links, user=user.name, day=self.day, notices=notices, ask=ask, trending=trend
            )
            kind, detail = "digest", f"digest of {len(recs)} papers"
        else:
            content = render_status(
                links, user=user.name, day=self.day, no_new_papers=True, failures=failures
            )
            kind = "status"
            detail = "status: " + ("source failed" if failures else "no new papers")
        message = build_message(
            content,
            sender=self.settings.smtp.from_addr or "paperfeed <paperfeed@localhost>",
            to=user.email,
            when=self.now,
            unsubscribe_url=links.unsubscribe,
        )
        return message, kind, detail
