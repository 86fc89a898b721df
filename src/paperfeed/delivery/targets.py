"""Where one user's digest goes, each place on its own: every e-mail address and every chat
channel is a :class:`Target`, delivered independently, so a failing channel (or a refused
address) is one failed line in the run's status while the others still get the digest.

Each target's delivery is recorded in the store under its ``key`` (``email`` for the first
address, ``email:ADDRESS`` for the others, the channel's name for a channel), so a second run
of the day, or a run after a crash, delivers only what is missing. A paper counts as shown
once any target delivered it (the "never show a paper twice" filter then leaves it out).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from paperfeed.delivery.channels import Channel, ChannelError, Outgoing
from paperfeed.delivery.feedback import EMAIL
from paperfeed.delivery.mail import SendFailure
from paperfeed.digest.content import Digest
from paperfeed.digest.email import build_message
from paperfeed.services import Paperfeed
from paperfeed.settings import ChannelSettings, UserDelivery

log = logging.getLogger("paperfeed.daily")


class Sender(Protocol):
    def send(self, msg: EmailMessage) -> int: ...


ChannelOpener = Callable[[ChannelSettings], Channel]


@dataclass
class UserResult:
    """What happened to one delivery of a user's digest (to one address or channel, or to
    the user as a whole when nothing could be sent); ``outcome`` is sent, status, skipped,
    dry run or failed."""

    user: str
    email: str
    outcome: str
    detail: str = ""
    channel: str = ""

    def line(self) -> str:
        if self.channel:
            who = f"{self.user} [{self.channel}]"
        else:
            who = f"{self.user} <{self.email}>" if self.email else self.user
        return f"{who}: {self.outcome}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Target:
    """One place a digest goes: an e-mail address or a channel; ``key`` names it in the
    store's record of deliveries."""

    key: str
    email: str = ""
    channel: ChannelSettings | None = None


def targets(user: UserDelivery) -> list[Target]:
    """Every address of ``user`` (the first recorded as ``email``, as before there were
    several), then every channel."""
    mails = [
        Target(EMAIL if i == 0 else f"{EMAIL}:{address}", email=address)
        for i, address in enumerate(user.emails)
    ]
    return [*mails, *(Target(c.name, channel=c) for c in user.channels)]


@dataclass
class Fanout:
    """Delivers one user's digest of ``day`` to each of their targets (see the module
    docstring). ``sender`` sends e-mail, ``open_channel`` makes a channel; ``dry_run`` sends
    and records nothing; ``save_dir`` keeps a copy of each e-mail (.eml) and channel payload
    (.json)."""

    app: Paperfeed
    user: UserDelivery
    day: str
    now: datetime
    from_addr: str
    sender: Sender | None = None
    open_channel: ChannelOpener | None = None
    dry_run: bool = False
    save_dir: Path | None = None

    def plan(self) -> tuple[list[Target], list[UserResult]]:
        """(the targets still to serve today, a skipped line for each of the others)."""
        pending: list[Target] = []
        skipped: list[UserResult] = []
        subscribed = self.app.store.is_subscribed(self.user.name, EMAIL)
        for target in targets(self.user):
            if target.email and not subscribed:
                skipped.append(self._result(target, "skipped", "unsubscribed"))
            elif done := self.app.store.delivery(self.user.name, self.day, target.key):
                skipped.append(
                    self._result(target, "skipped", f"{done} already sent for {self.day}")
                )
            else:
                pending.append(target)
        return pending, skipped

    def deliver(self, digest: Digest, pending: Sequence[Target]) -> list[UserResult]:
        """Deliver ``digest`` to each of ``pending``, each failure caught and reported."""
        return [self._one(digest, target) for target in pending]

    def _one(self, digest: Digest, target: Target) -> UserResult:
        what = digest.summary()
        try:
            if self.dry_run:
                return self._result(target, "dry run", self._preview(digest, target))
            attempts = self._mail(digest, target) if target.email else self._post(digest, target)
        except SendFailure as exc:
            log.warning("sending to %s failed: %s", self.user.name, exc)
            kind = "permanent" if exc.permanent else "transient"
            return self._result(target, "failed", f"{kind}: {exc}")
        except ChannelError as exc:
            log.warning("posting %s's digest to %s failed: %s", self.user.name, target.key, exc)
            kind = "permanent" if exc.permanent else "transient"
            return self._result(target, "failed", f"{kind}: {exc}")
        except Exception as exc:  # a channel's bug must not stop the other targets
            log.warning("delivering %s's digest to %s failed: %r", self.user.name, target.key, exc)
            return self._result(target, "failed", f"{type(exc).__name__}: {exc}")
        self.app.store.record_delivery(self.user.name, self.day, target.key, digest.kind, what)
        papers = [r.paper.id for r in [*digest.recs, *digest.ask, *digest.trending]]
        self.app.store.record_shown(self.user.name, self.day, papers)  # idempotent
        tries = f", {attempts} tries" if attempts > 1 else ""
        return self._result(target, "sent", f"{what}{tries}")

    def _message(self, digest: Digest, target: Target) -> EmailMessage:
        """The e-mail of ``digest`` to ``target``, saved in ``save_dir`` when there is one."""
        message = build_message(
            digest.email(),
            sender=self.from_addr,
            to=target.email,
            when=self.now,
            unsubscribe_url=digest.links.unsubscribe,
        )
        suffix = "" if target.key == EMAIL else f"-{target.email}"
        self._save(f"{self.day}-{self.user.name}{suffix}.eml", message.as_bytes())
        return message

    def _requests(self, digest: Digest, target: Target) -> tuple[Channel, list[Outgoing]]:
        """The channel of ``target`` and what it sends, saved in ``save_dir`` (as JSON)."""
        if self.open_channel is None or target.channel is None:
            raise RuntimeError("a daily run needs a channel opener for chat channels")
        channel = self.open_channel(target.channel)
        requests = channel.requests(digest)
        if self.save_dir is not None:
            payloads = [dict(r.payload) for r in requests]
            text = json.dumps(payloads, ensure_ascii=False, indent=1)
            self._save(f"{self.day}-{self.user.name}-{target.key}.json", text.encode())
        return channel, requests

    def _preview(self, digest: Digest, target: Target) -> str:
        """What a dry run says it would deliver to ``target`` (and saves)."""
        if target.email:
            subject = self._message(digest, target)["Subject"]
            return f"would send {digest.summary()}: {subject}"
        _, requests = self._requests(digest, target)
        n = len(requests)
        return f"would post {digest.summary()} in {n} message{'s' if n != 1 else ''}"

    def _mail(self, digest: Digest, target: Target) -> int:
        """E-mail ``digest`` to ``target``; the attempts it took."""
        message = self._message(digest, target)
        if self.sender is None:
            raise RuntimeError("a daily run needs a sender unless dry_run is set")
        return self.sender.send(message)

    def _post(self, digest: Digest, target: Target) -> int:
        """Post ``digest`` to the channel of ``target``."""
        channel, _ = self._requests(digest, target)
        channel.send(digest)
        return 1

    def _save(self, name: str, data: bytes) -> None:
        if self.save_dir is not None:
            self.save_dir.mkdir(parents=True, exist_ok=True)
            (self.save_dir / name).write_bytes(data)

    def _result(self, target: Target, outcome: str, detail: str = "") -> UserResult:
        channel = target.channel.name if target.channel is not None else ""
        return UserResult(self.user.name, target.email, outcome, detail, channel)
