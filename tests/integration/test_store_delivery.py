"""The SQLite store's delivery tables (migration 4), one-click links redeemed through
:mod:`paperfeed.delivery.feedback`, and the Delivery facade's feeds, subscriptions and start-up
check; the delivery methods of the store themselves are in the store contract."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperfeed.delivery import tokens
from paperfeed.delivery.feedback import redeem_rating, redeem_unsubscribe
from paperfeed.delivery.service import Delivery
from paperfeed.delivery.tokens import TokenError
from paperfeed.embed import HashingEmbedder
from paperfeed.models import Paper
from paperfeed.services import Paperfeed, UserError
from paperfeed.settings import ConfigError, Settings
from paperfeed.store import SQLiteStore, open_store
from paperfeed.store.migrations.sqlite import MIGRATIONS, migrate

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


def _delivery(store: SQLiteStore, home: Path, config: str = "") -> Delivery:
    """The facade over a store with linda's profile (one paper) and five papers of a day."""
    (home / "config.toml").write_text(config, encoding="utf-8")
    topics = ["graph networks", "speech models", "graph kernels", "robot arms", "graph data"]
    papers = [Paper(id="2608.00001", title="Graph learning", abstract="Graph networks.")]
    papers += [
        Paper(id=f"2608.0010{i}", title=t.title(), abstract=f"On {t}.", date="2026-08-21")
        for i, t in enumerate(topics)
    ]
    store.upsert_papers(papers, "test")
    app = Paperfeed(store=store, embedder_factory=lambda: HashingEmbedder(32))
    app.profile_add("linda", ["2608.00001"])
    return Delivery(app, Settings.load(home), SECRET)


def test_the_facade_assembles_feeds(store: SQLiteStore, tmp_path: Path) -> None:
    config = 'base_url = "https://pf.example.org"\n[digest]\nsize = 3\n'
    delivery = _delivery(store, tmp_path, config)
    now = datetime.fromtimestamp(NOW, UTC)
    recs, document = delivery.user_feed("linda", days=30, now=now)
    assert len(recs) == 3 and recs[0].paper.title.startswith("Graph")
    feed_link = f"https://pf.example.org/feed/{tokens.feed_token(SECRET, 'linda')}.xml"
    assert f'href="{feed_link}"' in document and document.count("<entry>") == 3
    assert delivery.feed_owner(tokens.feed_token(SECRET, "linda"), now=NOW) == "linda"
    with pytest.raises(TokenError):
        delivery.feed_owner(tokens.unsubscribe_token(SECRET, "linda"), now=NOW)
    assert delivery.has_user("linda") and not delivery.has_user("eve")
    with pytest.raises(UserError, match="no user 'eve'"):
        delivery.user_feed("eve", now=now)
    empty, document = delivery.user_feed("eve", fmt="rss", now=now, or_empty=True)
    assert empty == [] and "<rss" in document and "<item>" not in document


def test_the_facade_checks_and_subscribes(store: SQLiteStore, tmp_path: Path) -> None:
    delivery = _delivery(store, tmp_path)
    with pytest.raises(ConfigError, match=r"config\.toml: no user has an e-mail address"):
        Delivery.check(delivery.config, smtp=False)
    assert delivery.set_subscribed("linda", False) and not store.is_subscribed("linda", "email")
    assert not delivery.set_subscribed("linda", False)
    assert delivery.set_subscribed("linda", True) and store.is_subscribed("linda", "email")
    (tmp_path / "config.toml").write_text('[users.linda]\nemail = "l@example.org"\n')
    (linda,) = Delivery.check(Settings.load(tmp_path).delivery, smtp=False)
    assert linda.email == "l@example.org"
