"""The chat channels against a local webhook sink on 127.0.0.1: what each one sends (method,
path, headers, payload shape), untrusted titles neutralized per format, retries with backoff
and Retry-After (on a fake clock: nothing waits), failures as one line without the secret."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator

import pytest

from paperfeed.delivery.channels import ChannelError, open_channel
from paperfeed.digest.json_items import recommendation_json
from paperfeed.fetch.webhooks import WebhookSender
from paperfeed.settings import ChannelSettings, WebhookSettings
from sample_digest import digest, recs
from webhook_sink import Answer, WebhookSink, closed_port_url

HOSTILE = "<!channel> @everyone @room *bold* [x](http://evil.example) <script>alert(1)</script> &"


class NoJitter(random.Random):
    """Backoff waits without their random part, so that tests can name them exactly."""

    def random(self) -> float:
        return 0.0


class FakeTime:
    """A clock that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture()
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as s:
        yield s


@pytest.fixture()
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture()
def client(fake: FakeTime) -> Iterator[WebhookSender]:
    cfg = WebhookSettings(timeout=2.0, retries=3, backoff=1.0)
    with WebhookSender(cfg, clock=fake.clock, sleep=fake.sleep, rng=NoJitter()) as c:
        yield c


def channel(kind: str, url: str, **keys: object) -> ChannelSettings:
    return ChannelSettings(kind=kind, name=kind, url=url, key="users.ada.channels[0]", **keys)  # type: ignore[arg-type]


