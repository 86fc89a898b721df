"""Accounts for the web app and ``paperfeed users``: passwords (argon2), personal API tokens
(only their SHA-256 hashes are kept), e-mail and digest settings, the private feed's
rotation and the rating history with undo. Users made with ``--user NAME`` have an account
with the defaults and no password until one is set. Setting a password gives the account a
new session epoch, which ends every browser session signed with the old one."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from paperfeed.models import RATING_VALUES, Paper
from paperfeed.services.common import UserError
from paperfeed.store import Account, ApiToken, AppStore, RatingEvent

FREQUENCIES = ("daily", "weekly", "off")
MIN_PASSWORD = 8
MAX_DIGEST_SIZE = 200
TOKEN_PREFIX = "pf_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password of anyone")  # unknown users cost as much as known ones


def token_hash(token: str) -> str:
    """What the store keeps of an API token: its SHA-256 (tokens are random, no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_email(email: str) -> str:
    """``email`` stripped, if it looks like an address (or is empty); else a UserError."""
    email = email.strip()
    if email and not _EMAIL.fullmatch(email):
        raise UserError(f"{email!r} is not an e-mail address")
    return email


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One rating of the history page: the event and its paper."""

    event: RatingEvent
    paper: Paper


class Accounts:
    """The account use cases over one store."""

    def __init__(self, store: AppStore) -> None:
        self.store = store

    def get(self, name: str) -> Account:
        """``name``'s account; a UserError if there is no such user."""
        account = self.store.account(name)
        if account is None:
            raise UserError(f"no user {name!r}")
        return account

    def list(self) -> list[Account]:
        return [a for name in self.store.users() if (a := self.store.account(name))]

    def exists(self, name: str) -> bool:
        """Whether ``name`` is a user of the store (with or without a password)."""
        return self.store.account(name) is not None

    def add(self, name: str, email: str, password: str | None) -> Account:
        """Create ``name`` (or give an existing password-less user an account); a user who
        already has a password is a UserError (``users passwd`` changes it)."""
        if not _NAME.fullmatch(name):
            raise UserError(
                f"{name!r}: a user name is 1-64 letters, digits or _.@+- (starting with a letter "
                "or digit)"
            )
        old = self.store.account(name) or Account(name)
        if old.password_hash:
            raise UserError(f"user {name!r} exists; `paperfeed users passwd {name}` changes it")
        account = replace(
            old,
            email=check_email(email),
            password_hash=_hash(password),
            session_epoch=new_epoch(old.session_epoch),
        )
        self.store.save_account(account)
        return account

    def set_password(self, name: str, password: str) -> int:
        """Set ``name``'s password; every browser session of ``name`` ends (the one that
        asked can go on with the returned new session epoch)."""
        account = self.get(name)
        epoch = new_epoch(account.session_epoch)
        self.store.save_account(
            replace(account, password_hash=_hash(password), session_epoch=epoch)
        )
        return epoch

    def remove(self, name: str) -> None:
        """Delete ``name`` with profile, ratings and tokens (the papers stay)."""
        if not self.store.remove_user(name):
            raise UserError(f"no user {name!r}")

    def login(self, name: str, password: str) -> bool:
        """Whether ``password`` is ``name``'s; as slow for unknown users as for known ones."""
        account = self.store.account(name)
        stored = account.password_hash if account and account.password_hash else _DUMMY
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if stored is _DUMMY or account is None:
            return False
        if _HASHER.check_needs_rehash(stored):
            self.store.save_account(replace(account, password_hash=_HASHER.hash(password)))
        return True

    # --- API tokens ---------------------------------------------------------------------------

    def new_token(self, name: str, label: str = "") -> str:
        """A new personal API token of ``name`` (shown once: only its hash is kept)."""
        self.get(name)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.store.add_api_token(name, token_hash(token), label.strip()[:100])
        return token

    def tokens(self, name: str) -> list[ApiToken]:
        return self.store.api_tokens(name)

    def revoke(self, name: str, token_id: int | None = None) -> int:
        """Revoke one of ``name``'s tokens (every one when ``token_id`` is None); how many."""
        self.get(name)
        return self.store.revoke_api_tokens(name, token_id)

    def token_user(self, token: str) -> str | None:
        """The user a presented API token belongs to, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        return self.store.api_token_user(token_hash(token))

    # --- settings -----------------------------------------------------------------------------

    def update(self, name: str, *, email: str, frequency: str, size: int) -> Account:
        """Change ``name``'s e-mail address, digest frequency and size (0: the default)."""
        if frequency not in FREQUENCIES:
            raise UserError(f"digest frequency is one of {', '.join(FREQUENCIES)}")
        if not 0 <= size <= MAX_DIGEST_SIZE:
            raise UserError(f"digest size is between 0 and {MAX_DIGEST_SIZE}")
        account = replace(
            self.get(name), email=check_email(email), digest_frequency=frequency, digest_size=size
        )
        self.store.save_account(account)
        return account

    def rotate_feed(self, name: str) -> int:
        """Retire ``name``'s private feed URL; returns the new generation."""
        account = self.get(name)
        self.store.save_account(replace(account, feed_generation=account.feed_generation + 1))
        return account.feed_generation + 1

    # --- rating history -----------------------------------------------------------------------

    def history(self, name: str, *, limit: int = 200) -> list[HistoryEntry]:
        """``name``'s ratings, the latest first, each with its paper."""
        events = self.store.rating_history(name, limit=limit)
        papers = {p.id: p for p in self.store.get_papers([e.paper_id for e in events])}
        return [HistoryEntry(e, papers[e.paper_id]) for e in events if e.paper_id in papers]

    def rated(self, name: str) -> dict[str, frozenset[str]]:
        """Every value ``name`` gave each rated paper (a vote, ``saved``, ``opened``)."""
        found: dict[str, set[str]] = {}
        for e in self.store.rating_history(name, limit=10_000_000):
            found.setdefault(e.paper_id, set()).add(e.value)
        return {pid: frozenset(values) for pid, values in found.items()}

    def undo(self, name: str, paper_id: str) -> int:
        """Withdraw every rating ``name`` gave ``paper_id``; how many there were."""
        return sum(self.store.unrate(name, paper_id, v) for v in RATING_VALUES)


def new_epoch(old: int) -> int:
    """A random session epoch other than ``old`` (random, not counted: a user removed and
    made again under the same name does not get back the old sessions' epoch)."""
    while (epoch := secrets.randbelow(2**31 - 1) + 1) == old:
        pass
    return epoch


def _hash(password: str | None) -> str:
    """The argon2 hash of ``password`` ('' for none); short passwords are a UserError."""
    if password is None:
        return ""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)
