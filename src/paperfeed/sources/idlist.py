"""Plain lists of arXiv ids, arXiv URLs and DOIs, one per line → paper stubs to fetch."""

from __future__ import annotations

import re

from paperfeed import ids
from paperfeed.sources.base import Collector, ParseResult, build_paper

FORMAT = "ids"

_DOI_LINE = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.I)
_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(.+?)/?(?:\.pdf)?$", re.I
)
# "2401.01234 some note" or "- 2401.01234" (list bullets) are tolerated
_BULLET = re.compile(r"^(?:[-*•]\s+|\d+[.)]\s+)")


def classify_line(line: str) -> tuple[str, str] | None:
    """``('arxiv', '2401.01234v2')`` / ``('doi', '10.x/y')`` for an id line, else None."""
    s = _BULLET.sub("", line.strip()).strip().strip("<>").rstrip(",;")
    if not s:
        return None
    m = _ARXIV_URL.match(s)
    if m:
        s = m.group(1)
    if ids.is_arxiv_id(s):
        found = ids.split_arxiv_id(s)
        if found:
            return ("arxiv", found[0] + (f"v{found[1]}" if found[1] else ""))
    m = _DOI_LINE.match(s)
    if m:
        doi = ids.normalize_doi(m.group(1))
        if doi:
            return ("doi", doi)
    return None


def parse(text: str, filename: str = "<text>") -> ParseResult:
    """One id per line; ``#`` comments (also after an id) and blank lines are ignored."""
    col = Collector(FORMAT, filename)
    for n, raw in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        found = classify_line(line)
        where = col.at_line(n)
        if found is None:
            col.issue(where, f"not an arXiv id, arXiv URL or DOI: {line!r:.80}")
            continue
        kind, value = found
        if kind == "arxiv":
            paper = build_paper(FORMAT, arxiv=value, extra={"needs_fetch": True})
        else:
            paper = build_paper(FORMAT, doi=value, extra={"needs_fetch": True})
        col.add(paper, where)
    if not col.papers and not col.issues:
        col.warn(filename, "no ids found")
    return col.result()