def test_slack_posts_blocks_with_escaped_titles(sink: WebhookSink, client: WebhookSender) -> None:
    items = recs(4, HOSTILE + " {i}")
    open_channel(channel("slack", f"{sink.url}/services/T0/B0/secret"), client).send(
        digest(items, ask=1)
    )
    (hit,) = sink.hits("/services/")
    assert hit.method == "POST" and hit.headers["content-type"] == "application/json"
    body = hit.json()
    assert body["text"] == "paperfeed 2026-08-21: 3 papers for ada"
    blocks = body["blocks"]
    assert blocks[0]["type"] == "header" and "3 papers for ada" in blocks[0]["text"]["text"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    papers = [s for s in sections if s.startswith("*") and "score" in s]
    assert len(papers) == 4 and all(len(s) <= 3000 for s in sections)
    first = papers[0]
    assert "&lt;!channel&gt;" in first and "<!channel>" not in first
    assert "&lt;script&gt;" in first and " &amp; " in first
    assert "<https://arxiv.org/abs/2608.00000|" in first  # the title links to the paper
    assert ">*TL;DR:* It works." in first and "_why:_ closest to your paper" in first
    assert "|👍 more like this>" in first and "/rate/" in first
    assert any("Help paperfeed learn" in s for s in sections)


def test_discord_splits_at_2000_characters_and_pings_nobody(
    sink: WebhookSink, client: WebhookSender
) -> None:
    items = recs(30, HOSTILE + " {i} " + "long words " * 12)
    open_channel(channel("discord", f"{sink.url}/api/webhooks/1/tok"), client).send(digest(items))
    hits = sink.hits("/api/webhooks/")
    assert len(hits) > 2
    bodies = [h.json() for h in hits]
    for body in bodies:
        assert len(body["content"]) <= 2000
        assert body["allowed_mentions"] == {"parse": []} and body["flags"] == 4
        assert "@everyone" not in body["content"] and "@\u200beveryone" in body["content"]
        assert "<script>" not in body["content"] and "\\<script\\>" in body["content"]
    text = "\n\n".join(b["content"] for b in bodies)
    numbers = [int(n) for n in re.findall(r"^\*\*(\d+)\. ", text, flags=re.M)]
    assert numbers == list(range(1, 31))  # every paper once, in order, never cut in two
    assert "[👍 more like this](<https://pf.example.org/rate/" in text


def test_matrix_puts_an_html_notice_with_the_token(
    sink: WebhookSink, client: WebhookSender
) -> None:
    ch = channel("matrix", sink.url, room="!room:example.org", token="syt_secret")
    d = digest(recs(3, HOSTILE + " {i}"))
    open_channel(ch, client).send(d)
    (hit,) = sink.hits("/_matrix/")
    assert hit.method == "PUT"
    assert hit.raw_path.startswith("/_matrix/client/v3/rooms/%21room%3Aexample.org/send/")
    txn = hit.path.rsplit("/", 1)[1]
    assert hit.path.split("/")[-2] == "m.room.message" and txn.startswith("paperfeed.2026-08-21.0.")
    assert hit.headers["authorization"] == "Bearer syt_secret"
    content = hit.json()
    assert content["msgtype"] == "m.notice" and content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {}
    assert (
        "&lt;script&gt;" in content["formatted_body"]
        and "<script>" not in content["formatted_body"]
    )
    assert '<a href="https://arxiv.org/abs/2608.00000">' in content["formatted_body"]
    assert "@room" not in content["body"] and "@\u200broom" in content["body"]
    assert "TL;DR: It works." in content["body"]
    # the same content gets the same transaction id: a retried PUT is not posted twice
    open_channel(ch, client).send(d)
    assert sink.hits("/_matrix/")[1].path == hit.path


def test_ntfy_publishes_json_within_4_kb(sink: WebhookSink, client: WebhookSender) -> None:
    ch = channel("ntfy", f"{sink.url}/papers-ada", token="tk_abc", ratings=False)
    open_channel(ch, client).send(digest(recs(40, "Über {i}: " + "a rather long title " * 5)))
    (hit,) = sink.hits("/")
    assert hit.method == "POST" and hit.path == "/"
    assert hit.headers["authorization"] == "Bearer tk_abc"
    body = hit.json()
    assert (
        body["topic"] == "papers-ada" and body["title"] == "paperfeed 2026-08-21: 40 papers for ada"
    )
    assert body["click"] == "https://arxiv.org/abs/2608.00000" and body["tags"] == [
        "page_facing_up"
    ]
    assert len(body["message"].encode()) <= 4000 and body["message"].startswith("1. Über 0")
    assert body["message"].rstrip().endswith("more") and "/rate/" not in body["message"]


def test_json_posts_recommend_json_items_with_links(
    sink: WebhookSink, client: WebhookSender
) -> None:
    items = recs(4)
    open_channel(channel("json", f"{sink.url}/hook", token="t0ken"), client).send(
        digest(items, ask=1)
    )
    (hit,) = sink.hits("/hook")
    assert hit.headers["authorization"] == "Bearer t0ken"
    doc = hit.json()
    assert (doc["paperfeed"], doc["user"], doc["day"], doc["kind"]) == (
        1,
        "ada",
        "2026-08-21",
        "digest",
    )
    assert [i["paper"]["id"] for i in doc["items"]] == [r.paper.id for r in items[:3]]
    assert [i["paper"]["id"] for i in doc["ask"]] == [items[3].paper.id]
    for item, rec in zip(doc["items"], items, strict=False):
        links = item.pop("links")
        assert item == recommendation_json(rec)  # recommend --format json's shape
        assert links["abs"] == f"https://arxiv.org/abs/{rec.paper.id}" and "/rate/" in links["up"]
    assert doc["feed"].startswith("https://pf.example.org/feed/")
    quiet = digest([], failures=("hf failed: HTTP 503",))
    open_channel(channel("json", f"{sink.url}/hook", ratings=False), client).send(quiet)
    doc = sink.hits("/hook")[1].json()
    assert doc["kind"] == "status" and doc["items"] == [] and "feed" not in doc
    assert doc["status"][0] == "Source hf failed: HTTP 503"


def test_429_and_5xx_are_retried_with_backoff_and_retry_after(
    sink: WebhookSink, client: WebhookSender, fake: FakeTime
) -> None:
    sink.script("/hook", Answer(503), Answer(429, headers={"Retry-After": "7"}), Answer(502))
    open_channel(channel("json", f"{sink.url}/hook"), client).send(digest(recs(2)))
    assert len(sink.hits("/hook")) == 4
    assert fake.sleeps == [1.0, 7.0, 4.0]  # backoff 1 s, Retry-After, backoff 1 s × 2²


def test_a_channel_that_keeps_failing_is_one_line_without_its_secret(
    sink: WebhookSink, client: WebhookSender
) -> None:
    sink.script("/services/", *[Answer(500)] * 4)
    with pytest.raises(ChannelError) as err:
        open_channel(channel("slack", f"{sink.url}/services/T0/B0/SECRET"), client).send(
            digest(recs(2))
        )
    message = str(err.value)
    assert len(sink.hits("/services/")) == 4 and not err.value.permanent
    assert "HTTP 500" in message and "gave up after 4 attempts" in message
    assert "SECRET" not in message and f"{sink.url}/…" in message and "\n" not in message


def test_client_errors_are_permanent_and_not_retried(
    sink: WebhookSink, client: WebhookSender
) -> None:
    sink.script("/api/", Answer(404, body='{"message": "Unknown Webhook"}'))
    ch = channel("discord", f"{sink.url}/api/webhooks/1/gone")
    with pytest.raises(ChannelError) as err:
        open_channel(ch, client).send(digest(recs(2)))
    assert err.value.permanent and len(sink.hits("/api/")) == 1
    assert "HTTP 404" in str(err.value) and "check the url of users.ada.channels[0]" in str(
        err.value
    )
    assert "gone" not in str(err.value)


def test_an_unreachable_server_fails_at_once(client: WebhookSender, fake: FakeTime) -> None:
    start = time.monotonic()
    with pytest.raises(ChannelError) as err:
        open_channel(channel("json", f"{closed_port_url()}/x"), client).send(digest(recs(1)))
    assert "cannot connect" in str(err.value) and fake.sleeps == []
    assert time.monotonic() - start < 5


def test_a_slow_server_is_given_up_on_after_the_timeout(fake: FakeTime) -> None:
    cfg = WebhookSettings(timeout=0.3, retries=1, backoff=0.0)
    with WebhookSink() as sink, WebhookSender(cfg, clock=fake.clock, sleep=fake.sleep) as c:
        sink.script("/slow", Answer(delay=2.0), Answer(delay=2.0))
        with pytest.raises(ChannelError, match=r"no answer within 0.3 s"):
            open_channel(channel("json", f"{sink.url}/slow"), c).send(digest(recs(1)))
        assert len(sink.hits("/slow")) == 2
