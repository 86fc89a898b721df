"""Guess an input's format from its content, with the file name's extension as a hint."""

from __future__ import annotations

import json
import re
from typing import Any

from paperfeed.sources.base import ParseError
from paperfeed.sources.jsonutil import JsonProblem, first_char, iter_json_array

_EXT_HINTS = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_XML_ROOT = re.compile(r"<(?!\?|!)([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)
_HF_MARKERS = (
    "byAK and the research community",
    "Get trending papers in your email inbox",
)
_HF_META = re.compile(r"^\s*•\s*\d+\s+authors?\s*$", re.M)
_LISTING_ID = re.compile(r"^arXiv:\s*(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})", re.M)
_ABSTRACT_MARKER = re.compile(r"(?:Abstract|ABSTRACT)\s*:")
_CSL_TYPES = {
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "paper-conference",
    "book",
    "chapter",
    "report",
    "thesis",
    "manuscript",
    "webpage",
    "dataset",
    "software",
    "preprint",
    "post",
    "post-weblog",
    "speech",
    "entry-encyclopedia",
    "document",
}


def _suffix(filename: str) -> str:
    name = filename.lower().removesuffix(".gz")
    dot = name.rfind(".")
    return name[dot:] if dot > name.rfind("/") and dot >= 0 else ""


def _xml_format(text: str) -> str | None:
    head = text[:4000]
    # skip comments / declarations to find the root element
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.S)
    m = _XML_ROOT.search(body)
    if not m:
        return None
    root = m.group(2)
    if root == "OAI-PMH":
        return "arxiv-oai"
    if root == "rss" or root == "RDF":
        return "arxiv-rss"
    if root == "feed":
        if "announce_type" in head or "rss.arxiv.org" in head:
            return "arxiv-rss"
        return "arxiv-atom"
    if root in ("record", "metadata", "arXiv", "arXivRaw", "ListRecords", "GetRecord"):
        return "arxiv-oai"
    if root == "entry":
        return "arxiv-atom"
    return None


def _is_biorxiv_page(obj: Any) -> bool:
    """A bioRxiv/medRxiv details answer: ``{"messages": [...], "collection": [...]}``."""
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("messages"), list)
        and isinstance(obj.get("collection"), list)
    )


def json_kind(obj: Any) -> str:
    """The format of a JSON record (an element of an array)."""
    if isinstance(obj, dict):
        from paperfeed.sources.openalex import is_openalex_work

        if is_openalex_work(obj):
            return "openalex-json"
        if "jatsxml" in obj or ("author_corresponding" in obj and "doi" in obj):
            return "biorxiv-json"
        if isinstance(obj.get("paper"), dict):
            return "hf-daily-json"
        data = obj.get("data")
        if isinstance(data, dict) and ("itemType" in data or "key" in data):
            return "zotero-json"
        if "itemType" in obj:
            return "zotero-json"
        if (
            obj.get("type") in _CSL_TYPES
            or "issued" in obj
            or "container-title" in obj
            or "citation-key" in obj
            or (
                isinstance(obj.get("author"), list)
                and any(
                    isinstance(a, dict) and ("family" in a or "literal" in a) for a in obj["author"]
                )
            )
        ):
            return "csl-json"
    return "jsonl"


def _json_format(text: str) -> str:
    if first_char(text) == "[":
        for _, item in iter_json_array(text.lstrip("\ufeff")):
            if isinstance(item, JsonProblem):
                break
            return json_kind(item)
        return "jsonl"
    # one record per line, or one document
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    try:
        obj = json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return "jsonl"
        if _is_biorxiv_page(obj):
            return "biorxiv-json"
        for key in ("items", "papers", "results", "data"):
            if isinstance(obj, dict) and isinstance(obj.get(key), list) and obj[key]:
                kind = json_kind(obj[key][0])
                return kind if kind != "csl-json" else "jsonl"
        kind = json_kind(obj)
        return kind if kind in ("zotero-json", "openalex-json") else "jsonl"
    if _is_biorxiv_page(obj):
        return "biorxiv-json"
    kind = json_kind(obj)
    if kind == "openalex-json":
        return kind
    return kind if kind == "hf-daily-json" and "\n" not in text.strip() else "jsonl"


def _looks_like_id_list(text: str) -> bool:
    from paperfeed.sources.idlist import classify_line

    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines:
        return False
    good = sum(1 for ln in lines[:500] if classify_line(ln) is not None)
    return good >= max(1, 0.6 * min(len(lines), 500))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _titled_pairs(text: str) -> tuple[int, int]:
    """(short single-line paragraphs followed by a long paragraph, long paragraphs)."""
    paras = _paragraphs(text)
    longs = [i for i, p in enumerate(paras) if len(p) >= 300]
    pairs = sum(1 for i in longs if i > 0 and "\n" not in paras[i - 1] and len(paras[i - 1]) < 300)
    return pairs, len(longs)


def detect_format(text: str, filename: str = "") -> str:
    """The format name of ``text``; raises :class:`ParseError` when it cannot tell."""
    shown = filename or "<text>"
    if not text.strip():
        raise ParseError(f"{shown}: empty input, nothing to import")
    hint = _EXT_HINTS.get(_suffix(filename))
    start = first_char(text)
    if start == "<":
        fmt = _xml_format(text)
        if fmt:
            return fmt
    if start in "[{":
        if hint == "jsonl" and start == "{":
            return "jsonl"
        return _json_format(text)
    if hint == "bibtex" or _BIB_ENTRY.search(text[:20000]):
        return "bibtex"
    head = text[:200000]
    if any(marker in head for marker in _HF_MARKERS) or len(_HF_META.findall(head)) >= 2:
        return "hf-papers-page"
    if _looks_like_id_list(head):
        return "ids"
    if _LISTING_ID.search(head) and not _ABSTRACT_MARKER.search(head):
        return "arxiv-author-listing"
    if _ABSTRACT_MARKER.search(head):
        return "abstracts"
    pairs, longs = _titled_pairs(head)
    if pairs >= 3 and pairs >= 0.8 * longs:
        return "hf-papers-page"
    if any(len(p.split()) >= 8 for p in _paragraphs(head)):
        return "abstracts"
    raise ParseError(
        f"{shown}: cannot tell the input format; name one with --format "
        "(see `paperfeed parse --help` for the list)"
    )
