"""`paperfeed daily` over a recorded day with chat channels and several addresses: three
users — ada (two addresses, Slack, JSON), bob (Discord, ntfy, Matrix, no e-mail) and cyd
(e-mail and a JSON channel that fails with 500s, then is unreachable) — against a real SMTP
server (aiosmtpd) and a webhook sink, both on 127.0.0.1 and stopped by the tests."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from smtp_sink import Sink, smtp_sink

from paperfeed.cli import cli
from paperfeed.delivery.daily import ASK_PER_DIGEST
from paperfeed.embed import get_embedder
from paperfeed.services import Paperfeed
from paperfeed.store import open_store
from webhook_sink import Answer, WebhookSink, closed_port_url

pytestmark = pytest.mark.integration

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
DAY = "2026-08-21"
MODEL = "hashing-256"
TOPICS = {"ada": "diffusion", "bob": "reinforcement learning", "cyd": "graph"}
SIZE = 4
SHOWN = SIZE + ASK_PER_DIGEST

if not CORPUS.exists():
    pytest.skip("../shared/data is not beside the repository", allow_module_level=True)


@pytest.fixture(scope="module")
def recorded() -> dict[str, list[dict[str, Any]]]:
    """DAY's listing and six earlier papers per user's topic, read from the shared corpus
    at test time (nothing is copied into the repository)."""
    rows = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if '"listing_date": "2026-08-' in line:
                rows.append(json.loads(line))
    out = {"day": [r for r in rows if r["listing_date"] == DAY]}
    earlier = [r for r in rows if r["listing_date"] < DAY]
    for user, keyword in TOPICS.items():
        out[user] = [r for r in earlier if keyword in r["title"].lower()][:6]
    return out


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@dataclass
class World:
    home: Path
    app: Paperfeed
    smtp: Sink
    hooks: WebhookSink

    def config(self, *, cyd_lab: str = "", bob: str = "") -> None:
        """ada: two addresses, Slack and JSON; bob: Discord, ntfy, Matrix; cyd: e-mail and
        the JSON channel "lab" at ``cyd_lab`` (default: the sink)."""
        hooks = self.hooks.url
        bob = bob or (
            f'[[users.bob.channels]]\nkind = "discord"\nurl_env = "BOB_DISCORD"\n'
            f'[[users.bob.channels]]\nkind = "ntfy"\nurl = "{hooks}/ntfy/bob-papers"\n'
            f'[[users.bob.channels]]\nkind = "matrix"\nurl = "{hooks}"\n'
            'room = "!bob:example.org"\ntoken = "syt_bob"\n'
        )
        path = self.home / "config.toml"
        path.write_text(
            f'base_url = "https://pf.example.org"\nmodel = "{MODEL}"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {self.smtp.port}\nsecurity = "none"\n'
            'from = "paperfeed <digest@example.org>"\nbackoff = 0.0\n'
            "[webhooks]\ntimeout = 5.0\nretries = 2\nbackoff = 0.0\n"
            f'[digest]\nsize = {SIZE}\nsources = ["file:day.jsonl"]\n'
            '[users.ada]\nemail = ["ada@example.org", "ada@lab.example"]\n'
            f'[[users.ada.channels]]\nkind = "slack"\nurl = "{hooks}/services/T1/B2/ada"\n'
            f'[[users.ada.channels]]\nkind = "json"\nurl = "{hooks}/json/ada"\n'
            'token_env = "ADA_JSON_TOKEN"\n'
            f"[users.bob]\n{bob}"
            '[users.cyd]\nemail = "cyd@example.org"\n'
            '[[users.cyd.channels]]\nkind = "json"\nname = "lab"\n'
            f'url = "{cyd_lab or hooks + "/json/cyd"}"\n',
            encoding="utf-8",
        )
        path.chmod(0o600)  # it holds a webhook URL and a token

    def daily(self, *args: str) -> Result:
        result = CliRunner().invoke(cli, ["--home", str(self.home), "--quiet", "daily", *args])
        assert "Traceback" not in result.output, result.output
        return result


@pytest.fixture()
def world(
    tmp_path: Path, recorded: dict[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    home = tmp_path / "home"
    home.mkdir()
    _jsonl(home / "day.jsonl", recorded["day"])
    store = open_store(home / "paperfeed.db")
    app = Paperfeed(store=store, embedder_factory=lambda: get_embedder(MODEL))
    for user in TOPICS:
        app.profile_add(user, [str(_jsonl(tmp_path / f"{user}.jsonl", recorded[user]))])
    with smtp_sink() as smtp, WebhookSink() as hooks:
        monkeypatch.setenv("ADA_JSON_TOKEN", "ada-secret")
        monkeypatch.setenv("BOB_DISCORD", f"{hooks.url}/api/webhooks/42/bob-secret")
        w = World(home, app, smtp, hooks)
        w.config()
        try:
            yield w
        finally:
            store.close()


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def ids_in(mail: EmailMessage) -> list[str]:
    return re.findall(r"abs: https://arxiv\.org/abs/(\S+)", text_of(mail))


def test_daily_delivers_to_every_address_and_channel_and_isolates_a_failing_one(
    world: World,
) -> None:
    hooks = world.hooks
    hooks.script("/services/", Answer(429, body="rate_limited", headers={"Retry-After": "0"}))
    hooks.script("/json/cyd", *[Answer(500, body='{"error": "boom"}')] * 3)
    first = world.daily("--date", DAY)
    assert first.exit_code == 1, first.output
    lines = first.stdout.splitlines()[1:]
    sent = f"sent (digest of {SIZE} papers)"
    assert lines[:8] == [
        f"ada <ada@example.org>: {sent}",
        f"ada <ada@lab.example>: {sent}",
        f"ada [slack]: {sent}",
        f"ada [json]: {sent}",
        f"bob [discord]: {sent}",
        f"bob [ntfy]: {sent}",
        f"bob [matrix]: {sent}",
        f"cyd <cyd@example.org>: {sent}",
    ]
    assert lines[8].startswith("cyd [lab]: failed (transient: JSON webhook: HTTP 500 ")
    assert "gave up after 3 attempts" in lines[8] and "/json/cyd" not in lines[8]
    assert first.stderr.strip().endswith(
        f"Error: 1 of 9 deliveries failed; run `paperfeed daily --date {DAY}` again to retry them"
    )

    # e-mail: one message per address, the same digest in each
    mails = {m["To"]: m for m in world.smtp.messages}
    assert sorted(mails) == ["ada@example.org", "ada@lab.example", "cyd@example.org"]
    assert text_of(mails["ada@example.org"]) == text_of(mails["ada@lab.example"])
    ada_ids = ids_in(mails["ada@example.org"])
    assert len(ada_ids) == SHOWN

    # Slack: retried after its 429, then Block Kit with every paper of the e-mail
    slack = hooks.hits("/services/T1/B2/ada")
    assert len(slack) == 2
    body = slack[1].json()
    assert body["text"] == f"paperfeed {DAY}: {SIZE} papers for ada"
    papers = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    slack_ids = [
        m for t in papers for m in re.findall(r"^\*\d+\.\* \*<https://arxiv\.org/abs/([^|]+)\|", t)
    ]
    assert slack_ids == ada_ids

    # JSON: the token, recommend --format json's items, the same papers
    (ada_json,) = hooks.hits("/json/ada")
    assert ada_json.headers["authorization"] == "Bearer ada-secret"
    doc = ada_json.json()
    assert doc["kind"] == "digest" and len(doc["items"]) == SIZE and len(doc["ask"]) == 3
    assert {i["paper"]["id"] for i in doc["items"] + doc["ask"]} == set(ada_ids)
    assert [pid for section in doc["sections"] for pid in section["ids"]] == ada_ids  # as mailed
    first_item = doc["items"][0]
    assert {
        "rank",
        "score",
        "paper",
        "tldr",
        "followed",
        "explanation",
        "components",
        "reranked",
        "links",
    } == set(first_item)
    assert first_item["tldr"] and first_item["links"]["up"].startswith(
        "https://pf.example.org/rate/"
    )

    # bob: Discord (≤ 2000 characters, nobody pinged), ntfy (JSON publish), Matrix (PUT)
    discord = [h.json() for h in hooks.hits("/api/webhooks/42/bob-secret")]
    assert discord and all(len(d["content"]) <= 2000 for d in discord)
    assert all(d["allowed_mentions"] == {"parse": []} for d in discord)
    text = "\n".join(d["content"] for d in discord)
    assert len(re.findall(r"^\*\*\d+\. \[", text, re.M)) == SHOWN
    (ntfy,) = hooks.hits("/ntfy/")
    note = ntfy.json()
    assert ntfy.path == "/ntfy/" and note["topic"] == "bob-papers"
    assert note["title"] == f"paperfeed {DAY}: {SIZE} papers for bob"
    assert note["click"].startswith("https://arxiv.org/abs/") and "/rate/" not in note["message"]
    (matrix,) = hooks.hits("/_matrix/")
    assert matrix.method == "PUT" and matrix.headers["authorization"] == "Bearer syt_bob"
    assert matrix.path.startswith(
        "/_matrix/client/v3/rooms/!bob:example.org/send/m.room.message/paperfeed."
    )
    assert matrix.json()["msgtype"] == "m.notice" and "<a href=" in matrix.json()["formatted_body"]

    # bookkeeping: a paper is shown once any target delivered it; failed targets not recorded
    store = world.app.store
    assert len(store.shown_papers("bob")) == SHOWN and len(store.shown_papers("cyd")) == SHOWN
    recorded = {(u, c) for u, c, _ in store.deliveries(DAY)}
    assert ("cyd", "email") in recorded and ("cyd", "lab") not in recorded
    assert ("ada", "email:ada@lab.example") in recorded and ("bob", "matrix") in recorded

    # the next run tries only cyd's channel, now unreachable: e-mail is not sent again
    world.config(cyd_lab=f"{closed_port_url()}/hook")
    second = world.daily("--date", DAY)
    assert second.exit_code == 1
    assert second.stdout.count(f"skipped (digest already sent for {DAY})") == 8
    (lab_line,) = [x for x in second.stdout.splitlines() if x.startswith("cyd [lab]")]
    assert lab_line.startswith("cyd [lab]: failed (transient: JSON webhook: cannot connect")
    assert len(world.smtp.messages) == 3

    # once it answers again, it gets the digest cyd's e-mail had
    world.config()
    third = world.daily("--date", DAY)
    assert third.exit_code == 0, third.output
    assert f"cyd [lab]: {sent}" in third.stdout
    (lab,) = [h.json() for h in hooks.hits("/json/cyd") if h.body][-1:]
    cyd_ids = ids_in(mails["cyd@example.org"])
    assert [pid for section in lab["sections"] for pid in section["ids"]] == cyd_ids


def test_bad_channels_stop_daily_with_one_line_before_anything_is_sent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.config(bob='[[users.bob.channels]]\nkind = "teams"\nurl = "https://x.example"\n')
    res = world.daily("--date", DAY)
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr.strip().splitlines() == [
        f"Error: {world.home / 'config.toml'}: users.bob.channels[0].kind must be one of "
        "slack, discord, matrix, ntfy, json, not 'teams'"
    ]
    world.config()
    monkeypatch.delenv("BOB_DISCORD")
    res = world.daily("--date", DAY)
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr.strip() == (
        f"Error: {world.home / 'config.toml'}: users.bob.channels[0] (discord): url_env names "
        "$BOB_DISCORD, which is not set"
    )
    world.config(bob='[[users.bob.channels]]\nkind = "matrix"\nurl = "https://m.example"\n')
    res = world.daily("--date", DAY)
    assert res.exit_code == 1 and "users.bob.channels[0] (matrix): token is missing" in res.stderr
    assert world.smtp.messages == [] and world.hooks.hits() == []
    assert world.app.store.deliveries(DAY) == []


def test_check_dry_run_and_the_text_digest(world: World, tmp_path: Path) -> None:
    world.config(cyd_lab=f"{closed_port_url()}/hook")
    check = world.daily("--check")
    assert check.exit_code == 1
    assert "SMTP 127.0.0.1:" in check.stdout and "bob [discord]: reachable" in check.stdout
    assert re.search(r"cyd \[lab\]: 127\.0\.0\.1:\d+ refused the connection", check.stdout)
    assert "1 channel(s) cannot be reached" in check.stderr

    outbox = tmp_path / "outbox"
    dry = world.daily("--date", DAY, "--dry-run", "--save", str(outbox))
    assert dry.exit_code == 0, dry.output
    assert f"bob [ntfy]: dry run (would post digest of {SIZE} papers in 1 message)" in dry.stdout
    assert re.search(
        rf"bob \[discord\]: dry run \(would post digest of {SIZE} papers in \d", dry.stdout
    )
    assert "ada <ada@lab.example>: dry run (would send digest of" in dry.stdout
    assert world.hooks.hits() == [] and world.smtp.messages == []
    assert world.app.store.deliveries(DAY) == [] and world.app.store.shown_papers("bob") == set()
    saved = sorted(p.name for p in outbox.iterdir())
    assert f"{DAY}-bob-matrix.json" in saved and f"{DAY}-ada-ada@lab.example.eml" in saved
    matrix = json.loads((outbox / f"{DAY}-bob-matrix.json").read_text(encoding="utf-8"))
    assert matrix[0]["msgtype"] == "m.notice"

    args = ["--home", str(world.home), "recommend", "--user", "ada", "--since", DAY]
    text = CliRunner().invoke(cli, [*args, "--until", "2026-08-22", "--format", "text"])
    assert text.exit_code == 0, text.output
    assert text.output.startswith("paperfeed — ") and "\n== " in text.output
    assert all(len(x) <= 78 or "https://" in x for x in text.output.splitlines())
    assert len(re.findall(r"^\d+\. ", text.output, re.M)) == 20 and "/rate/" not in text.output
