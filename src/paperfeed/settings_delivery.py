"""What delivery needs from config.toml, as frozen dataclasses: the SMTP server, each
recipient (:class:`UserDelivery`: addresses, channels, filters, re-ranking and trending) and
the whole :class:`DeliverySettings`. Pure declarations; :mod:`paperfeed.settings` parses them."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperfeed.settings_channels import ChannelSettings, WebhookSettings
from paperfeed.settings_fields import CONFIG_FILE, DEFAULT_PORTS, WEEKDAYS


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 0
    security: str = "starttls"
    username: str = ""
    password: str = ""
    password_env: str = ""
    from_addr: str = ""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    ca_file: str = ""

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def where(self) -> str:
        return f"{self.host}:{self.effective_port} ({self.security})"


@dataclass(frozen=True, slots=True)
class UserDelivery:
    """One recipient: a stored user's name and where and how often their digest goes:
    ``email`` (the first address; empty: none), ``extra_emails`` and chat ``channels``."""

    name: str
    email: str
    frequency: str = "daily"
    weekday: str = "monday"
    size: int = 20
    language: str = "English"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_score: float = 0.0
    muted: tuple[str, ...] = ()
    show_again: bool = False
    extra_emails: tuple[str, ...] = ()
    channels: tuple[ChannelSettings, ...] = ()
    interest_statement: str = ""
    rerank: bool = False
    rerank_top: int = 20
    trending: bool = True
    trending_days: int = 7
    trending_top: int = 3

    @property
    def emails(self) -> tuple[str, ...]:
        """Every address the digest is e-mailed to, the first one first."""
        return (self.email, *self.extra_emails) if self.email else self.extra_emails

    @property
    def reachable(self) -> bool:
        """Whether the digest goes anywhere (an address or a channel)."""
        return bool(self.emails or self.channels)

    def due(self, weekday_index: int) -> bool:
        """Whether a digest goes out on a day with this ``date.weekday()``."""
        return self.frequency == "daily" or WEEKDAYS.index(self.weekday) == weekday_index

    @property
    def window_days(self) -> int:
        """Days of listings one digest covers."""
        return 1 if self.frequency == "daily" else 7


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """What ``daily``, ``serve`` and ``feed`` need: links, SMTP, digests and recipients;
    ``path`` is the file they came from (error messages name it)."""

    base_url: str = "http://127.0.0.1:8787"
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    frequency: str = "daily"
    weekday: str = "monday"
    size: int = 20
    sources: tuple[str, ...] = ()
    token_days: int = 30
    feed_days: int = 7
    feed_dir: str = ""
    users: tuple[UserDelivery, ...] = ()
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    path: str = CONFIG_FILE

    def user(self, name: str) -> UserDelivery | None:
        return next((u for u in self.users if u.name == name), None)
