"""Throttling failed sign-ins, counted in the store so that every worker process of an
installation shares the count and a restart does not reset it: after :attr:`limit` failures
for one user name (or :attr:`client_limit` from one client address, many names guessed from
one place) within :attr:`window` seconds of the first, further attempts are refused until
that window closes. A successful sign-in clears its name's count."""

from __future__ import annotations

from dataclasses import dataclass

from paperfeed.store import AccountStore

MAX_SUBJECT = 200
"""Characters of a name or address kept as the key (a longer one is cut, not refused)."""


@dataclass(frozen=True)
class SignInThrottle:
    """Failed sign-ins per user name and per client address, in ``store``."""

    store: AccountStore
    limit: int = 5
    client_limit: int = 50
    window: float = 300.0

    def blocked(self, name: str, client: str, now: float) -> bool:
        """Whether a sign-in as ``name`` from ``client`` at ``now`` is refused unchecked."""
        return (
            self.store.login_failures(_name(name), now) >= self.limit
            or self.store.login_failures(_client(client), now) >= self.client_limit
        )

    def failed(self, name: str, client: str, now: float) -> None:
        """Count a wrong password (or unknown name) for both the name and the address."""
        self.store.add_login_failure(_name(name), now, self.window)
        self.store.add_login_failure(_client(client), now, self.window)

    def succeeded(self, name: str) -> None:
        """The name's count starts again (the address's stays: it may be guessing others)."""
        self.store.clear_login_failures(_name(name))


def _name(name: str) -> str:
    return "name:" + name.strip().lower()[:MAX_SUBJECT]


def _client(address: str) -> str:
    return "client:" + address[:MAX_SUBJECT]
