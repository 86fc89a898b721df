"""A small installation for the web tests: a home with the model-free ``hashing-64``
embedder, papers on four topics (one with a hostile title, one also on Hugging Face), users
ada and bob with passwords and profiles, and the app over it. Not a test module: imported by
test_web_*.py and the browser tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from paperfeed.services import Paperfeed
from paperfeed.services.accounts import Accounts
from paperfeed.settings import Settings
from paperfeed.web.app import create_app

PASSWORD = "correct horse battery"
TOPICS = {
    "graphs": "graph neural networks message passing molecules node embeddings",
    "speech": "speech recognition acoustic transformers audio spectrogram decoding",
    "robots": "robot grasping tactile sensing manipulation deformable objects",
    "memory": "low-rank optimizer states memory efficient training large models",
}
XSS_ID = "2608.09999"
HF_ID = "2608.00003"
"""A listed paper that Hugging Face's daily papers also had (merged: it has a HF page)."""
XSS_TITLE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def papers() -> list[dict[str, object]]:
    """40 listed papers (ten per topic, 2026-08-11…20) and one hostile one, as JSONL records."""
    out: list[dict[str, object]] = []
    for t, (name, words) in enumerate(TOPICS.items()):
        for i in range(10):
            out.append(
                {
                    "id": f"2608.{t}{i:04d}",
                    "title": f"{words.split()[0].title()} {name} study {i}: {words}",
                    "abstract": f"We study {words}. Variant {i} improves {words} on benchmarks.",
                    "authors": [f"Author {t}{i}", "Grace Hopper"],
                    "date": f"2026-08-{11 + i:02d}",
                }
            )
    out.append(
        {
            "id": XSS_ID,
            "title": XSS_TITLE,
            "abstract": "A paper about graph neural networks message passing <b>bold</b>.",
            "authors": ["Mallory <script>x</script>"],
            "date": "2026-08-20",
        }
    )
    return out


def hf_daily(listing: list[dict[str, object]]) -> str:
    """Hugging Face's daily papers API answer naming :data:`HF_ID` (as the fetcher stores it)."""
    (p,) = [p for p in listing if p["id"] == HF_ID]
    paper = {
        "id": HF_ID,
        "title": p["title"],
        "summary": p["abstract"],
        "authors": [{"name": a} for a in p["authors"]],  # type: ignore[attr-defined]
        "publishedAt": f"{p['date']}T00:00:00.000Z",
        "upvotes": 17,
    }
    return json.dumps([{"paper": paper, "numComments": 2}])


def bibtex(topic: str, n: int = 3) -> str:
    """A BibTeX file of ``n`` papers on ``topic`` (not in the listing: new to the store)."""
    words = TOPICS[topic]
    return "\n".join(
        f"@article{{mine{topic}{i},\n  title = {{My {topic} paper {i} on {words}}},\n"
        f"  author = {{Lovelace, Ada}},\n  year = {{2025}},\n"
        f"  abstract = {{We propose {words} variant {i}, with results on {words}.}}\n}}\n"
        for i in range(n)
    )


@dataclass
class World:
    home: Path
    settings: Settings
    lib: Paperfeed
    app: FastAPI

    def client(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False)

    def login(self, client: TestClient, user: str, password: str = PASSWORD) -> str:
        """Sign ``client`` in as ``user``; returns the session's CSRF token."""
        form = client.get("/login")
        res = client.post(
            "/login",
            data={"username": user, "password": password, "csrf": csrf_of(form.text)},
            follow_redirects=False,
        )
        assert res.status_code == 303, res.text
        return csrf_of(client.get("/settings").text)

    def token(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {Accounts(self.lib.store).new_token(user)}"}


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf(?:-token)?"[^>]*(?:value|content)="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def make_world(home: Path, *, allow_signup: bool = False) -> World:
    """The installation in ``home``: listing ingested, ada (graphs, speech) and bob (robots)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('model = "hashing-64"\n', encoding="utf-8")
    listing = home / "listing.jsonl"
    listing.write_text("\n".join(json.dumps(p) for p in papers()) + "\n", encoding="utf-8")
    (home / "hf.json").write_text(hf_daily(papers()), encoding="utf-8")
    settings = Settings.load(home)
    lib = Paperfeed.open(settings)
    lib.ingest(listing)
    lib.ingest(home / "hf.json", fmt="hf-daily-json")
    accounts = Accounts(lib.store)
    accounts.add("ada", "ada@example.org", PASSWORD)
    accounts.add("bob", "bob@example.org", PASSWORD)
    lib.profile_add("ada", ["2608.00001", "2608.10001"])
    lib.profile_add("bob", ["2608.20001"])
    app = create_app(settings, allow_signup=allow_signup, library=lib)
    return World(home, settings, lib, app)
