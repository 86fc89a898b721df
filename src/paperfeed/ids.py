"""Paper identity: canonical arXiv ids, DOIs and fallbacks. Pure functions."""

from __future__ import annotations

import hashlib
import re

# New style: 0704.0001 … 2401.12345, optional vN. Old style: hep-th/9901001, math.GT/0309136.
_NEW = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v(\d+))?(?![\d])")
_OLD = re.compile(r"(?<![\w/])([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?(?!\d)")
_PREFIX = re.compile(
    r"^\s*(?:arxiv:|https?://(?:www\.)?(?:export\.)?arxiv\.org/(?:abs|pdf)/)", re.I
)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)


def split_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """``'arXiv:2401.01234v2'`` → ``('2401.01234', 2)``; ``None`` if no arXiv id is present."""
    s = _PREFIX.sub("", text.strip())
    s = s.removesuffix(".pdf")
    for pattern in (_NEW, _OLD):
        m = pattern.search(s)
        if m:
            return m.group(1), int(m.group(2)) if m.group(2) else None
    return None


def canonical_arxiv_id(text: str) -> str | None:
    """The version-less arXiv id in ``text``, or ``None``."""
    found = split_arxiv_id(text)
    return found[0] if found else None


def is_arxiv_id(text: str) -> bool:
    """True if ``text`` is exactly an arXiv id or arXiv URL (nothing else around it)."""
    s = _PREFIX.sub("", text.strip()).removesuffix(".pdf")
    return bool(re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?|[a-z][a-z\-]*(\.[A-Z]{2})?/\d{7}(v\d+)?", s))


def normalize_doi(text: str) -> str | None:
    m = _DOI.search(text)
    return m.group(1).rstrip(".,;").lower() if m else None


def text_id(text: str) -> str:
    """Stable id for a paper known only by its text (pasted abstracts)."""
    norm = " ".join(text.lower().split())
    return "text:" + hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def title_key(title: str) -> str:
    """Normalized-title key for matching one paper across sources."""
    return re.sub(r"[^a-z0-9]+", "", title.lower())


_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


def text_id_for(title: str, abstract: str) -> str:
    """``text_id`` of a paper's title and abstract (whitespace-normalized, so
    ``text_id_for("", a) == text_id(a)``)."""
    return text_id(f"{title} {abstract}")


def arxiv_id_from_doi(doi: str) -> str | None:
    """The arXiv id behind an arXiv-issued DOI (``10.48550/arXiv.2401.01234``), else ``None``."""
    m = _ARXIV_DOI.match(doi.strip())
    if not m:
        return None
    rest = m.group(1)
    return rest if is_arxiv_id(rest) else None


def find_arxiv_ids(text: str) -> list[str]:
    """Every version-less arXiv id mentioned in ``text`` (new and old style), in order, once."""
    found = sorted(
        (m.start(), m.group(1)) for pattern in (_NEW, _OLD) for m in pattern.finditer(text)
    )
    return list(dict.fromkeys(arxiv_id for _, arxiv_id in found))


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) address, else None: a ``javascript:`` or
    ``data:`` link from an untrusted record never reaches a page, e-mail or feed."""
    if not url:
        return None
    url = url.strip()
    scheme, sep, rest = url.partition(":")
    if sep and scheme.lower() in ("http", "https") and rest.startswith("//") and len(rest) > 2:
        return None if any(c in url for c in "\x00\r\n\t <>\"'`") else url
    return None
