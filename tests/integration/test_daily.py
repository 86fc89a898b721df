"""`paperfeed daily` end to end: three users, a recorded day of arXiv papers, a real SMTP
server (aiosmtpd) and the real `serve` endpoint, both on 127.0.0.1 and stopped by the tests."""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner, Result
from smtp_sink import Sink, smtp_sink

from paperfeed.cli import cli
from paperfeed.delivery import tokens
from paperfeed.delivery.daily import ASK_PER_DIGEST
from paperfeed.delivery.service import Delivery
from paperfeed.display import readable
from paperfeed.embed import get_embedder
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings
from paperfeed.store import open_store
from paperfeed.web.app import create_app
from paperfeed.web.serve import WebServer, make_server
from replay import ReplayServer, Reply, Route
from webhook_sink import WebhookSink

pytestmark = pytest.mark.integration

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
DAY = "2026-08-21"
MODEL = "hashing-256"
USERS = {  # user -> a title keyword for profile papers from the days before DAY
    "ada": "diffusion",
    "bob": "reinforcement learning",
    "cyd": "graph",
}
SIZE = 5

if not CORPUS.exists():
    pytest.skip("../shared/data is not beside the repository", allow_module_level=True)


@pytest.fixture(scope="module")
def recorded() -> dict[str, list[dict[str, Any]]]:
    """The listing of DAY (≈110 papers) and six earlier papers per user's topic, read from
    the shared corpus at test time (nothing is copied into the repository)."""
    rows = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if '"listing_date": "2026-08-' in line:
                rows.append(json.loads(line))
    out = {"day": [r for r in rows if r["listing_date"] == DAY]}
    out["week"] = [r for r in rows if "2026-08-15" <= r["listing_date"] < DAY]
    earlier = [r for r in rows if r["listing_date"] < DAY]
    for user, keyword in USERS.items():
        out[user] = [r for r in earlier if keyword in r["title"].lower()][:6]
        assert len(out[user]) == 6
    assert 80 < len(out["day"]) < 200
    return out


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@dataclass
class World:
    home: Path
    app: Paperfeed
    sink: Sink
    server: WebServer
    secret: bytes

    def config(
        self,
        *,
        sources: list[str],
        size: int = SIZE,
        extra: str = "",
        per_user: dict[str, str] | None = None,
    ) -> None:
        users = "".join(
            f'[users.{u}]\nemail = "{u}@example.org"\n{(per_user or {}).get(u, "")}\n'
            for u in USERS
        )
        (self.home / "config.toml").write_text(
            f'base_url = "{self.server.url}"\nmodel = "{MODEL}"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {self.sink.port}\nsecurity = "none"\n'
            'from = "paperfeed <digest@example.org>"\nbackoff = 0.0\n'
            f"[digest]\nsize = {size}\nsources = {json.dumps(sources)}\n{extra}\n{users}",
            encoding="utf-8",
        )
        self.server.delivery = self.delivery()

    def delivery(self) -> Delivery:
        """The facade over this world, with config.toml as it is now."""
        return Delivery(self.app, Settings.load(self.home), self.secret)

    def daily(self, *args: str) -> Result:
        result = CliRunner().invoke(cli, ["--home", str(self.home), "--quiet", "daily", *args])
        assert "Traceback" not in result.output, result.output
        return result


@pytest.fixture()
def world(tmp_path: Path, recorded: dict[str, list[dict[str, Any]]]) -> Iterator[World]:
    """A home with three profiles, a listing file for DAY, an SMTP sink and `serve`."""
    home = tmp_path / "home"
    home.mkdir()
    _jsonl(home / "day.jsonl", recorded["day"])
    store = open_store(home / "paperfeed.db")
    app = Paperfeed(store=store, embedder_factory=lambda: get_embedder(MODEL))
    for user in USERS:
        app.profile_add(user, [str(_jsonl(tmp_path / f"{user}.jsonl", recorded[user]))])
    secret = tokens.load_or_create_secret(home)
    with smtp_sink() as sink:
        server = make_server(create_app(Settings.load(home), library=app), port=0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        w = World(home, app, sink, server, secret)
        w.config(sources=["file:day.jsonl"])
        try:
            yield w
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)
            store.close()


