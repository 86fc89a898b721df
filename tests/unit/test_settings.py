"""Settings: every environment variable and config.toml key declared once and documented,
read nowhere else; config.toml defaults, the example parses back, clear errors."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from paperfeed.settings import (
    ENV,
    FIELDS,
    USER_FIELDS,
    ConfigError,
    DeliverySettings,
    Settings,
    example_toml,
    parse_config,
    read_config,
    source_kind,
)

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "paperfeed"


def _environment_reads(source: str, where: str) -> list[str]:
    """``where:line what`` for each use of the environment in one source file: ``os.environ``,
    ``os.getenv``, ``from os import environ/getenv``, and Click's ``envvar="LITERAL"``."""
    tree = ast.parse(source, filename=where)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "environb", "getenv", "getenvb")
        ):
            found.append(f"{where}:{node.lineno} os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {a.name for a in node.names} & {"environ", "environb", "getenv", "getenvb"}
            found += [f"{where}:{node.lineno} from os import {n}" for n in sorted(names)]
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "envvar"
            and isinstance(node.value, ast.Constant | ast.List | ast.Tuple)
        ):
            found.append(f"{where}:{node.value.lineno} envvar= literal")
    return found


def test_the_environment_is_read_only_in_the_settings_module() -> None:
    files = [p for p in sorted(SRC.rglob("*.py")) if p != SRC / "settings.py"]
    assert len(files) > 50
    found = [
        hit
        for p in files
        for hit in _environment_reads(p.read_text(encoding="utf-8"), str(p.relative_to(ROOT)))
    ]
    assert found == [], "read the environment through paperfeed.settings.ENV"


def test_the_scan_finds_every_kind_of_read() -> None:
    source = (
        "import os\nfrom os import getenv\n"
        "a = os.environ.get('A')\nb = os.getenv('B')\n"
        "opt = click.option('--x', envvar='X')\nok = click.option('--y', envvar=Y.name)\n"
    )
    assert sorted(_environment_reads(source, "x.py")) == [
        "x.py:2 from os import getenv",
        "x.py:3 os.environ",
        "x.py:4 os.getenv",
        "x.py:5 envvar= literal",
    ]


def test_every_variable_and_key_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [f"`{v.name}`" for v in ENV]
    names += [f"`{f.key}`" for f in FIELDS]
    names += [f"`users.NAME.{f.key}`" for f in USER_FIELDS]
    missing = [n for n in names if n not in readme]
    assert missing == []
    assert len(set(v.name for v in ENV)) == len(ENV)
    for v in ENV:
        assert len(v.help) > 20, v.name


def test_settings_load_reads_the_environment_when_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV.home.name, str(tmp_path / "h"))
    monkeypatch.setenv(ENV.model_cache.name, str(tmp_path / "m"))
    settings = Settings.load()
    assert settings.home == tmp_path / "h" and settings.db_path == tmp_path / "h" / "paperfeed.db"
    assert settings.model_cache == tmp_path / "m"
    monkeypatch.delenv(ENV.model_cache.name)
    monkeypatch.setenv(ENV.xdg_cache.name, str(tmp_path / "xdg"))
    assert Settings.load("~").model_cache == tmp_path / "xdg" / "paperfeed" / "models"
    assert Settings.load("~").home == Path.home()


def test_the_model_and_delivery_settings_come_from_config_toml(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path)
    assert (
        settings.model == "minilm"
        and settings.delivery == read_config(tmp_path / "config.toml").delivery
    )
    (tmp_path / "config.toml").write_text('model = "hashing-64"\nbase_url = "https://x.org"\n')
    fresh = Settings.load(tmp_path)
    assert (fresh.model, fresh.delivery.base_url) == ("hashing-64", "https://x.org")


def test_a_broken_config_toml_fails_only_what_needs_it(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('model = "nope"\n')
    settings = Settings.load(tmp_path)  # reading nothing yet
    assert settings.db_path == tmp_path / "paperfeed.db"
    assert settings.model == "nope"  # the name is checked where the embedder is made
    (tmp_path / "config.toml").write_text("[smtp]\nport = 'x'\n")
    with pytest.raises(ConfigError, match=r"config\.toml: smtp\.port must be a whole number"):
        _ = Settings.load(tmp_path).model


def test_every_setting_is_documented_and_in_the_example() -> None:
    example = example_toml()
    for f in (*FIELDS, *USER_FIELDS):
        assert len(f.help) > 20, f.key
        assert f"{f.key.rpartition('.')[2]} = " in example, f.key


def test_example_parses_back() -> None:
    file = parse_config(tomllib.loads(example_toml()))
    settings = file.delivery
    assert file.model == "minilm"
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
    settings = read_config(tmp_path / "config.toml").delivery
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
    s = read_config(tmp_path / "config.toml").delivery
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
        read_config(tmp_path / "config.toml")
    assert message in str(err.value)


def test_a_password_in_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[smtp]\npassword = "hunter2"\n', encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        read_config(tmp_path / "config.toml")
    path.chmod(0o600)
    assert read_config(tmp_path / "config.toml").delivery.smtp.password == "hunter2"


def test_source_kinds() -> None:
    assert source_kind("arxiv:cs.LG+cs.CL") == ("arxiv", "cs.LG+cs.CL")
    assert source_kind("hf") == ("hf", "")
    assert source_kind("file:/tmp/a b.jsonl") == ("file", "/tmp/a b.jsonl")
    assert source_kind("biorxiv") == ("biorxiv", "")
    assert source_kind("biorxiv:neuroscience+cell biology") == (
        "biorxiv",
        "neuroscience+cell biology",
    )
    assert source_kind("medrxiv") == ("medrxiv", "")
    for bad in ("arxiv:", "file:", "hf:x", "rss", "biorxiv:", "medrxiv: ", "bioRxiv"):
        with pytest.raises(ConfigError):
            source_kind(bad)
