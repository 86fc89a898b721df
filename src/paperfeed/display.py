"""Text for people: readable LaTeX, links, one-line explanations. Pure."""

from __future__ import annotations

import re

from paperfeed.ids import is_arxiv_id
from paperfeed.models import Paper, Recommendation

try:  # the LaTeX renderer arrives with the ingestion work; fall back to light clean-up
    from paperfeed.latex import latex_to_text as _latex_to_text
except ImportError:  # pragma: no cover
    _latex_to_text = None


def readable(text: str) -> str:
    """LaTeX markup rendered as plain Unicode text, whitespace collapsed."""
    if _latex_to_text is not None:
        text = _latex_to_text(text)
    else:
        text = re.sub(r"\\(?:emph|textbf|textit|url)\{([^}]*)\}", r"\1", text).replace("$", "")
    return " ".join(text.split())


def paper_url(paper: Paper) -> str | None:
    if paper.url:
        return paper.url
    if is_arxiv_id(paper.id):
        return f"https://arxiv.org/abs/{paper.id}"
    if paper.doi:
        return f"https://doi.org/{paper.doi}"
    return None


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def table(recs: list[Recommendation], *, width: int = 100) -> str:
    """Recommendations as a numbered plain-text list, each with its explanation."""
    lines = []
    for r in recs:
        p = r.paper
        meta = " · ".join(x for x in (p.id, p.date or "") if x)
        lines.append(f"{r.rank:>3}. {shorten(readable(p.display_title), width - 6)}")
        lines.append(f"     {meta}   score {r.score:.2f}")
        lines.append("     " + shorten("why: " + readable(r.explanation.sentence()), width - 5))
    return "\n".join(lines)