def get(url: str, method: str = "GET") -> tuple[int, str]:
    assert url.startswith("http://127.0.0.1:")
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def links_in(msg: EmailMessage, label: str) -> list[str]:
    return re.findall(rf"{re.escape(label)}: (\S+)", text_of(msg))


def test_daily_digests_ratings_and_feeds_end_to_end(world: World) -> None:
    first = world.daily("--date", DAY)
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    n_day = len(world.app.store.papers_between(DAY, "2026-08-22"))
    assert lines[0] == f"source file:day.jsonl: {n_day} read, {n_day} new"
    assert lines[1:] == [f"{u} <{u}@example.org>: sent (digest of {SIZE} papers)" for u in USERS]

    # exactly three digests, one per user, multipart with explanations and rating links
    sink = world.sink
    assert len(sink.messages) == 3
    assert sorted(m["To"] for m in sink.messages) == [f"{u}@example.org" for u in USERS]
    for msg in sink.messages:
        assert msg.get_content_type() == "multipart/alternative"
        assert msg["Subject"].startswith(f"paperfeed {DAY}: {SIZE} papers for ")
        text = text_of(msg)
        # the digest's SIZE papers, then ASK_PER_DIGEST more to rate (active learning)
        shown = SIZE + ASK_PER_DIGEST
        assert text.count("why: closest to your paper") == shown
        assert len(links_in(msg, "👎 less like this")) == shown
        sections = re.findall(r"^== (.+) \((\d+)\) ==", text, re.M)
        assert sections and all(name and "Interest" not in name for name, _ in sections)
        assert text.index("Help paperfeed learn") > text.rindex("\n== ")
        html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert html.count("👍 More like this") == shown
    digests = {m["To"]: text_of(m) for m in sink.messages}
    assert len(set(digests.values())) == 3

    # a second run sends nothing
    second = world.daily("--date", DAY)
    assert second.exit_code == 0, second.output
    assert "0 new" in second.stdout.splitlines()[0]
    assert second.stdout.count(f"skipped (digest already sent for {DAY})") == 3
    assert len(sink.messages) == 3

    # thumbs down from ada's digest, through the real endpoint
    (ada_mail,) = sink.to("ada@example.org")
    down = links_in(ada_mail, "👎 less like this")[0]
    pid = tokens.verify(world.secret, down.rsplit("/", 1)[1], now=time.time()).paper_id
    before = [
        r.paper.id for r in world.app.recommend("ada", since=DAY, until="2026-08-22", top=SIZE)
    ]
    assert pid == before[0]
    status, body = get(down)  # a confirmation page: a prefetching scanner records nothing
    assert status == 200 and "less like this" in body and world.app.store.ratings("ada") == {}
    status, body = get(down, method="POST")
    assert status == 200 and "less like this" in body
    assert world.app.store.ratings("ada") == {pid: "down"}
    after = [
        r.paper.id for r in world.app.recommend("ada", since=DAY, until="2026-08-22", top=SIZE)
    ]
    assert pid not in after and after != before

    # replayed, forged and expired links are refused and change nothing
    ratings = {u: world.app.store.ratings(u) for u in USERS}
    status, body = get(down, method="POST")
    assert status == 409 and "already used" in body
    head, sig = down.rsplit(".", 1)
    forged = head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    assert get(forged)[0] == 403 and get(forged, method="POST")[0] == 403
    other_pid = after[0]
    stranger = tokens.rating_token(b"x" * 32, "ada", other_pid, "up", now=time.time())
    assert get(f"{world.server.url}/rate/{stranger}")[0] == 403
    month_ago = time.time() - 31 * 86_400
    expired = tokens.rating_token(world.secret, "ada", other_pid, "up", now=month_ago)
    status, body = get(f"{world.server.url}/rate/{expired}")
    assert status == 410 and "expired" in body
    feed_tok = tokens.feed_token(world.secret, "ada")  # a feed token cannot rate
    assert get(f"{world.server.url}/rate/{feed_tok}")[0] == 400
    assert {u: world.app.store.ratings(u) for u in USERS} == ratings

    # thumbs up from bob's digest works too, once
    (bob_mail,) = sink.to("bob@example.org")
    up = links_in(bob_mail, "👍 more like this")[1]
    assert get(up, method="POST")[0] == 200 and get(up, method="POST")[0] == 409
    assert list(world.app.store.ratings("bob").values()) == ["up"]

    # the private feeds: Atom, RSS and one interest, valid for feedparser
    (feed_link,) = links_in(ada_mail, "Your private feed")
    status, body = get(feed_link)
    assert status == 200
    atom = feedparser.parse(body)
    assert not atom.bozo and atom.version == "atom10" and len(atom.entries) == SIZE
    assert all("/abs/" + pid not in e.link for e in atom.entries)  # the downvoted paper
    assert all("closest to your paper" in e.summary for e in atom.entries)
    rss = feedparser.parse(get(feed_link.replace(".xml", ".rss"))[1])
    assert not rss.bozo and rss.version == "rss20" and len(rss.entries) == SIZE
    one = feedparser.parse(get(feed_link.replace(".xml", "/1.xml"))[1])
    assert not one.bozo and 0 < len(one.entries) <= SIZE
    assert one.feed.title.startswith("paperfeed: papers for ada — ")  # then the interest's name
    assert "Interest" not in one.feed.title
    assert get(feed_link.replace(".xml", "X.xml"))[0] == 403
    assert get(f"{world.server.url}/nothing")[0] == 404

    # `paperfeed feed` writes the same feed to a file
    out = world.home / "public" / "ada.xml"
    res = CliRunner().invoke(
        cli, ["--home", str(world.home), "feed", "--user", "ada", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    from_file = feedparser.parse(out.read_text(encoding="utf-8"))
    assert not from_file.bozo
    assert [e.link for e in from_file.entries] == [e.link for e in atom.entries]


def test_unsubscribe_and_status_emails_for_a_quiet_day_with_a_failed_source(
    world: World,
) -> None:
    assert world.daily("--date", DAY).exit_code == 0
    (bob_mail,) = world.sink.to("bob@example.org")
    (unsubscribe,) = links_in(bob_mail, "Unsubscribe")
    assert bob_mail["List-Unsubscribe"] == f"<{unsubscribe}>"
    status, body = get(unsubscribe, method="POST")  # RFC 8058 one-click, as mail clients do
    assert status == 200 and "no more digest e-mails" in body
    assert get(unsubscribe)[0] == 200  # harmless twice

    world.config(sources=["file:day.jsonl", "file:missing.jsonl"])
    quiet = world.daily("--date", "2026-08-22")
    assert quiet.exit_code == 0, quiet.output
    assert "source file:missing.jsonl: FAILED: " in quiet.stdout
    assert "paperfeed: source file:missing.jsonl failed: " in quiet.stderr  # the log
    assert "bob <bob@example.org>: skipped (unsubscribed)" in quiet.stdout
    assert quiet.stdout.count("sent (status: source failed)") == 2
    status_mails = world.sink.messages[3:]
    assert sorted(m["To"] for m in status_mails) == ["ada@example.org", "cyd@example.org"]
    for msg in status_mails:
        assert msg["Subject"] == "paperfeed 2026-08-22: source file:missing.jsonl failed"
        text = " ".join(text_of(msg).split())  # wrapped at 78 columns
        assert "No new papers today" in text
        assert "Source file:missing.jsonl failed: " in text and "no such file" in text

    # quiet day, no failure: "no new papers today"; and `subscribe` brings bob back
    world.config(sources=[])
    ok = CliRunner().invoke(cli, ["--home", str(world.home), "subscribe", "--user", "bob"])
    assert ok.exit_code == 0 and "subscribed to" in ok.output
    third = world.daily("--date", "2026-08-23")
    assert third.stdout.count("sent (status: no new papers)") == 3
    assert {m["Subject"] for m in world.sink.messages[5:]} == {
        "paperfeed 2026-08-23: no new papers today"
    }


def test_a_failed_delivery_is_retried_by_the_next_run_only(world: World) -> None:
    world.sink.refuse["cyd@example.org"] = "550 5.2.1 Mailbox disabled"
    first = world.daily("--date", DAY)
    assert first.exit_code == 1
    assert "cyd <cyd@example.org>: failed (permanent: SMTP server" in first.stdout
    assert "Error: 1 of 3 deliveries failed; run `paperfeed daily --date 2026-08-21`" in (
        first.stderr
    )
    assert len(world.sink.messages) == 2
    del world.sink.refuse["cyd@example.org"]
    second = world.daily("--date", DAY)
    assert second.exit_code == 0, second.output
    assert [m["To"] for m in world.sink.messages] == [
        "ada@example.org",
        "bob@example.org",
        "cyd@example.org",
    ]


def test_resumes_after_a_crash_in_the_middle_of_a_run(world: World) -> None:
    """The process dies while sending the second digest: the rerun sends the other two."""

    class Crashing:
        def __init__(self) -> None:
            self.sent: list[str] = []

        def send(self, msg: EmailMessage) -> int:
            if len(self.sent) == 1:
                raise KeyboardInterrupt  # killed mid-run
            self.sent.append(str(msg["To"]))
            return 1

    crashing = Crashing()
    with pytest.raises(KeyboardInterrupt):
        world.delivery().run_daily(day=DAY, now=datetime.now(UTC), sender=crashing)
    assert crashing.sent == ["ada@example.org"]
    assert world.app.store.deliveries(DAY) == [("ada", "email", "digest")]

    resumed = world.daily("--date", DAY)
    assert resumed.exit_code == 0, resumed.output
    assert "ada <ada@example.org>: skipped (digest already sent" in resumed.stdout
    assert sorted(m["To"] for m in world.sink.messages) == ["bob@example.org", "cyd@example.org"]


def test_network_sources_are_stored_and_their_failures_reported(world: World) -> None:
    """arxiv/hf sources go through the injected fetcher: papers stored and embedded; a
    fetch error becomes a notice in the digest, not a crash."""
    from paperfeed.fetch import FetchError
    from paperfeed.models import Paper
    from paperfeed.sources import ParseResult

    calls: list[tuple[str, str, str]] = []

    def remote(kind: str, arg: str, day: str) -> ParseResult:
        calls.append((kind, arg, day))
        if kind == "hf":
            raise FetchError("Hugging Face daily papers: HTTP 503 after 5 tries")
        paper = Paper(id="2608.99999", title="A diffusion paper", abstract="Diffusion.", date=day)
        return ParseResult([paper], [], "arxiv-rss")

    world.config(sources=["arxiv:cs.LG+cs.CL", "hf"])
    report = world.delivery().run_daily(day=DAY, now=datetime.now(UTC), dry_run=True, remote=remote)
    assert calls == [("arxiv", "cs.LG+cs.CL", DAY), ("hf", "", DAY)]
    assert [s.line() for s in report.sources] == [
        "source arxiv:cs.LG+cs.CL: 1 read, 1 new",
        "source hf: FAILED: Hugging Face daily papers: HTTP 503 after 5 tries",
    ]
    paper = world.app.store.get_paper("2608.99999")
    assert paper is not None
    assert world.app.store.get_embeddings(MODEL, [paper.content_hash])
    assert [u.outcome for u in report.users] == ["dry run"] * 3  # one paper: a digest each


def test_daily_writes_static_feeds_when_asked(world: World, tmp_path: Path) -> None:
    public = tmp_path / "public"
    world.config(sources=["file:day.jsonl"], extra=f'feed_dir = "{public}"')
    assert world.daily("--date", DAY).exit_code == 0
    files = sorted(public.iterdir())
    assert [f.name for f in files] == sorted(
        f"{tokens.feed_token(world.secret, u)}.xml" for u in USERS
    )
    parsed = feedparser.parse(files[0].read_text(encoding="utf-8"))
    assert not parsed.bozo and len(parsed.entries) == SIZE


def test_serve_command_answers_on_127_0_0_1(world: World) -> None:
    """`paperfeed serve --port 0` as its own process: it binds 127.0.0.1, serves a feed and
    stops on Ctrl-C."""
    import signal
    import subprocess
    import sys

    main = "from paperfeed.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", main, "--home", str(world.home), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.match(r"serving on (http://127\.0\.0\.1:\d+) ", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None else "")
        url = match.group(1)
        assert get(f"{url}/healthz") == (200, "ok\n")
        feed = f"{url}/feed/{tokens.feed_token(world.secret, 'cyd')}.xml"
        status, body = get(feed)
        assert status == 200 and not feedparser.parse(body).bozo
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "/feed/" in err and tokens.feed_token(world.secret, "cyd") not in err  # redacted


def test_head_requests_never_act(world: World) -> None:
    """Link checkers and previews that only HEAD a link must not use up or apply it."""
    assert world.daily("--date", DAY).exit_code == 0
    (mail,) = world.sink.to("ada@example.org")
    down = links_in(mail, "👎 less like this")[0]
    assert get(down, method="HEAD")[0] == 200
    assert world.app.store.ratings("ada") == {}
    assert get(down)[0] == 200 and world.app.store.ratings("ada") == {}  # GET only confirms
    assert get(down, method="POST")[0] == 200 and len(world.app.store.ratings("ada")) == 1


def test_a_user_without_profile_gets_no_mail_and_a_clear_line(world: World) -> None:
    world.config(sources=["file:day.jsonl"], extra='[users.eve]\nemail = "eve@example.org"')
    res = world.daily("--date", DAY)
    assert res.exit_code == 1
    assert "eve <eve@example.org>: failed (no user 'eve': create one with" in res.stdout
    assert res.stdout.count("sent (digest of") == 3 and world.sink.to("eve@example.org") == []


def test_dry_run_sends_and_records_nothing(world: World, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    res = world.daily("--date", DAY, "--dry-run", "--save", str(outbox))
    assert res.exit_code == 0, res.output
    assert res.stdout.count(f"dry run (would send digest of {SIZE} papers: paperfeed") == 3
    assert world.sink.messages == [] and world.app.store.deliveries(DAY) == []
    assert sorted(p.name for p in outbox.iterdir()) == [f"{DAY}-{u}.eml" for u in USERS]


def test_only_one_daily_runs_at_a_time(world: World) -> None:
    import fcntl

    with (world.home / "daily.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        res = world.daily("--date", DAY)
    assert res.exit_code == 1 and "another `paperfeed daily` is running" in res.stderr
    assert world.sink.messages == []


def test_misconfigured_smtp_is_one_line_at_start_up(world: World) -> None:
    world.sink.port = 1  # nothing listens there
    world.config(sources=["file:day.jsonl"])
    res = world.daily("--date", DAY)
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "Error: SMTP server 127.0.0.1:1 (none) refused the connection: is it running, "
        "is smtp.port right?"
    )
    assert res.stdout == "" and world.app.store.deliveries(DAY) == []
    check = world.daily("--check")
    assert check.exit_code == 1 and "refused the connection" in check.stderr


JSON = "application/json"


def _completion(text: str) -> str:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]})


