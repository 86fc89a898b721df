"""Terminal layout and link safety (display.py)."""

from __future__ import annotations

from paperfeed.digest.html import render_html
from paperfeed.display import hf_url, paper_url, safe_url, table
from paperfeed.models import Explanation, Paper, Recommendation

LONG_TERMS = tuple(f"term{i}" for i in range(12))


def rec(paper: Paper, rank: int = 1) -> Recommendation:
    why = Explanation(
        "2501.00001", "A profile paper with a rather long title indeed", 0.71, LONG_TERMS
    )
    return Recommendation(paper, 7.5, rank, why)


PAPER = Paper(
    id="2602.01234",
    title="Scaling laws for low-rank optimizer states in very large language model training runs",
    authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
    date="2026-02-03",
)


def test_table_wraps_instead_of_cutting_and_shows_everything() -> None:
    text = table([rec(PAPER)], width=60)
    assert all(len(line) <= 60 for line in text.splitlines())
    flat = " ".join(text.split())
    assert "very large language model training runs" in flat  # the whole title
    assert "term11" in flat and "similarity 0.71" in flat  # the whole explanation
    assert "Ada Lovelace, Alan Turing, Grace Hopper et al." in flat
    assert "https://arxiv.org/abs/2602.01234" in text and "2026-02-03" in text
    assert "…" not in text


def test_table_uses_a_wide_terminal() -> None:
    wide = table([rec(PAPER)], width=220)
    assert len(wide.splitlines()) < len(table([rec(PAPER)], width=60).splitlines())
    assert any("term11" in line and "similarity" in line for line in wide.splitlines())


def test_safe_url_keeps_only_http() -> None:
    assert safe_url("https://example.org/p?q=1") == "https://example.org/p?q=1"
    assert safe_url(" http://example.org ") == "http://example.org"
    for bad in (
        "javascript:alert(document.cookie)",
        "JavaScript:x",
        "data:text/html,<b>",
        "vbscript:x",
        "//example.org",
        "https://",
        "http://a b",
        'https://x.org/"x',
    ):
        assert safe_url(bad) is None, bad


def test_paper_url_prefers_the_canonical_id() -> None:
    hostile = "javascript:alert(document.cookie)"
    assert paper_url(Paper(id="2602.01234", url=hostile)) == "https://arxiv.org/abs/2602.01234"
    assert paper_url(Paper(id="doi:10.1/x", doi="10.1/x", url=hostile)) == "https://doi.org/10.1/x"
    assert paper_url(Paper(id="text:abc", title="t", url=hostile)) is None
    assert paper_url(Paper(id="text:abc", title="t", url="https://ok.org")) == "https://ok.org"


def test_html_digest_never_links_javascript() -> None:
    hostile = Paper(id="text:x", title="<b>t</b>", url="javascript:alert(document.cookie)")
    html = render_html([rec(hostile)], title="t")
    assert "javascript:" not in html.lower()
    assert "<b>t</b>" not in html


def test_hf_url_only_for_arxiv_papers_known_on_hugging_face() -> None:
    page = "https://huggingface.co/papers/2602.01234"
    assert hf_url(Paper(id="2602.01234", sources=("arxiv-oai",))) is None
    assert hf_url(Paper(id="2602.01234", sources=("jsonl", "hf-daily-json"))) == page
    assert hf_url(Paper(id="2602.01234", extra={"upvotes": 3})) == page
    assert hf_url(Paper(id="2602.01234", url=page)) == page
    assert hf_url(Paper(id="doi:10.1/x", sources=("hf-daily-json",), extra={"upvotes": 3})) is None
    assert hf_url(Paper(id="text:abc", sources=("hf-papers-page",))) is None
