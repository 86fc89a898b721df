"""The arXiv new-listing feed (``rss.arxiv.org/rss/cs.LG``, or ``/atom/``): one day's
announcements (new, cross-lists, replacements) of one or more categories."""

from __future__ import annotations

import re
from collections.abc import Sequence

from paperfeed.fetch.common import complete_xml
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.sources import ParseResult, parse_text

RSS_URL = "https://rss.arxiv.org"
FORMAT = "arxiv-rss"
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")


def feed_url(categories: Sequence[str], *, atom: bool = False, base_url: str = RSS_URL) -> str:
    """``https://rss.arxiv.org/rss/cs.LG+stat.ML`` for ``["cs.LG", "stat.ML"]``."""
    cats = [c.strip() for c in categories if c.strip()]
    if not cats:
        raise FetchError("arXiv listing: name at least one category (e.g. cs.LG)")
    bad = [c for c in cats if not _CATEGORY.match(c)]
    if bad:
        raise FetchError(f"arXiv listing: not an arXiv category: {bad[0]!r} (e.g. cs.LG, math)")
    return f"{base_url.rstrip('/')}/{'atom' if atom else 'rss'}/{'+'.join(cats)}"


def fetch_listing(
    client: HttpClient,
    categories: str | Sequence[str],
    *,
    atom: bool = False,
    base_url: str = RSS_URL,
) -> ParseResult:
    """Today's listing of ``categories`` (``"cs.LG"`` or ``["cs.LG", "cs.CL"]``); each paper's
    ``extra["announce_type"]`` says new / cross / replace / replace-cross."""
    cats = [categories] if isinstance(categories, str) else list(categories)
    cats = [c for part in cats for c in re.split(r"[+,\s]+", part) if c]
    url = feed_url(cats, atom=atom, base_url=base_url)
    resp = client.get(url, what="arXiv listing feed", validate=complete_xml)
    return parse_text(resp.text, FORMAT, filename=url)
