"""Several addresses and chat channels per user in config.toml: both TOML spellings, defaults,
secrets from the environment, and one clear line naming the key for each kind of mistake."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from paperfeed.delivery.channels import check_channels
from paperfeed.settings import (
    ConfigError,
    Settings,
    example_toml,
    parse_config,
    read_config,
    resolve_channel,
)
from paperfeed.settings_fields import CHANNEL_FIELDS

ROOT = Path(__file__).resolve().parents[2]


def users(text: str):  # type: ignore[no-untyped-def]
    return parse_config(tomllib.loads(text)).delivery.users


def test_both_toml_spellings_give_the_same_channels() -> None:
    tables = users(
        """
[users.ada]
email = ["ada@example.org", "ada@home.example", "ada@example.org"]
[[users.ada.channels]]
kind = "slack"
url = "https://hooks.slack.com/services/T/B/x"
[[users.ada.channels]]
kind = "slack"
url_env = "ADA_SLACK"
[[users.ada.channels]]
kind = "matrix"
url = "https://matrix.example.org/"
room = "!abc:example.org"
token_env = "ADA_MATRIX"
[[users.ada.channels]]
kind = "ntfy"
url = "https://ntfy.sh/ada-papers"
"""
    )
    inline = users(
        """
[users.ada]
email = ["ada@example.org", "ada@home.example"]
channels = [
  {kind = "slack", url = "https://hooks.slack.com/services/T/B/x"},
  {kind = "slack", url_env = "ADA_SLACK"},
  {kind = "matrix", url = "https://matrix.example.org/", room = "!abc:example.org", \
token_env = "ADA_MATRIX"},
  {kind = "ntfy", url = "https://ntfy.sh/ada-papers"},
]
"""
    )
    assert tables == inline
    (ada,) = tables
    assert ada.email == "ada@example.org" and ada.emails == ("ada@example.org", "ada@home.example")
    assert [c.name for c in ada.channels] == ["slack", "slack-2", "matrix", "ntfy"]
    assert [c.ratings for c in ada.channels] == [True, True, True, False]  # ntfy: off
    assert ada.channels[2].key == "users.ada.channels[2]" and ada.reachable


def test_a_user_with_only_channels_gets_a_digest_and_one_address_still_works() -> None:
    bob, cyd = users(
        '[users.bob]\nchannels = [{kind = "json", url = "http://127.0.0.1:9/x"}]\n'
        '[users.cyd]\nemail = "cyd@example.org"\n'
    )
    assert bob.emails == () and bob.email == "" and bob.reachable
    assert cyd.emails == ("cyd@example.org",) and cyd.channels == ()


def test_secrets_come_from_the_variables_the_env_keys_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (ada,) = users(
        '[users.ada]\n[[users.ada.channels]]\nkind = "matrix"\nurl = "https://m.example.org/"\n'
        'room = "!r:example.org"\ntoken_env = "ADA_MATRIX"\n'
        '[[users.ada.channels]]\nkind = "discord"\nurl_env = "ADA_DISCORD"\n'
    )
    monkeypatch.delenv("ADA_MATRIX", raising=False)
    with pytest.raises(ConfigError) as err:
        check_channels([ada])
    assert str(err.value) == (
        "config.toml: users.ada.channels[0] (matrix): token_env names $ADA_MATRIX, which is not set"
    )
    monkeypatch.setenv("ADA_MATRIX", "syt_123")
    monkeypatch.setenv("ADA_DISCORD", "not a url")
    with pytest.raises(ConfigError, match=r"channels\[1\] \(discord\): the URL in \$ADA_DISCORD"):
        check_channels([ada])
    monkeypatch.setenv("ADA_DISCORD", "https://discord.com/api/webhooks/1/t")
    assert check_channels([ada]) == 2
    matrix, discord = (resolve_channel(c) for c in ada.channels)
    assert (matrix.url, matrix.token) == ("https://m.example.org", "syt_123")
    assert discord.url == "https://discord.com/api/webhooks/1/t"


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ('kind = "teams"\nurl = "https://x.org"', "users.a.channels[0].kind must be one of slack,"),
        ('url = "https://x.org"', "users.a.channels[0].kind must be one of"),
        ('kind = "slack"', "users.a.channels[0] (slack): url is missing"),
        ('kind = "slack"\nurl = "hooks.slack.com/x"', "url must start with https://"),
        ('kind = "slack"\nurl = "javascript:alert(1)"', "url must start with https://"),
        ('kind = "json"\nurl = "https://x.org/a b"', "holds a space"),
        ('kind = "slack"\nurl = "https://x.org"\nurl_env = "X"', "set url or url_env, not both"),
        ('kind = "slack"\nurl = "https://x.org"\nroom = "!r:x"', "(slack) has no setting 'room'"),
        ('kind = "slack"\nurl = "https://x.org"\nratings = "no"', "ratings must be true or false"),
        ('kind = "slack"\nurl = 5', "channels[0].url must be a string"),
        ('kind = "ntfy"\nurl = "https://ntfy.sh/"', "must name the topic"),
        ('kind = "matrix"\nurl = "https://m.org"\nroom = "!r:m.org"', "token is missing"),
        (
            'kind = "matrix"\nurl = "https://m.org"\nroom = "#papers:m.org"\ntoken = "t"',
            "room '#papers:m.org' is an alias",
        ),
        ('kind = "matrix"\nurl = "https://m.org"\nroom = "r"\ntoken = "t"', "must be a room id"),
        ('kind = "json"\nname = "Email"\nurl = "https://x.org"', "name must be lowercase"),
        ('kind = "json"\nname = "email-2"\nurl = "https://x.org"', "not start with 'email'"),
    ],
)
def test_a_bad_channel_is_one_line_naming_its_key(
    tmp_path: Path, channel: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[users.a]\n[[users.a.channels]]\n{channel}\n", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(ConfigError) as err:
        read_config(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[users.a]\nemail = ['a@x.org', 'nope']",
            "users.a.email is not one e-mail address: 'nope'",
        ),
        ("[users.a]\nemail = 5", "users.a.email must be an address or a list of them"),
        ("[users.a]\nemail = ['a@x.org', 5]", "users.a.email is not one e-mail address: 5"),
        ("[users.a]\nchannels = {kind = 'slack'}", "users.a.channels must be a list of tables"),
        (
            "[users.a]\nchannels = [{kind = 'json', name = 'x', url = 'https://a.org'},"
            " {kind = 'slack', name = 'x', url = 'https://b.org'}]",
            "another channel of users.a is named 'x'",
        ),
    ],
)
def test_bad_recipients_are_one_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(tomllib.loads(text))
    assert message in str(err.value)


def test_a_webhook_url_in_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[users.a]\n[[users.a.channels]]\nkind = "slack"\nurl = "https://hooks.slack.com/s/x"\n'
    )
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="webhook URL but other users can read it"):
        read_config(path)
    path.chmod(0o600)
    assert read_config(path).delivery.users[0].channels[0].url.endswith("/s/x")
    # a public JSON endpoint or an ntfy topic without a token is not a secret of this file
    path.write_text('[users.a]\n[[users.a.channels]]\nkind = "json"\nurl = "https://x.org/h"\n')
    path.chmod(0o644)
    assert read_config(path).delivery.users[0].channels[0].kind == "json"


def test_webhook_settings_and_the_example() -> None:
    cfg = parse_config(tomllib.loads("[webhooks]\ntimeout = 3\nretries = 0\nbackoff = 0.5\n"))
    hooks = cfg.delivery.webhooks
    assert (hooks.timeout, hooks.retries, hooks.backoff) == (3.0, 0, 0.5)
    example = example_toml()
    for f in CHANNEL_FIELDS:
        assert f"#   {f.key}: " in example, f.key
    for kind in ("slack", "discord", "matrix", "ntfy", "json"):
        assert f'# kind = "{kind}"' in example
    # the commented tables are valid: uncommented, they parse into five channels
    tables = [line[2:] for line in example.splitlines() if line.startswith("# ") and " = " in line]
    start = next(i for i, line in enumerate(tables) if line.startswith('kind = "slack"'))
    body = "\n".join(tables[start:]).replace('kind = "', '[[users.linda.channels]]\nkind = "')
    (linda,) = users("[users.linda]\n" + body)
    assert [c.kind for c in linda.channels] == ["slack", "discord", "matrix", "ntfy", "json"]


def test_every_channel_key_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f.key for f in CHANNEL_FIELDS if f"`channels.{f.key}`" not in readme]
    assert missing == [] and "### Channels" in readme and "`users.NAME.channels`" in readme


def test_the_loader_keeps_channels_of_config_toml(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[users.ada]\nemail = "ada@example.org"\n'
        '[[users.ada.channels]]\nkind = "ntfy"\nurl = "https://ntfy.sh/ada"\n',
        encoding="utf-8",
    )
    ada = Settings.load(tmp_path).delivery.user("ada")
    assert ada is not None and ada.channels[0].url == "https://ntfy.sh/ada"
