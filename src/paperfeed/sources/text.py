"""Pasted plain text: abstracts (seed 000) and arXiv author listings (seed 001)."""

from __future__ import annotations

import re

from paperfeed.sources.base import Collector, LineIndex, ParseResult, build_paper, clean

ABSTRACTS = "abstracts"
AUTHOR_LISTING = "arxiv-author-listing"

# "Abstract:" wherever it is, even glued to the end of the previous abstract.
_MARKER = re.compile(r"(?:Abstract|ABSTRACT)\s*[:：]\s*")
_MIN_WORDS = 8  # a shorter unmarked paragraph is not an abstract
_NAME_MAX = 80


def _looks_like_name(block: str) -> bool:
    """A short single line without sentence punctuation: a list/profile name."""
    s = block.strip()
    return bool(s) and "\n" not in s and len(s) <= _NAME_MAX and not s.endswith((".", ":"))


def parse_abstracts(text: str, filename: str = "<text>") -> ParseResult:
    """Paragraphs starting with ``Abstract:`` (split on every marker), or, without any
    marker, blank-line separated paragraphs, one abstract each. An optional first line
    naming the list goes to ``extra["list_name"]``. Titles stay empty.
    """
    col = Collector(ABSTRACTS, filename)
    text = text.lstrip("\ufeff")
    pieces: list[tuple[int, str]] = []  # (line, abstract text)
    name: str | None = None
    markers = list(_MARKER.finditer(text))
    index = LineIndex(text)
    if markers:
        preamble = text[: markers[0].start()].strip()
        if preamble:
            if _looks_like_name(preamble):
                name = preamble
            elif len(preamble.split()) >= _MIN_WORDS:
                pieces.append((1, preamble))
            else:
                col.warn(
                    col.at_line(1), f"text before the first 'Abstract:' ignored: {preamble!r:.60}"
                )
        for k, m in enumerate(markers):
            end = markers[k + 1].start() if k + 1 < len(markers) else len(text)
            pieces.append((index.line(m.start()), text[m.end() : end]))
    else:
        pos = 0
        for block in re.split(r"(\n[ \t]*\n)", text):
            if block.strip() and not block.startswith("\n"):
                line = index.line(pos + len(block) - len(block.lstrip()))
                pieces.append((line, block))
            pos += len(block)
        if pieces and len(pieces) > 1 and _looks_like_name(pieces[0][1]):
            name = pieces.pop(0)[1].strip()
    for line, raw in pieces:
        body = clean(raw)
        where = col.at_line(line)
        if not body:
            col.issue(where, "empty abstract; skipped")
            continue
        if not markers and len(body.split()) < _MIN_WORDS:
            col.issue(where, f"paragraph too short to be an abstract; skipped: {body!r:.60}")
            continue
        extra = {"list_name": name} if name else {}
        col.add(build_paper(ABSTRACTS, abstract=body, extra=extra), where)
    if not col.papers and not col.issues:
        col.warn(filename, "no abstracts found")
    return col.result()


# ---------------------------------------------------------------- arXiv author listing

# "arXiv:2409.01081" at a line start, possibly glued to the next abstract's first word.
_LISTING_ID = re.compile(
    r"^arXiv:\s*(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.M
)
_LONG_LINE = 300  # a line this long inside a block is abstract text, not a comment


def parse_author_listing(text: str, filename: str = "<text>") -> ParseResult:
    """An arXiv author listing copied as text: each paper is its abstract, optional comment
    lines, then the ``arXiv:ID`` line (to which the next abstract is glued)."""
    col = Collector(AUTHOR_LISTING, filename)
    text = text.lstrip("\ufeff")
    start = 0
    start_line = 1
    matches = list(_LISTING_ID.finditer(text))
    index = LineIndex(text)
    if not matches:
        col.issue(filename, "no 'arXiv:ID' lines found")
        return col.result()
    for m in matches:
        block = text[start : m.start()]
        where = col.at_line(index.line(m.start()))
        arxiv_id = m.group(1) + (m.group(2) or "")
        start, start_line = m.end(), index.line(m.end())
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if not lines:
            col.issue(where, f"arXiv:{arxiv_id} has no abstract before it; skipped")
            continue
        abstract_lines = [lines[0]]
        comments: list[str] = []
        for ln in lines[1:]:
            if len(ln) >= _LONG_LINE and not comments:
                abstract_lines.append(ln)
            else:
                comments.append(ln)
        comment = "; ".join(clean(c) for c in comments) or None
        paper = build_paper(
            AUTHOR_LISTING,
            arxiv=arxiv_id,
            abstract=" ".join(abstract_lines),
            comment=comment,
            url=f"https://arxiv.org/abs/{m.group(1)}",
        )
        col.add(paper, where)
    tail = text[start:].strip()
    if tail:
        col.issue(
            col.at_line(start_line),
            f"text after the last arXiv id has no id; skipped: {clean(tail)!r:.60}",
        )
    return col.result()