def test_daily_with_model_tldrs_that_fail_and_per_user_filters(world: World) -> None:
    """Three users with different TL;DR languages and filters; a local OpenAI-compatible
    server answers well, then malformed, then too slowly: every digest still goes out, each
    item with a TL;DR (the extractive line where the model failed), the failures counted."""
    good = Reply(body=_completion("The paper does one thing well."), content_type=JSON)
    replies = [
        good,
        Reply(body="this is not json", content_type="application/json"),
        Reply(body='{"choices": []}', content_type="application/json"),
        Reply(body=_completion("late"), content_type="application/json", delay=2.0),
        Reply(body=_completion("late"), content_type="application/json", delay=2.0),
        good,
    ]
    with ReplayServer([Route("/v1/chat/completions", replies)]) as llm:
        world.config(
            sources=["file:day.jsonl"],
            extra=(
                f'[tldr]\nmode = "llm"\nbase_url = "{llm.url}/v1"\nmodel = "replay-1"\n'
                "timeout = 0.5\nconcurrency = 1\nbudget = 100\n"
            ),
            per_user={
                "ada": 'language = "German"',
                "bob": 'exclude = ["reinforcement"]\nmin_score = 0.0',
                "cyd": 'categories = ["cs.LG"]',
            },
        )
        result = world.daily("--date", DAY)
        assert result.exit_code == 0, result.output
        asked = [json.loads(r.body) for r in llm.requests]
    assert all(f"{u} <{u}@example.org>: sent" in result.output for u in USERS)
    (line,) = [x for x in result.output.splitlines() if x.startswith("TL;DRs:")]
    assert "3 model failures" in line and "no answer within 0.5 s" in line  # the slow one last
    assert any("in German" in q["messages"][1]["content"] for q in asked)
    assert all(q["model"] == "replay-1" for q in asked)
    mails = {m["To"].split("@")[0]: text_of(m) for m in world.sink.messages}
    for user, text in mails.items():
        items = text.count("   why: ")
        assert text.count("   TL;DR: ") == items > 0, user
    assert "The paper does one thing well." in mails["ada"]
    bob_items = [x for x in mails["bob"].splitlines() if re.match(r"\d+\. ", x)]
    assert not any("reinforcement" in x.lower() for x in bob_items)
    # shown papers never come back: a later ranking of the same listing leaves them out
    settings = Settings.load(world.home)
    with Paperfeed.open(settings) as app:
        shown = app.store.shown_papers("ada")
        later = app.recommend("ada", since=DAY, until="2026-08-23", top=50)
        cached = app.store.tldrs("replay-1", "German", sorted(shown))
    assert len(shown) >= SIZE and not shown & {r.paper.id for r in later}
    assert cached and set(cached.values()) == {"The paper does one thing well."}


