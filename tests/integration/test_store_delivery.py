"""The SQLite store's delivery tables (migration 4) and one-click links redeemed through
:mod:`paperfeed.feedback`; the delivery methods themselves are in the store contract."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from paperfeed import tokens
from paperfeed.embed import HashingEmbedder
from paperfeed.feedback import redeem_rating, redeem_unsubscribe
from paperfeed.models import Paper
from paperfeed.services import Paperfeed, UserError
from paperfeed.store import SQLiteStore, open_store
from paperfeed.store.migrations.sqlite import MIGRATIONS, migrate
from paperfeed.tokens import TokenError

pytestmark = pytest.mark.integration

SECRET = b"k" * 32
NOW = 1_790_000_000.0


@pytest.fixture()
def store(tmp_path: Path) -> SQLiteStore:
    s = open_store(tmp_path / "paperfeed.db")
    yield s
    s.close()


def test_migration_from_version_3_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:3])
    conn.execute("INSERT INTO users (name, created_at) VALUES ('linda', 't')")
    conn.close()
    with open_store(path) as s:
        assert s.schema_version == len(MIGRATIONS)
        assert s.users() == ["linda"]
        assert s.is_subscribed("linda", "email")
    with open_store(path) as s:  # opening again applies nothing
        assert s.schema_version == len(MIGRATIONS)


def _app(store: SQLiteStore) -> Paperfeed:
    store.upsert_papers([Paper(id="2608.00001", title="A paper", abstract="Text.")], "test")
    return Paperfeed(store=store, embedder_factory=lambda: HashingEmbedder(32))


def test_redeem_rating_once(store: SQLiteStore) -> None:
    app = _app(store)
    tok = tokens.rating_token(SECRET, "linda", "2608.00001", "down", now=NOW)
    rated = redeem_rating(app, SECRET, tok, now=NOW + 60)
    assert (rated.user, rated.value, rated.paper.id) == ("linda", "down", "2608.00001")
    assert store.ratings("linda") == {"2608.00001": "down"}
    with pytest.raises(TokenError) as err:
        redeem_rating(app, SECRET, tok, now=NOW + 120)
    assert err.value.reason == "replayed"


def test_a_failed_rating_leaves_the_token_unused(store: SQLiteStore) -> None:
    app = _app(store)
    tok = tokens.rating_token(SECRET, "linda", "2608.99999", "up", now=NOW)
    with pytest.raises(UserError, match="no such paper"):
        redeem_rating(app, SECRET, tok, now=NOW)
    nonce = tokens.verify(SECRET, tok, now=NOW).nonce
    assert store.use_token_nonce(nonce, "linda", int(NOW) + 10)  # was not recorded
    assert store.ratings("linda") == {}


def test_expired_and_forged_tokens_change_nothing(store: SQLiteStore) -> None:
    app = _app(store)
    tok = tokens.rating_token(SECRET, "linda", "2608.00001", "up", now=NOW, ttl_days=1)
    with pytest.raises(TokenError, match="expired"):
        redeem_rating(app, SECRET, tok, now=NOW + 2 * 86_400)
    with pytest.raises(TokenError, match="bad signature"):
        redeem_rating(app, b"other" * 8, tok, now=NOW)
    assert store.ratings("linda") == {}
    assert store.connection.execute("SELECT count(*) FROM used_tokens").fetchone()[0] == 0


def test_redeem_unsubscribe(store: SQLiteStore) -> None:
    app = _app(store)
    tok = tokens.unsubscribe_token(SECRET, "linda")
    assert redeem_unsubscribe(app, SECRET, tok, now=NOW).user == "linda"
    assert not store.is_subscribed("linda", "email")
    redeem_unsubscribe(app, SECRET, tok, now=NOW + 10**8)  # never expires; twice is fine
    with pytest.raises(TokenError):
        redeem_unsubscribe(app, SECRET, tokens.feed_token(SECRET, "linda"), now=NOW)
