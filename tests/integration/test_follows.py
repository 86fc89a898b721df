"""Followed authors end to end on real papers: the shared corpus has eleven-odd "Qiang Liu"s,
two of whom each list a paper on 2026-03-02 — 2602.23845 (error correction in Chinese
writing, with Songtao Sun and Fuyang Li, as in their 2503.19584 on office agents) and
2602.23370 (semantic chunking, with Jiarui Zhang of the MonkeyOCR papers). ada follows the
first one; bob follows nobody. Through the CLI (follow, following, unfollow), `paperfeed
daily` (real SMTP server on 127.0.0.1), the feed file, `recommend --format json` and the
web API."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner, Result
from smtp_sink import Sink, smtp_sink

from paperfeed.cli import cli
from paperfeed.names import name_key
from paperfeed.services import Paperfeed
from paperfeed.services.accounts import Accounts
from paperfeed.settings import Settings
from paperfeed.web.app import create_app

pytestmark = pytest.mark.integration

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
DAY = "2026-03-02"
THEIRS = "2602.23845"  # by the Qiang Liu ada follows
OTHERS = "2602.23370"  # by another Qiang Liu
PICK = "2503.19584"  # the paper ada picks the person by
BADGE = "by Qiang Liu, whom you follow"
SIZE = 3

if not CORPUS.exists():
    pytest.skip("../shared/data is not beside the repository", allow_module_level=True)


@pytest.fixture(scope="module")
def recorded() -> dict[str, list[dict[str, Any]]]:
    """From the shared corpus at test time: every "Qiang Liu" paper listed before DAY, the
    listing of DAY (64 papers) and six earlier papers for each user's profile."""
    history, day, ada, bob = [], [], [], []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            when = row["listing_date"]
            title = row["title"].lower()
            if when == DAY:
                day.append(row)
            elif when < DAY and any(name_key(a) == "liu qiang" for a in row["authors"]):
                history.append(row)
            elif "2026-01-15" <= when < DAY and "language model" in title and len(ada) < 6:
                ada.append(row)
            elif "2026-01-15" <= when < DAY and "graph" in title and len(bob) < 6:
                bob.append(row)
    assert {THEIRS, OTHERS} <= {r["id"] for r in day} and PICK in {r["id"] for r in history}
    assert len(history) > 20 and len(ada) == len(bob) == 6
    return {"history": history, "day": day, "ada": ada, "bob": bob}


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run(home: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), "--quiet", *args])
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == code, result.output
    return result