def _hf_daily(rows: list[dict[str, Any]]) -> str:
    """``rows`` as Hugging Face's daily papers API lists them, with 10, 20, 30 … upvotes."""
    return json.dumps(
        [
            {
                "paper": {
                    "id": r["id"],
                    "authors": [{"name": a} for a in r["authors"]],
                    "publishedAt": f"{r['listing_date']}T17:00:00.000Z",
                    "title": r["title"],
                    "summary": r["abstract"],
                    "upvotes": 10 * (i + 1),
                },
                "publishedAt": f"{r['listing_date']}T03:00:00.000Z",
                "title": r["title"],
                "numComments": 0,
            }
            for i, r in enumerate(rows)
        ]
    )


def test_daily_trending_section_for_the_user_it_suits_only(
    world: World, recorded: dict[str, list[dict[str, Any]]]
) -> None:
    """Hugging Face papers of the week on cyd's topic (graphs), with upvotes, come in through a
    source: cyd's digest gets a "Trending in your interests" section of them (recorded as
    shown), ada's (diffusion) and bob's (reinforcement learning) none."""
    mine = {r["id"] for u in USERS for r in recorded[u]}
    other = ("diffusion", "reinforcement")
    hot = [
        r
        for r in recorded["week"]
        if "graph" in r["title"].lower()
        and (r["title"] + r["abstract"]).lower().count("graph") >= 4  # on the topic, not in passing
        and not any(w in (r["title"] + r["abstract"]).lower() for w in other)
        and r["id"] not in mine
    ]
    assert len(hot) >= 5
    (world.home / "hf.json").write_text(_hf_daily(hot), encoding="utf-8")
    world.config(sources=["file:day.jsonl", "file:hf.json"])
    result = world.daily("--date", DAY)
    assert result.exit_code == 0, result.output
    assert f"source file:hf.json: {len(hot)} read, {len(hot)} new" in result.output
    mails = {m["To"].split("@")[0]: m for m in world.sink.messages}
    text = text_of(mails["cyd"])
    assert "== Trending in your interests (" in text
    section = text.split("== Trending in your interests")[1]
    shown_hot = [r["id"] for r in hot if f"/abs/{r['id']}" in section]
    assert 1 <= len(shown_hot) <= 3 and "🔥" in section and "upvotes on Hugging Face" in section
    html = mails["cyd"].get_body(("html",))
    assert html is not None and "Trending in your interests" in str(html.get_content())
    for user in ("ada", "bob"):
        assert "Trending in your interests" not in text_of(mails[user]), user
    assert set(shown_hot) <= world.app.store.shown_papers("cyd")


