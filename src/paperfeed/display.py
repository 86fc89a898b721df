"""Text for people: readable LaTeX, links, one-line explanations. Pure."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from urllib.parse import quote

from paperfeed.ids import is_arxiv_id, safe_url
from paperfeed.latex import latex_to_text
from paperfeed.models import Paper, Recommendation


def readable(text: str) -> str:
    """LaTeX markup rendered as plain Unicode text, whitespace collapsed."""
    return " ".join(latex_to_text(text).split())


def paper_url(paper: Paper) -> str | None:
    """Where to read ``paper``: built from its canonical id (arXiv, DOI) when it has one,
    else its own link when that is http(s)."""
    if is_arxiv_id(paper.id):
        return f"https://arxiv.org/abs/{paper.id}"
    if paper.doi:
        return f"https://doi.org/{quote(paper.doi, safe='/:;()._-')}"
    return safe_url(paper.url)


HF_PAPERS = "https://huggingface.co/papers/"
_HF_SOURCES = ("hf-daily-json", "hf-papers-page")
_HF_FIELDS = ("upvotes", "ai_summary", "ai_keywords", "num_comments", "submitted_by")


def hf_url(paper: Paper) -> str | None:
    """The paper's Hugging Face Papers page, when it is known to be there: an arXiv paper that
    came from Hugging Face (daily papers, a papers page) or carries its metadata (upvotes …).
    Hugging Face's pages are keyed by the arXiv id, so any other paper has none."""
    if not is_arxiv_id(paper.id):
        return None
    known = (
        any(s in _HF_SOURCES for s in paper.sources)
        or any(k in paper.extra for k in _HF_FIELDS)
        or (paper.url or "").startswith(HF_PAPERS)
    )
    return f"{HF_PAPERS}{paper.id}" if known else None


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def authors_line(authors: Sequence[str], *, most: int = 3) -> str:
    """``A, B, C et al.`` (``most`` names, then "et al."); empty when there are none."""
    names = [readable(a) for a in authors[:most]]
    return ", ".join(names) + (" et al." if len(authors) > most else "")


def table(recs: Sequence[Recommendation], *, width: int = 100) -> str:
    """Recommendations as a numbered list laid out for a terminal ``width`` columns wide:
    the title, authors · date · id · score, the link, the TL;DR and the whole explanation,
    each wrapped (never cut) under the number."""
    indent = " " * 5
    body = max(width - len(indent), 20)
    lines: list[str] = []
    for r in recs:
        p = r.paper
        title = textwrap.wrap(readable(p.display_title), body) or [p.id]
        lines.append(f"{r.rank:>3}. {title[0]}")
        lines += [indent + t for t in title[1:]]
        meta = [authors_line(p.authors), p.date or "", p.id, f"score {r.score:.2f}"]
        lines += [indent + t for t in textwrap.wrap(" · ".join(m for m in meta if m), body)]
        url = paper_url(p)
        if url:
            lines.append(indent + url)
        if r.followed:
            lines += [indent + t for t in textwrap.wrap("★ " + readable(r.followed_note), body)]
        if r.tldr:
            tldr = "TL;DR: " + readable(r.tldr)
            lines += [indent + t for t in textwrap.wrap(tldr, body, subsequent_indent="  ")]
        why = "why: " + readable(r.explanation.sentence())
        lines += [indent + t for t in textwrap.wrap(why, body, subsequent_indent="  ")]
        if r.explanation.interest_name:
            serves = "interest: " + readable(r.explanation.interest_name)
            lines += [indent + t for t in textwrap.wrap(serves, body, subsequent_indent="  ")]
    return "\n".join(lines)
