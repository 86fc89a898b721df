"""Signed link tokens: round trip, forgery, expiry, wrong use, and the secret file."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from paperfeed.delivery import tokens
from paperfeed.delivery.tokens import Claims, SecretError, TokenError

SECRET = bytes(range(32))
NOW = 1_780_000_000.0
DAY = 86_400


def test_rating_token_round_trip_and_is_url_safe() -> None:
    tok = tokens.rating_token(SECRET, "linda ü", "2608.01234", "down", now=NOW, ttl_days=30)
    assert set(tok) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    claims = tokens.verify(SECRET, tok, now=NOW + 29 * DAY)
    assert (claims.user, claims.paper_id, claims.action) == ("linda ü", "2608.01234", "down")
    assert claims.expires == int(NOW + 30 * DAY)
    assert claims.single_use and len(claims.nonce) >= 16


def test_each_rating_token_has_its_own_nonce() -> None:
    a = tokens.rating_token(SECRET, "u", "p", "up", now=NOW)
    b = tokens.rating_token(SECRET, "u", "p", "up", now=NOW)
    assert a != b
    assert tokens.verify(SECRET, a, now=NOW).nonce != tokens.verify(SECRET, b, now=NOW).nonce


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: "A" + t[1:] if t[0] != "A" else "B" + t[1:],  # payload changed
        lambda t: t.replace(".", ""),  # no separator
        lambda t: t + ".x",  # two separators
        lambda t: "",
        lambda t: "not a token at all",
        lambda t: "x" * 5000,
    ],
)
def test_tampered_tokens_are_forged(mangle) -> None:  # type: ignore[no-untyped-def]
    tok = tokens.rating_token(SECRET, "u", "2608.01234", "up", now=NOW)
    with pytest.raises(TokenError) as err:
        tokens.verify(SECRET, mangle(tok), now=NOW)
    assert err.value.reason == "forged"


def test_a_token_from_another_installation_is_forged() -> None:
    tok = tokens.rating_token(b"another secret of 32 bytes......", "u", "p", "up", now=NOW)
    with pytest.raises(TokenError, match="not issued by this paperfeed") as err:
        tokens.verify(SECRET, tok, now=NOW)
    assert err.value.reason == "forged"


def test_changing_the_claims_breaks_the_signature() -> None:
    """Re-signing other claims needs the secret: swapping the payload of two genuine
    tokens under one signature fails."""
    up = tokens.rating_token(SECRET, "u", "p", "up", now=NOW)
    down = tokens.rating_token(SECRET, "u", "p", "down", now=NOW)
    forged = up.split(".")[0] + "." + down.split(".")[1]
    with pytest.raises(TokenError):
        tokens.verify(SECRET, forged, now=NOW)


def test_expired_token() -> None:
    tok = tokens.rating_token(SECRET, "u", "p", "up", now=NOW, ttl_days=1)
    tokens.verify(SECRET, tok, now=NOW + DAY - 1)
    with pytest.raises(TokenError, match="expired") as err:
        tokens.verify(SECRET, tok, now=NOW + DAY)
    assert err.value.reason == "expired"


def test_feed_and_unsubscribe_tokens_are_stable_long_lived_and_not_single_use() -> None:
    feed = tokens.feed_token(SECRET, "linda")
    assert feed == tokens.feed_token(SECRET, "linda") != tokens.feed_token(SECRET, "bob")
    claims = tokens.verify(SECRET, feed, now=NOW + 10_000 * DAY, actions=(tokens.FEED,))
    assert claims == Claims("linda", "feed") and not claims.single_use
    unsub = tokens.unsubscribe_token(SECRET, "linda")
    assert tokens.verify(SECRET, unsub, now=NOW, actions=(tokens.UNSUBSCRIBE,)).user == "linda"


def test_a_token_only_works_for_its_own_action() -> None:
    feed = tokens.feed_token(SECRET, "linda")
    with pytest.raises(TokenError) as err:
        tokens.verify(SECRET, feed, now=NOW, actions=tokens.RATING_ACTIONS)
    assert err.value.reason == "wrong-use"
    rating = tokens.rating_token(SECRET, "linda", "p", "up", now=NOW)
    with pytest.raises(TokenError):
        tokens.verify(SECRET, rating, now=NOW, actions=(tokens.FEED,))


def test_a_signed_rating_without_nonce_is_refused() -> None:
    tok = tokens.sign(SECRET, Claims("u", "up", "p", int(NOW) + DAY, ""))
    with pytest.raises(TokenError, match="nonce"):
        tokens.verify(SECRET, tok, now=NOW)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        tokens.rating_token(SECRET, "u", "p", "saved", now=NOW)
    with pytest.raises(ValueError):
        tokens.rating_token(SECRET, "u", "", "up", now=NOW)
    with pytest.raises(ValueError):
        tokens.sign(SECRET, Claims("", "feed"))


# --- the secret file ------------------------------------------------------------------------


def test_secret_is_created_once_with_mode_600(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = tokens.load_or_create_secret(home)
    path = home / tokens.SECRET_FILE
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.load_or_create_secret(home) == first
    assert [p.name for p in home.iterdir()] == [tokens.SECRET_FILE]  # no temporary left


def test_concurrent_creation_agrees_on_one_secret(tmp_path: Path) -> None:
    results: list[bytes] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        results.append(tokens.load_or_create_secret(tmp_path))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == [tokens.SECRET_FILE]


def test_secret_readable_by_others_or_damaged_is_refused(tmp_path: Path) -> None:
    tokens.load_or_create_secret(tmp_path)
    path = tmp_path / tokens.SECRET_FILE
    os.chmod(path, 0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        tokens.load_or_create_secret(tmp_path)
    os.chmod(path, 0o600)
    path.write_text("short\n")
    with pytest.raises(SecretError, match="damaged"):
        tokens.load_or_create_secret(tmp_path)