def test_daily_reranks_for_the_users_who_asked_and_falls_back_when_the_model_fails(
    world: World,
) -> None:
    """ada and cyd asked for re-ranking, bob did not: the local server re-orders ada's top
    five (the mail's first paper is the model's first choice) and fails for cyd (HTTP 500):
    cyd's digest goes out in the ranker's order, the failure counted in the run's status."""
    world.app.ingest(world.home / "day.jsonl")
    until = "2026-08-22"
    top = [r.paper for r in world.app.recommend("ada", since=DAY, until=until, top=SIZE)]
    order = [p.id for p in reversed(top)]
    replies = [
        Reply(body=_completion(json.dumps(order)), content_type=JSON),
        Reply(status=500, body='{"error": "overloaded"}', content_type=JSON),
    ]
    statement = 'interest_statement = "{}"\nrerank = true\nrerank_top = 5'
    with ReplayServer([Route("/v1/chat/completions", replies)]) as llm:
        world.config(
            sources=["file:day.jsonl"],
            extra=f'[tldr]\nbase_url = "{llm.url}/v1"\nmodel = "replay-1"\n',
            per_user={
                "ada": statement.format("Diffusion models"),
                "bob": 'interest_statement = "RL"',
                "cyd": statement.format("Graph learning"),
            },
        )
        result = world.daily("--date", DAY)
        asked = [json.loads(r.body)["messages"][1]["content"] for r in llm.requests]
    assert result.exit_code == 0, result.output
    assert all(f"{u} <{u}@example.org>: sent" in result.output for u in USERS)
    (line,) = [x for x in result.output.splitlines() if x.startswith("Re-ranking:")]
    assert line.startswith("Re-ranking: 1 by the model, 0 cached, 1 failed")
    assert "500" in line
    assert len(asked) == 3  # ada once, cyd twice (one retry after the 500), bob never
    assert "Diffusion models" in asked[0] and all("Graph learning" in q for q in asked[1:])
    mails = {m["To"].split("@")[0]: text_of(m) for m in world.sink.messages}
    first = next(x for x in mails["ada"].splitlines() if x.startswith("1. "))
    # the model's first choice is the mail's first paper (a long title wraps at 78 columns)
    assert readable(top[-1].display_title).startswith(first.removeprefix("1. ").rstrip())
    items = [x for x in mails["cyd"].splitlines() if re.match(r"\d+\. ", x)]
    assert len(items) == SIZE + ASK_PER_DIGEST


