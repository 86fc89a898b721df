"""The daily run's recipients: config.toml's users with what they chose on the web app's
settings page, and web users config.toml does not list."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed.delivery.daily import recipients
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings
from paperfeed.store import Account

pytestmark = pytest.mark.integration


def test_web_settings_reach_the_daily_run(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        'model = "hashing-64"\n[digest]\nsize = 15\n'
        '[users.ada]\nemail = "ada@config.org"\nsize = 10\n'
        '[users.bob]\nemail = "bob@config.org"\n'
        '[users.cyd]\nemail = "cyd@config.org"\n'
    )
    settings = Settings.load(tmp_path)
    with Paperfeed.open(settings) as app:
        app.store.ensure_user("ada")  # no web settings: config.toml's
        app.store.save_account(Account("bob", "bob@web.org", digest_frequency="weekly"))
        app.store.save_account(Account("cyd", "cyd@web.org", digest_frequency="off"))
        app.store.save_account(Account("dee", "dee@web.org", digest_size=7))  # web only
        app.store.save_account(Account("eve"))  # no e-mail anywhere
        got = {u.name: (u.email, u.frequency, u.size) for u in recipients(app, settings.delivery)}
    assert got == {
        "ada": ("ada@config.org", "daily", 10),
        "bob": ("bob@web.org", "weekly", 15),
        "dee": ("dee@web.org", "daily", 7),
    }
