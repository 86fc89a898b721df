"""`paperfeed users …` and `paperfeed web`/`serve` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from paperfeed.cli import cli
from paperfeed.services import Paperfeed
from paperfeed.services.accounts import Accounts
from paperfeed.settings import Settings

pytestmark = pytest.mark.integration


def run(home: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--home", str(home), *args], input=stdin)
    return res.exit_code, res.output


def test_users_lifecycle(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    code, out = run(
        home,
        "users",
        "add",
        "ada",
        "--email",
        "ada@example.org",
        "--password-stdin",
        stdin="long enough secret\n",
    )
    assert code == 0 and "created user ada" in out
    code, out = run(home, "users", "add", "ada", "--password-stdin", stdin="another secret\n")
    assert code == 1 and "users passwd ada" in out
    code, out = run(home, "users", "add", "bob", "--password-stdin", stdin="short\n")
    assert code == 1 and "at least 8 characters" in out
    code, out = run(home, "users", "token", "ada", "--label", "laptop")
    token = out.split()[-1]
    assert code == 0 and token.startswith("pf_")
    with Paperfeed.open(Settings.load(home)) as lib:
        assert Accounts(lib.store).token_user(token) == "ada"
        assert token not in str(lib.store.api_tokens("ada"))
        assert Accounts(lib.store).login("ada", "long enough secret")
    code, out = run(home, "users", "list")
    assert out.strip() == "ada\tada@example.org\tpassword\t1 API token(s)"
    assert run(home, "users", "revoke", "ada")[1].strip() == "revoked 1 API token(s) of ada"
    assert run(home, "users", "passwd", "ada", "--password-stdin", stdin="new password!\n")[0] == 0
    with Paperfeed.open(Settings.load(home)) as lib:
        assert Accounts(lib.store).login("ada", "new password!")
        assert not Accounts(lib.store).login("ada", "long enough secret")
    assert run(home, "users", "remove", "ada", "--yes")[1].strip() == "removed ada"
    assert run(home, "users", "remove", "ada", "--yes")[0] == 1


def test_web_and_serve_are_one_app() -> None:
    code, out = run(Path("."), "web", "--help")
    assert code == 0 and "--allow-signup" in out and "--behind-proxy" in out and "8000" in out
    code, out = run(Path("."), "serve", "--help")
    assert code == 0 and "alias of `web`" in out and "8787" in out