def _followed_pair(recorded: dict[str, list[dict[str, Any]]]) -> tuple[dict, dict, str]:
    """A paper of DAY outside cs.LG and one of the week before that share two authors: the
    week's paper, DAY's and the name of their first shared author."""
    for d in recorded["day"]:
        if "cs.LG" in d["categories"]:
            continue
        for w in recorded["week"]:
            shared = [a for a in d["authors"] if a in set(w["authors"])]
            if len(shared) >= 2:
                return w, d, shared[0]
    raise AssertionError("no two papers of the recorded week share two authors")


def test_daily_one_run_to_mail_webhook_and_feeds_with_filters_follows_and_tldrs(
    world: World, recorded: dict[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """The whole delivery in one `daily` run, three users set up differently: ada (TL;DRs in
    German, a follow-free digest by e-mail), bob (an exclude filter; e-mail and a JSON
    webhook), cyd (only cs.LG papers, but she follows an author whose paper of the day is
    outside cs.LG: it comes anyway, badged). Model TL;DRs from a local OpenAI-compatible
    server; every user's Atom feed written to ``digest.feed_dir``."""
    week, theirs, name = _followed_pair(recorded)
    world.app.ingest(_jsonl(tmp_path / "week.jsonl", [week]))
    follow = CliRunner().invoke(
        cli, ["--home", str(world.home), "follow", name, "--paper", week["id"], "--user", "cyd"]
    )
    assert follow.exit_code == 0 and follow.output.startswith(f"cyd follows {name}")
    feeds = tmp_path / "feeds"
    good = Reply(body=_completion("Ein kurzer Satz."), content_type=JSON)
    with ReplayServer([Route("/v1/chat/completions", [good])]) as llm, WebhookSink() as hooks:
        world.config(
            sources=["file:day.jsonl"],
            extra=(
                f'feed_dir = "{feeds}"\n'
                f'[tldr]\nmode = "llm"\nbase_url = "{llm.url}/v1"\nmodel = "replay-1"\n'
                "timeout = 5.0\nconcurrency = 1\nbudget = 100\n"
            ),
            per_user={
                "ada": 'language = "German"',
                "bob": f'exclude = ["reinforcement"]\n[[users.bob.channels]]\nkind = "json"\n'
                f'url = "{hooks.url}/json/bob"',
                "cyd": 'categories = ["cs.LG"]',
            },
        )
        result = world.daily("--date", DAY)
        posted = [hit.json() for hit in hooks.hits("/json/bob")]
    assert result.exit_code == 0, result.output
    assert all(f"{u} <{u}@example.org>: sent" in result.output for u in USERS)
    assert "bob [json]: sent" in result.output
    mails = {m["To"].split("@")[0]: text_of(m) for m in world.sink.messages}
    assert set(mails) == set(USERS)
    assert "Ein kurzer Satz." in mails["ada"]  # the model's TL;DR
    # bob: the webhook carries the same papers as his mail, none excluded, each with a TL;DR
    (doc,) = posted
    titles = [readable(i["paper"]["title"]) for i in doc["items"]]
    assert titles and all(t.split()[0] in mails["bob"] for t in titles)
    assert not any("reinforcement" in t.lower() for t in titles)
    assert all(i["tldr"] for i in doc["items"])
    # cyd: the followed author's paper, outside her categories, is there with its badge
    assert f"by {name}, whom you follow" in mails["cyd"] and theirs["id"] in mails["cyd"]
    # every user's private Atom feed was written, cyd's with the followed paper
    written = {p.read_text(encoding="utf-8") for p in feeds.glob("*.xml")}
    assert len(written) == len(USERS)
    assert all(feedparser.parse(x).entries for x in written)
    assert any(theirs["id"] in x and "whom you follow" in x for x in written)
