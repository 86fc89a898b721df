"""config.toml: defaults, every key documented, the example parses back, clear errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from paperfeed.delivery_config import (
    FIELDS,
    USER_FIELDS,
    ConfigError,
    DeliverySettings,
    example_toml,
    load_delivery_settings,
    parse_delivery_settings,
    source_kind,
)


def test_every_setting_is_documented_and_in_the_example() -> None:
    example = example_toml()
    for f in (*FIELDS, *USER_FIELDS):
        assert len(f.help) > 20, f.key
        assert f"{f.key.rpartition('.')[2]} = " in example, f.key


def test_example_parses_back() -> None:
    settings = parse_delivery_settings(tomllib.loads(example_toml()))
    assert settings.smtp.password_env == "PAPERFEED_SMTP_PASSWORD"
    assert settings.sources == ("arxiv:cs.LG+cs.CL",)
    (linda,) = settings.users
    assert (linda.name, linda.email, linda.frequency, linda.size) == (
        "linda",
        "linda@example.org",
        "daily",
        20,
    )


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_delivery_settings(tmp_path)
    assert settings.base_url == DeliverySettings().base_url
    assert settings.smtp.effective_port == 587 and settings.users == ()


def test_full_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        """
base_url = "https://papers.example.org/pf/"
[smtp]
host = "mail.example.org"
security = "ssl"
username = "me"
password = "pw"
from = "paperfeed <me@example.org>"
timeout = 5
[digest]
size = 7
frequency = "weekly"
weekday = "friday"
sources = ["file:today.jsonl", "hf"]
[users.linda]
email = "linda@example.org"
frequency = "daily"
[users.bob]
email = "bob@example.org"
size = 3
""",
        encoding="utf-8",
    )
    (tmp_path / "config.toml").chmod(0o600)
    s = load_delivery_settings(tmp_path)
    assert s.base_url == "https://papers.example.org/pf"
    assert s.smtp.effective_port == 465 and s.smtp.timeout == 5.0
    assert s.smtp.where == "mail.example.org:465 (ssl)"
    linda, bob = s.users
    assert (linda.frequency, linda.size, linda.window_days) == ("daily", 7, 1)
    assert (bob.frequency, bob.weekday, bob.size, bob.window_days) == ("weekly", "friday", 3, 7)
    assert bob.due(4) and not bob.due(0) and linda.due(0)
    assert s.user("bob") is bob and s.user("eve") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[smtp]\nhots = 'x'", "unknown setting 'smtp.hots'"),
        ("[smtp]\nport = 'x'", "smtp.port must be a whole number"),
        ("[smtp]\nsecurity = 'tls'", "smtp.security must be one of ssl, starttls, none"),
        ("[digest]\nsize = 0", "digest.size must be between 1 and 500"),
        ("[digest]\nsources = ['ftp:x']", "source 'ftp:x' is not one of"),
        ("base_url = 'example.org'", "base_url must start with http"),
        ("[users.a]\nemail = 'nope'", "users.a.email is not one e-mail address"),
        ("[users.a]\nemial = 'a@b.c'", "unknown setting 'users.a.emial'"),
        ("[users.a]\nfrequency = 'hourly'", "users.a.frequency must be one of daily, weekly"),
        ("[smtp]\nretries = -1", "smtp.retries must not be negative"),
        ("[smtp\n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml") as err:
        load_delivery_settings(tmp_path)
    assert message in str(err.value)


def test_a_password_in_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[smtp]\npassword = "hunter2"\n', encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_delivery_settings(tmp_path)
    path.chmod(0o600)
    assert load_delivery_settings(tmp_path).smtp.password == "hunter2"


def test_source_kinds() -> None:
    assert source_kind("arxiv:cs.LG+cs.CL") == ("arxiv", "cs.LG+cs.CL")
    assert source_kind("hf") == ("hf", "")
    assert source_kind("file:/tmp/a b.jsonl") == ("file", "/tmp/a b.jsonl")
    for bad in ("arxiv:", "file:", "hf:x", "rss"):
        with pytest.raises(ConfigError):
            source_kind(bad)
