"""One user's digest of one day as every channel renders it (:class:`Digest`): the e-mail, the
chat messages and the JSON webhook all start from the same data, so they show the same papers,
links, explanations and TL;DRs. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from paperfeed.digest.email import (
    EmailContent,
    day_label,
    render_digest,
    render_status,
    status_lines,
)
from paperfeed.digest.linkset import DigestLinks
from paperfeed.models import Recommendation

AGAIN = "paperfeed looks again on its next run."


@dataclass(frozen=True, slots=True)
class Digest:
    """``user``'s digest of ``day``: the recommendations, then the papers active learning asks
    about (``ask``), with their links (``links.items`` holds every one), and the sources that
    failed (``"SPEC failed: cause"``). Without recommendations it is a status message (no new
    papers, or a failed source) rather than silence."""

    user: str
    day: str
    links: DigestLinks
    recs: tuple[Recommendation, ...] = ()
    ask: tuple[Recommendation, ...] = ()
    failures: tuple[str, ...] = ()
    trending: tuple[Recommendation, ...] = ()
    """Papers trending in the user's interests, shown after the recommendations."""

    @property
    def kind(self) -> str:
        """``digest``, or ``status`` for a day without recommendations."""
        return "digest" if self.recs else "status"

    @property
    def title(self) -> str:
        n = len(self.recs)
        if not n:
            return f"No digest for {self.user} today"
        return f"{n} paper{'s' if n != 1 else ''} for {self.user}"

    @property
    def subtitle(self) -> str:
        prefix = "Picked from the listings of " if self.recs else ""
        return prefix + day_label(self.day)

    @property
    def headline(self) -> str:
        """``paperfeed DAY: TITLE``: a notification's one line."""
        return f"paperfeed {self.day}: {self.title}"

    @property
    def notices(self) -> list[str]:
        """One line per failed source, shown above the papers."""
        return [f"Source {f}" for f in self.failures]

    def status(self) -> list[str]:
        """The sentences of a status message: each failure, "no new papers", when to expect
        the next try."""
        return [*status_lines(no_new_papers=True, failures=self.failures), AGAIN]

    def summary(self) -> str:
        """What was delivered, for the run's status lines: ``digest of 5 papers`` or
        ``status: no new papers`` / ``status: source failed``."""
        if self.recs:
            return f"digest of {len(self.recs)} papers"
        return "status: " + ("source failed" if self.failures else "no new papers")

    def email(self) -> EmailContent:
        """The e-mail of this digest (or the status e-mail)."""
        if self.recs:
            return render_digest(
                self.recs,
                self.links,
                user=self.user,
                day=self.day,
                notices=self.notices,
                ask=self.ask,
                trending=self.trending,
            )
        return render_status(
            self.links,
            user=self.user,
            day=self.day,
            no_new_papers=True,
            failures=self.failures,
        )
