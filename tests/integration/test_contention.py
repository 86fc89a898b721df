"""Hostile input and contention (issue 14): a large `profile add` beside ratings and the
token endpoint fails nothing; half-open connections give their threads back; stores are
private; links that are not http(s) never reach a page, e-mail or feed."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperfeed.delivery.service import Delivery
from paperfeed.delivery.tokens import load_or_create_secret, rating_token
from paperfeed.services import Paperfeed
from paperfeed.settings import Settings
from paperfeed.store import open_store
from paperfeed.web import serve
from paperfeed.web.app import create_app
from paperfeed.web.serve import make_server

pytestmark = pytest.mark.integration

HOSTILE = "javascript:alert(document.cookie)"


PAPERFEED = str(Path(sys.executable).with_name("paperfeed"))


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PAPERFEED, "--home", str(home), "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def big_listing(path: Path, n: int) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            words = " ".join(f"w{(i * 7 + k) % 5000}" for k in range(60))
            row = {"id": f"2605.{i:05d}", "title": f"Paper {i} {words[:40]}", "abstract": words,
                   "listing_date": "2026-05-01"}  # fmt: skip
            fh.write(json.dumps(row) + "\n")
    return path


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "hashing-64"\n')
    return home


def test_profile_add_beside_ratings_and_links_fails_nothing(home: Path, tmp_path: Path) -> None:
    small = big_listing(tmp_path / "small.jsonl", 50)
    assert cli(home, "profile", "add", "--user", "ada", str(small)).returncode == 0
    big = big_listing(tmp_path / "big.jsonl", 20000)
    importer = subprocess.Popen(
        [PAPERFEED, "--home", str(home), "--quiet", "profile", "add", "--user", "big", str(big)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    settings = Settings.load(home)
    secret = load_or_create_secret(home)
    failures: list[str] = []
    with Paperfeed.open(settings) as app:
        server = make_server(create_app(settings, library=app), port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            n = 0
            while importer.poll() is None or n < 3:
                pid = f"2605.{n % 50:05d}"
                rated = cli(home, "rate", "--user", "ada", pid, "up" if n % 2 else "down")
                if rated.returncode != 0:
                    failures.append(rated.stderr)
                token = rating_token(secret, "ada", pid, "up", now=time.time(), ttl_days=1)
                status = _post(server.socket.getsockname()[1], f"/rate/{token}")
                if not status.startswith(("HTTP/1.1 2", "HTTP/1.1 3")):
                    failures.append(status)
                n += 1
        finally:
            server.shutdown()
            server.server_close()
    out, err = importer.communicate(timeout=600)
    assert importer.returncode == 0, err
    assert failures == []
    assert "20000 added to profile" in out
    with open_store(home / "paperfeed.db") as store:
        assert store.ratings("ada") and len(store.profile_papers("big")) == 20000


def _post(port: int, path: str) -> str:
    """The status line of a bodiless POST (a rating link's confirmation) to the local server."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
        return s.makefile("rb").readline().decode()


def test_half_open_connections_are_closed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """300 requests sent halfway (a slowloris, more than the server's connection limit) are
    closed once the head time-out passes, and a whole request is answered after them
    (bounded: 300 sockets, one request, a few seconds)."""
    monkeypatch.setattr(serve, "REQUEST_TIMEOUT_S", 0.5)
    settings = Settings.load(home)
    with Paperfeed.open(settings) as app:
        server = make_server(create_app(settings, library=app), port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        socks = []
        try:
            for _ in range(300):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # never finished
                socks.append(s)
            for s in socks:  # each closed: silently, or with a 503 past the connection limit
                s.settimeout(10)
                first = s.recv(1024)
                assert first == b"" or first.startswith(b"HTTP/1.1 503")
                while first:
                    first = s.recv(1024)
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                status = s.makefile("rb").readline().decode()
            assert status.startswith("HTTP/1.1 200")
        finally:
            for s in socks:
                s.close()
            server.shutdown()
            server.server_close()


def test_a_new_home_and_store_are_private(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    with open_store(home / "paperfeed.db"):
        pass
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(home / "paperfeed.db").st_mode) == 0o600


def test_hostile_links_reach_no_page_mail_or_feed(home: Path, tmp_path: Path) -> None:
    listing = tmp_path / "x.jsonl"
    rows = [{"id": "text-1", "title": "Hostile link paper about graphs", "abstract": "graphs " * 30,
             "url": HOSTILE, "listing_date": "2026-05-02"}]  # fmt: skip
    listing.write_text("".join(json.dumps(r) + "\n" for r in rows))
    parsed = cli(home, "ingest", str(listing))
    assert parsed.returncode == 0 and "not an http(s) link" in parsed.stderr
    with open_store(home / "paperfeed.db") as store:  # an older store may hold such a link
        old = store.get_paper(store.resolve_id("text-1"))
        assert old is not None
        store.upsert_papers([old.with_(id="text-2", url=HOSTILE, title="Another")], source="old")
    assert cli(home, "profile", "add", "--user", "ada", str(listing)).returncode == 0
    html = cli(home, "recommend", "--user", "ada", "--days", "5", "--format", "html").stdout
    settings = Settings.load(home)
    with Paperfeed.open(settings) as app:
        delivery = Delivery(app, settings, load_or_create_secret(home))
        _, feed = delivery.user_feed("ada", days=5, now=datetime.now(UTC))
    for doc in (html, feed):
        assert "javascript:" not in doc.lower()
