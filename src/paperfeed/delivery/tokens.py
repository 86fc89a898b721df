"""Signed tokens for the links in digests and feeds: one-click ratings, unsubscribe, private feeds.

A token is ``<payload>.<signature>``, both base64url without padding: the payload is the JSON
array ``[version, user, paper_id, action, expires, nonce]`` and the signature its HMAC-SHA256
under the installation's secret (``<home>/secret.key``). Rating tokens expire and carry a random
nonce, which the store records when the token is used, so each works once; feed and unsubscribe
tokens never expire and carry no nonce (the same user always gets the same one).

Everything here is pure except :func:`load_or_create_secret`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

TOKEN_VERSION = 1
RATING_ACTIONS: tuple[str, ...] = ("up", "down")
FEED = "feed"
UNSUBSCRIBE = "unsubscribe"
ACTIONS: tuple[str, ...] = (*RATING_ACTIONS, FEED, UNSUBSCRIBE)
DEFAULT_TTL_DAYS = 30
SECRET_FILE = "secret.key"
MAX_TOKEN_LENGTH = 2048
_DOMAIN = b"paperfeed-token\x00"  # keeps these signatures apart from any other use of the key
_DAY = 86_400


class TokenError(ValueError):
    """A token that must not be honoured; ``reason`` is forged, expired, replayed or wrong-use."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SecretError(ValueError):
    """The installation secret cannot be used (unreadable, damaged or readable by others)."""


@dataclass(frozen=True, slots=True)
class Claims:
    """What a verified token says. ``expires`` is a Unix time, 0 for never."""

    user: str
    action: str
    paper_id: str = ""
    expires: int = 0
    nonce: str = ""

    @property
    def single_use(self) -> bool:
        return self.action in RATING_ACTIONS


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, _DOMAIN + payload.encode("ascii"), hashlib.sha256).digest())


def sign(secret: bytes, claims: Claims) -> str:
    """The token for ``claims`` (URL-safe: letters, digits, ``-``, ``_`` and one ``.``)."""
    if claims.action not in ACTIONS:
        raise ValueError(f"unknown token action {claims.action!r}")
    if not claims.user:
        raise ValueError("a token needs a user")
    body = [TOKEN_VERSION, claims.user, claims.paper_id, claims.action, claims.expires]
    raw = json.dumps([*body, claims.nonce], ensure_ascii=False, separators=(",", ":"))
    payload = _b64(raw.encode("utf-8"))
    return f"{payload}.{_signature(secret, payload)}"


def rating_token(
    secret: bytes,
    user: str,
    paper_id: str,
    action: str,
    *,
    now: float,
    ttl_days: float = DEFAULT_TTL_DAYS,
    nonce: str | None = None,
) -> str:
    """A single-use token that rates ``paper_id`` ``action`` (up/down) for ``user``, valid for
    ``ttl_days`` from ``now``."""
    if action not in RATING_ACTIONS:
        raise ValueError(f"a rating token's action is one of {RATING_ACTIONS}, not {action!r}")
    if not paper_id:
        raise ValueError("a rating token needs a paper id")
    expires = int(now + ttl_days * _DAY)
    claims = Claims(user, action, paper_id, expires, nonce or secrets.token_urlsafe(12))
    return sign(secret, claims)


def feed_token(secret: bytes, user: str, generation: int = 0) -> str:
    """The long-lived token of ``user``'s private feed URL (the same every time); rotating it
    (the web app's settings page) moves ``generation`` on, which replaces the address."""
    return sign(secret, Claims(user, FEED, nonce=f"g{generation}" if generation else ""))


def unsubscribe_token(secret: bytes, user: str) -> str:
    """The token of ``user``'s unsubscribe link (never expires; unsubscribing twice is harmless)."""
    return sign(secret, Claims(user, UNSUBSCRIBE))


def verify(secret: bytes, token: str, *, now: float, actions: tuple[str, ...] = ACTIONS) -> Claims:
    """The claims of a genuine, unexpired token whose action is among ``actions``.

    Raises :class:`TokenError` otherwise. Replay is not checked here: the caller records
    ``claims.nonce`` of single-use tokens in the store.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise TokenError("forged", "this link is not a paperfeed link (malformed token)")
    payload, sig = token.split(".")
    if not hmac.compare_digest(_signature(secret, payload), sig):
        raise TokenError("forged", "this link was not issued by this paperfeed (bad signature)")
    try:
        fields = json.loads(_unb64(payload).decode("utf-8"))
        version, user, paper_id, action, expires, nonce = fields
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise TokenError("forged", f"this link's token cannot be read ({exc})") from None
    if version != TOKEN_VERSION:
        raise TokenError("forged", f"this link comes from another paperfeed version ({version})")
    ok = (
        isinstance(user, str)
        and isinstance(paper_id, str)
        and isinstance(action, str)
        and isinstance(expires, int)
        and isinstance(nonce, str)
    )
    if not ok:
        raise TokenError("forged", "this link's token is malformed")
    claims = Claims(user, action, paper_id, expires, nonce)
    if action not in actions:
        raise TokenError("wrong-use", f"this link is for {action!r}, not for this page")
    if claims.expires and now >= claims.expires:
        raise TokenError("expired", "this link has expired; newer digests carry fresh links")
    if claims.single_use and not claims.nonce:
        raise TokenError("forged", "this rating link carries no nonce")
    return claims


# --- the installation secret (I/O) -------------------------------------------------------------


def load_or_create_secret(home: Path) -> bytes:
    """The installation secret in ``home/secret.key``, created (32 random bytes, mode 0600)
    on first use. Creation is atomic: a complete file appears under its name or none does,
    and two processes starting together end up with the same secret."""
    path = home / SECRET_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        tmp = home / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process won the race
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"{path} can be read by other users (mode {stat.S_IMODE(mode):o}): "
            f"run `chmod 600 {path}`"
        )
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise SecretError(
            f"{path} is damaged (expected 64 hex digits); delete it to make a new one"
        )
    return key
