"""Small pieces the service fetchers share: body checks and combining page results."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable

import httpx

from paperfeed.models import Paper
from paperfeed.sources import ParseIssue, ParseResult


def complete_xml(resp: httpx.Response) -> str | None:
    """None when the body is one well-formed XML document, else what is wrong (the client
    retries: a cut-off page must never look like the end of a list)."""
    try:
        ET.fromstring(resp.content)
    except ET.ParseError as exc:
        return f"incomplete XML: {str(exc).split(':', 1)[0]}"
    return None


def complete_json(resp: httpx.Response) -> str | None:
    """None when the body is one complete JSON document, else what is wrong."""
    try:
        json.loads(resp.content)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        return f"incomplete JSON: {str(exc).split(':', 1)[0]}"
    return None


def combine(results: Iterable[ParseResult], fmt: str) -> ParseResult:
    """One result from several pages: papers in order (first of a duplicate id kept)."""
    papers: list[Paper] = []
    issues: list[ParseIssue] = []
    seen: set[str] = set()
    for r in results:
        issues.extend(r.issues)
        for p in r.papers:
            if p.id not in seen:
                seen.add(p.id)
                papers.append(p)
    return ParseResult(papers, issues, fmt)
