"""The digest e-mail's HTML as a browser shows it: a headless Chromium screenshot."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from paperfeed.delivery.links import digest_links
from paperfeed.digest.email import render_digest
from paperfeed.models import Explanation, Paper, Recommendation

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
WIDTH, HEIGHT = 900, 1400


def _recs() -> list[Recommendation]:
    titles = [
        "Low-Rank Optimizer States for Memory-Efficient Training of $\\mathcal{O}(10^9)$ Models",
        "Graph Neural Networks for Message Passing over Molecules",
        "Speech Recognition with Acoustic Transformers at Scale",
        "Tactile Sensing for Robust Robot Grasping of Deformable Objects",
    ]
    recs = []
    for i, title in enumerate(titles):
        paper = Paper(
            id=f"2608.1{i:04d}",
            title=title,
            abstract="We study an idea in depth and show it works well on many benchmarks. " * 8,
            authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
            categories=("cs.LG", "cs.AI"),
            date="2026-08-21",
        )
        why = Explanation("p", f"My earlier paper number {i % 2}", 0.6, ("rank", "memory"), i % 2)
        recs.append(Recommendation(paper, 1.0 - i / 10, i + 1, why))
    return recs


def _png_size_and_pixels(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_digest_screenshot(tmp_path: Path) -> None:
    recs = _recs()
    links = digest_links(
        b"k" * 32, "https://papers.example.org", "linda", [r.paper for r in recs], now=0
    )
    # three recommendations, then one paper in the "help paperfeed learn" section
    content = render_digest(recs[:3], links, user="linda", day="2026-08-21", ask=recs[3:])
    page = tmp_path / "digest.html"
    page.write_text(content.html, encoding="utf-8")
    shot = tmp_path / "digest.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={shot}",
                f"--window-size={WIDTH},{HEIGHT}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    width, height, pixels = _png_size_and_pixels(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    assert len(set(pixels[: len(pixels) // 4])) > 20  # the top of the page is not blank