@pytest.fixture()
def home(tmp_path: Path, recorded: dict[str, list[dict[str, Any]]]) -> Iterator[Path]:
    """A home with the Qiang Liu papers before DAY, ada's and bob's profiles, DAY's listing
    as a file source, and an SMTP sink it delivers to."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-256"\n', encoding="utf-8")
    run(home, "ingest", str(_jsonl(tmp_path / "history.jsonl", recorded["history"])))
    for user in ("ada", "bob"):
        profile = _jsonl(tmp_path / f"{user}.jsonl", recorded[user])
        run(home, "profile", "add", "--user", user, str(profile))
    _jsonl(home / "day.jsonl", recorded["day"])
    yield home


def _configure(home: Path, sink: Sink) -> None:
    users = "".join(f'[users.{u}]\nemail = "{u}@example.org"\n' for u in ("ada", "bob"))
    (home / "config.toml").write_text(
        f'base_url = "http://127.0.0.1:9"\nmodel = "hashing-256"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n'
        'from = "paperfeed <digest@example.org>"\nbackoff = 0.0\n'
        f'[digest]\nsize = {SIZE}\nsources = ["file:day.jsonl"]\n{users}',
        encoding="utf-8",
    )


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def items_of(text: str) -> dict[str, str]:
    """The items of a plain-text digest by paper id (from their abstract link)."""
    out = {}
    for block in text.split("\n\n"):
        for pid in (THEIRS, OTHERS):
            if f"arxiv.org/abs/{pid}" in block:
                out[pid] = block
    return out


def test_follow_needs_a_paper_when_the_name_is_several_people(home: Path) -> None:
    ambiguous = run(home, "follow", "Qiang Liu", "--user", "ada", code=1)
    people = ambiguous.stdout
    assert people.startswith("Qiang Liu: ") and " people in the store" in people
    assert people.count("--paper ") >= 4  # a paper or two per person, as `--paper ID`
    (error,) = ambiguous.stderr.strip().splitlines()  # one clear line
    assert error.startswith("Error: 'Qiang Liu' is ") and "--paper ID" in error
    assert "follows nobody" in run(home, "following", "--user", "ada").stdout

    wrong = run(home, "follow", "Qiang Liu", "--paper", "2601.99999", "--user", "ada", code=1)
    assert "2601.99999: not a paper by 'Qiang Liu' in the store" in wrong.stderr
    assert "no papers by 'Nobody Here'" in run(home, "follow", "Nobody Here", code=1).stderr

    done = run(home, "follow", "liu, qiang", "--paper", f"{PICK}v1", "--user", "ada").stdout
    assert done.startswith("ada follows Qiang Liu: ") and "people of that name)" in done
    listed = json.loads(run(home, "following", "--user", "ada", "--json").stdout)
    assert [p["name"] for p in listed] == ["Qiang Liu"] and PICK in listed[0]["paper_ids"]
    assert "songtao sun" in listed[0]["coauthors"]
    assert run(home, "following", "--user", "ada").stdout.startswith("Qiang Liu: ")
    assert "follows nobody" in run(home, "following", "--user", "bob").stdout

    assert (
        "ada no longer follows Qiang Liu" in run(home, "unfollow", "QIANG LIU", "-u", "ada").stdout
    )
    gone = run(home, "unfollow", "Qiang Liu", "--user", "ada", code=1)
    assert "'ada' does not follow 'Qiang Liu'" in gone.stderr


def test_daily_gives_the_follower_only_the_right_persons_paper_with_a_badge(home: Path) -> None:
    run(home, "follow", "Qiang Liu", "--paper", PICK, "--user", "ada")
    with smtp_sink() as sink:
        _configure(home, sink)
        daily = run(home, "daily", "--date", DAY)
        assert daily.stdout.count("sent (digest of ") == 2, daily.stdout
        (ada_mail,) = sink.to("ada@example.org")
        (bob_mail,) = sink.to("bob@example.org")

    ada_text, bob_text = text_of(ada_mail), text_of(bob_mail)
    ada_items = items_of(ada_text)
    assert THEIRS in ada_items and f"★ {BADGE}" in ada_items[THEIRS]
    assert ada_text.count(BADGE) == 1  # the other Qiang Liu's paper is not theirs
    assert OTHERS not in ada_items or BADGE not in ada_items[OTHERS]
    html = ada_mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.count(BADGE) == 1
    # the followed paper came on top of the digest's size, past the score cut
    assert ada_mail["Subject"].startswith(f"paperfeed {DAY}: {SIZE + 1} papers for ada")
    assert BADGE not in bob_text and THEIRS not in items_of(bob_text)
    assert bob_mail["Subject"].startswith(f"paperfeed {DAY}: {SIZE} papers for bob")

    # the same ranking for the terminal, JSON, the feed and the web API
    table = run(home, "recommend", "--user", "ada", "--since", DAY, "--top", str(SIZE)).stdout
    assert f"★ {BADGE}" in table
    recs = json.loads(
        run(home, "recommend", "-u", "ada", "--since", DAY, "-k", "3", "--format", "json").stdout
    )
    followed = {r["paper"]["id"]: r["followed"] for r in recs}
    assert followed[THEIRS] == ["Qiang Liu"] and followed.get(OTHERS, []) == []
    assert len(recs) == SIZE + 1 and [r["rank"] for r in recs] == [1, 2, 3, 4]
    assert all(not r["followed"] for r in recs if r["paper"]["id"] != THEIRS)

    feed_file = home / "ada.xml"
    run(home, "feed", "--user", "ada", "--days", "1", "-o", str(feed_file))
    entries = feedparser.parse(feed_file.read_text(encoding="utf-8")).entries
    badged = [e for e in entries if BADGE in e.summary]
    assert len(badged) == 1 and THEIRS in badged[0].link
    assert f"★ {BADGE}" in badged[0].content[0].value

    settings = Settings.load(home)
    with Paperfeed.open(settings) as lib:
        token = Accounts(lib.store).new_token("ada")
        client = create_app(settings, library=lib)
        from fastapi.testclient import TestClient

        api = TestClient(client).get(
            f"/api/v1/feed?since={DAY}&top={SIZE}", headers={"Authorization": f"Bearer {token}"}
        )
        assert api.status_code == 200
        items = {i["paper"]["id"]: i["followed"] for i in api.json()["items"]}
        assert items[THEIRS] == ["Qiang Liu"] and len(items) == SIZE + 1
        assert sum(1 for names in items.values() if names) == 1


def test_a_followed_paper_obeys_exclude_keywords_and_db_copy_keeps_follows(
    home: Path, tmp_path: Path
) -> None:
    run(home, "ingest", str(home / "day.jsonl"))
    run(home, "follow", "Qiang Liu", "--paper", PICK, "--user", "ada")
    (home / "config.toml").write_text(
        'model = "hashing-256"\n[users.ada]\nemail = "ada@example.org"\n'
        'exclude = ["error correction"]\n',
        encoding="utf-8",
    )
    recs = json.loads(
        run(home, "recommend", "-u", "ada", "--since", DAY, "--format", "json").stdout
    )
    assert THEIRS not in {r["paper"]["id"] for r in recs}

    copy = tmp_path / "copy.db"
    counts = run(home, "db", "copy", "--to", str(copy)).stdout
    assert any(line.split()[:2] == ["follows", "1"] for line in counts.splitlines()), counts
    listed = json.loads(run(home, "--db", str(copy), "following", "-u", "ada", "--json").stdout)
    assert [p["name"] for p in listed] == ["Qiang Liu"]


def test_the_web_feed_shows_the_badge_and_settings_list_and_unfollow(home: Path) -> None:
    from fastapi.testclient import TestClient
    from web_world import csrf_of

    run(home, "ingest", str(home / "day.jsonl"))
    run(home, "follow", "Qiang Liu", "--paper", PICK, "--user", "ada")
    settings = Settings.load(home)
    with Paperfeed.open(settings) as lib:
        Accounts(lib.store).set_password("ada", "correct horse battery")
        client = TestClient(create_app(settings, library=lib))
        form = client.get("/login")
        login = {"username": "ada", "password": "correct horse battery"}
        client.post("/login", data={**login, "csrf": csrf_of(form.text)})
        page = client.get(f"/?since={DAY}&top={SIZE}").text
        assert page.count(BADGE) == 1 and f'data-paper="{THEIRS}"' in page
        shown = client.get("/settings").text
        assert "People you follow" in shown and "Qiang Liu" in shown
        res = client.post(
            "/settings",
            data={"csrf": csrf_of(shown), "action": "unfollow", "name": "liu qiang"},
            follow_redirects=False,
        )
        assert res.status_code == 303 and lib.store.followed_authors("ada") == []
        assert BADGE not in client.get(f"/?since={DAY}&top={SIZE}").text
        assert "Nobody yet." in client.get("/settings").text
