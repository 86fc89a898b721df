"""The delivery use cases in one place, for the CLI (``daily``, ``serve``, ``feed``,
``subscribe``) and the web endpoint: a user's feed, the daily run, redeeming one-click links,
subscriptions and the start-up check. Built from the library object (:class:`Paperfeed`), the
installation's settings and its link-signing secret."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from paperfeed.delivery import tokens
from paperfeed.delivery.channels import Channel, check_channels, open_channel
from paperfeed.delivery.daily import (
    DailyReport,
    DailyRun,
    Sender,
    SourceResult,
    UserResult,
    feed_generation,
    fetch_sources,
    run_lock,
)
from paperfeed.delivery.feedback import EMAIL, Rated, redeem_rating, redeem_unsubscribe
from paperfeed.delivery.feedfile import write_feed_file
from paperfeed.delivery.links import digest_links, feed_url
from paperfeed.delivery.mail import Mailer, check_smtp
from paperfeed.delivery.tokens import Claims
from paperfeed.digest.feed import render_feed
from paperfeed.fetch.webhooks import WebhookSender
from paperfeed.models import Recommendation
from paperfeed.services import Paperfeed, RemoteFetch, UserError, remote_fetcher
from paperfeed.services.trending import trending
from paperfeed.settings import (
    ChannelSettings,
    ConfigError,
    DeliverySettings,
    Settings,
    UserDelivery,
)

log = logging.getLogger("paperfeed.delivery")


class Delivery:
    """What an installation delivers, and to whom (see the module docstring)."""

    def __init__(self, app: Paperfeed, settings: Settings, secret: bytes) -> None:
        self.app = app
        self.settings = settings
        self.secret = secret

    @property
    def config(self) -> DeliverySettings:
        """The delivery settings of config.toml."""
        return self.settings.delivery

    @staticmethod
    def check(settings: DeliverySettings, *, smtp: bool = True) -> list[UserDelivery]:
        """The recipients (users with an e-mail address or a chat channel), after checking
        there are some, that every channel's secret is in the environment and, with ``smtp``
        (and an address to send to), that the SMTP server takes our login: one clear line
        before anything is fetched or sent. A static method: it needs neither the store nor
        the secret."""
        recipients = [u for u in settings.users if u.reachable]
        if not recipients:
            raise ConfigError(
                f"{settings.path}: no user has an e-mail address or a channel; add a "
                '[users.NAME] table with email = "…" (`paperfeed config-example` shows one)'
            )
        check_channels(recipients)
        if smtp and any(u.emails for u in recipients):
            check_smtp(settings.smtp)
        return recipients

    # --- feeds ------------------------------------------------------------------------------

    def user_feed(
        self,
        user: str,
        *,
        days: int | None = None,
        interest: int | None = None,
        fmt: str = "atom",
        now: datetime,
        or_empty: bool = False,
    ) -> tuple[list[Recommendation], str]:
        """``user``'s recommendations and their feed document (``fmt`` atom or rss) with fresh
        rating links: the one place a feed is assembled. ``days`` defaults to
        ``digest.feed_days``; ``interest`` (numbered from 0) keeps one interest's papers. With
        ``or_empty``, a user who cannot be ranked (empty profile or store) gets an empty feed
        instead of a :class:`UserError`."""
        config = self.config
        wanted = config.user(user)
        top = wanted.size if wanted else config.size
        try:
            recs = self.app.recommend(user, days=days or config.feed_days, top=top)
        except UserError as exc:
            if not or_empty:
                raise
            log.info("empty feed for %s: %s", user, exc)
            recs = []
        hot = trending(self.app, user, exclude={r.paper.id for r in recs}) if recs else []
        generation = feed_generation(self.app, user)
        links = digest_links(
            self.secret,
            config.base_url,
            user,
            [r.paper for r in [*recs, *hot]],
            now=now.timestamp(),
            ttl_days=config.token_days,
            feed_generation=generation,
        )
        document = render_feed(
            recs,
            links,
            user=user,
            self_url=feed_url(
                config.base_url, tokens.feed_token(self.secret, user, generation), interest, fmt
            ),
            home_url=config.base_url,
            now=now,
            interest=interest,
            fmt=fmt,
            trending=hot,
        )
        return recs, document

    def feed_owner(self, token: str, *, now: float) -> str:
        """The user whose private feed ``token`` opens; :class:`TokenError` if it does not."""
        return tokens.verify(self.secret, token, now=now, actions=(tokens.FEED,)).user

    def has_user(self, user: str) -> bool:
        """Whether ``user`` is stored (a feed link can outlive its user)."""
        return self.app.store.account(user) is not None

    def _write_feeds(self, now: datetime) -> None:
        """Every configured user's Atom feed into ``digest.feed_dir``, named by feed token."""
        folder = Path(self.config.feed_dir).expanduser()
        for user in self.config.users:
            try:
                _, document = self.user_feed(user.name, now=now)
            except UserError as exc:
                log.warning("no feed for %s: %s", user.name, exc)
                continue
            token = tokens.feed_token(self.secret, user.name, feed_generation(self.app, user.name))
            write_feed_file(folder / f"{token}.xml", document)

    # --- the daily run ----------------------------------------------------------------------

    def run_daily(
        self,
        *,
        day: str,
        now: datetime,
        sender: Sender | None = None,
        dry_run: bool = False,
        fetch: bool = True,
        save_dir: Path | None = None,
        remote: RemoteFetch | None = None,
        report_source: Callable[[SourceResult], None] = lambda r: None,
        report_user: Callable[[UserResult], None] = lambda r: None,
        http: WebhookSender | None = None,
    ) -> DailyReport:
        """Fetch the configured sources (unless ``fetch`` is false), e-mail ``day``'s digests
        (through ``sender``, default the configured SMTP server) and post them to the users'
        chat channels (through ``http``, default a client of ``[webhooks]``'s settings), write
        the feed files, forget expired link nonces. One run per home at a time
        (:class:`DailyRunning` otherwise). A ``dry_run`` still fetches and ranks, but sends,
        records and writes no delivery."""
        config = self.config
        with run_lock(self.settings.home), contextlib.ExitStack() as stack:
            if sender is None and not dry_run:
                sender = stack.enter_context(Mailer(config.smtp))
            clients = [http] if http is not None else []

            def opener(channel: ChannelSettings) -> Channel:
                if not clients:  # made on first use: a run without channels needs none
                    clients.append(stack.enter_context(WebhookSender(config.webhooks)))
                return open_channel(channel, clients[0])

            sources: list[SourceResult] = []
            if fetch:
                home, remote = self.settings.home, remote or remote_fetcher()
                sources = fetch_sources(
                    self.app, config.sources, day=day, base_dir=home, remote=remote
                )
            for source in sources:
                report_source(source)
            run = DailyRun(
                self.app,
                config,
                self.secret,
                day,
                now,
                sender=sender,
                dry_run=dry_run,
                save_dir=save_dir,
                report_user=report_user,
                open_channel=opener,
            )
            report = run.run(sources)
            if self.app.summarizer.settings.mode == "llm":
                report.tldr = self.app.summarizer.stats.line()
            if self.app.reranker.stats.asked:
                report.rerank = self.app.reranker.stats.line()
            if not dry_run:
                if config.feed_dir:
                    self._write_feeds(now)
                self.app.store.prune_token_nonces(int(now.timestamp()))
        return report

    # --- one-click links and subscriptions --------------------------------------------------

    def redeem_rating(self, token: str, now: float) -> Rated:
        """Record the rating a digest's 👍/👎 link carries, once (:func:`redeem_rating`)."""
        return redeem_rating(self.app, self.secret, token, now=now)

    def redeem_unsubscribe(self, token: str, now: float) -> Claims:
        """Stop the e-mails of the user an unsubscribe link names (idempotent)."""
        return redeem_unsubscribe(self.app, self.secret, token, now=now)

    def set_subscribed(self, user: str, on: bool) -> bool:
        """Turn ``user``'s digest e-mails on or off; whether that changed anything."""
        return self.app.store.set_subscribed(user, EMAIL, on)
