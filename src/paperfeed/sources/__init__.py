"""Input parsers: every supported page, feed and file format → :class:`Paper` objects.

The split with :mod:`paperfeed.fetch`: ``sources`` turns text or bytes into papers and does
no I/O beyond reading a file it is given; ``fetch`` does the network I/O.

``parse_text`` is pure; ``parse_path`` reads a file (gzip by magic bytes, UTF-8 with
fallback decodings, JSON lines streamed). Every paper gets a canonical ``id`` (version-less
arXiv id, else ``doi:…``, else a stable text id), ``sources=(format,)`` and an ISO ``date``
when known. Problems in the input become :class:`ParseIssue` s; only an input that cannot
be read at all raises :class:`ParseError`. :class:`Limits` bounds what hostile input costs.
"""

from __future__ import annotations

import codecs
import importlib
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from paperfeed.models import Paper
from paperfeed.sources import jsonl, reading
from paperfeed.sources.base import (
    Limits,
    ParseError,
    ParseIssue,
    ParseResult,
    guard_paper,
    has_surrogate_escapes,
    has_surrogates,
    one_line,
    replace_surrogates,
)
from paperfeed.sources.detect import detect_format

__all__ = [
    "FORMATS",
    "Limits",
    "ParseError",
    "ParseIssue",
    "ParseResult",
    "detect_format",
    "iter_jsonl_papers",
    "parse_oai",
    "parse_path",
    "parse_text",
]

FORMATS: dict[str, str] = {
    "jsonl": "JSON lines / JSON array of papers: paperfeed corpora, paper objects, "
    "arXiv metadata snapshot",
    "abstracts": "pasted abstracts: paragraphs starting 'Abstract:' or blank-line separated",
    "arxiv-author-listing": "arXiv author listing text: abstract, comments, then 'arXiv:ID'",
    "hf-papers-page": "Hugging Face Papers page copied as text (title, abstract, metadata)",
    "arxiv-atom": "arXiv API Atom response (export.arxiv.org/api/query)",
    "arxiv-oai": "arXiv OAI-PMH response (metadataPrefix arXiv or arXivRaw)",
    "arxiv-rss": "arXiv new-listing feed (rss.arxiv.org RSS or Atom)",
    "hf-daily-json": "Hugging Face daily papers API JSON (huggingface.co/api/daily_papers)",
    "bibtex": "BibTeX (.bib)",
    "csl-json": "CSL-JSON (Zotero/Mendeley 'CSL JSON' export)",
    "zotero-json": "Zotero web API JSON (items with data.itemType)",
    "ids": "list of arXiv ids, arXiv URLs or DOIs, one per line (stubs to fetch)",
    "openalex-json": "OpenAlex works JSON (api.openalex.org/works/…)",
    "biorxiv-json": "bioRxiv/medRxiv details API JSON (api.biorxiv.org/details/…)",
}

Parser = Callable[[str, str], ParseResult]


# format → (module in paperfeed.sources, function(text, filename) -> ParseResult)
_PARSERS: dict[str, tuple[str, str]] = {
    "jsonl": ("jsonl", "parse"),
    "abstracts": ("text", "parse_abstracts"),
    "arxiv-author-listing": ("text", "parse_author_listing"),
    "hf-papers-page": ("hf", "parse_page"),
    "arxiv-atom": ("feeds", "parse_atom"),
    "arxiv-oai": ("feeds", "parse_oai_result"),
    "arxiv-rss": ("feeds", "parse_rss"),
    "hf-daily-json": ("hf", "parse_daily_json"),
    "bibtex": ("bibtex", "parse"),
    "csl-json": ("zotero", "parse_csl"),
    "zotero-json": ("zotero", "parse_zotero"),
    "ids": ("idlist", "parse"),
    "openalex-json": ("openalex", "parse"),
    "biorxiv-json": ("biorxiv", "parse"),
}


def parser_for(fmt: str) -> Parser:
    """The raw parser of ``fmt`` (no safety net; tests use it to find bugs)."""
    if fmt not in _PARSERS:
        raise ParseError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    module, func = _PARSERS[fmt]
    return getattr(importlib.import_module(f"paperfeed.sources.{module}"), func)  # type: ignore[no-any-return]


def _guarded(
    result: ParseResult,
    filename: str,
    max_chars: int,
    unicode: bool,
    before: list[ParseIssue] | None = None,
) -> ParseResult:
    """``result`` with every paper through :func:`guard_paper` and a note for each repair;
    ``before`` are issues found before parsing (they come first)."""
    papers: list[Paper] = []
    notes: list[ParseIssue] = []
    for paper in result.papers:
        safe, repairs = guard_paper(paper, max_chars=max_chars, unicode=unicode)
        papers.append(safe)
        notes += [ParseIssue(f"{filename}: paper {safe.id}", r, skipped=False) for r in repairs]
    if not notes and not before:
        return result
    return ParseResult(papers, [*(before or []), *result.issues, *notes], result.format)


def parse_text(
    text: str,
    fmt: str | None = None,
    *,
    filename: str = "<text>",
    ref_year: int | None = None,
    limits: Limits | None = None,
) -> ParseResult:
    """Parse ``text`` as ``fmt`` (detected when None). Pure: no I/O.

    ``ref_year`` is the year of dates shown without one (Hugging Face pages); when None it
    is inferred from the page. Fields over ``limits.max_field_chars`` are cut and invalid
    Unicode replaced, each with a note.
    """
    if fmt is None:
        fmt = detect_format(text, filename)
    parse = parser_for(fmt)
    if not text.strip():
        return ParseResult(
            [], [ParseIssue(filename, "empty input, nothing to import", skipped=False)], fmt
        )
    max_chars = (limits or Limits()).max_field_chars
    before: list[ParseIssue] = []
    if has_surrogates(text):  # from a caller's str (stdin read with surrogateescape …)
        text = replace_surrogates(text)
        before.append(
            ParseIssue(filename, "invalid Unicode (lone surrogates) replaced with U+FFFD", False)
        )
    try:
        if fmt == "hf-papers-page":
            from paperfeed.sources import hf

            result = hf.parse_page(text, filename, ref_year=ref_year)
        else:
            result = parse(text, filename)
    except ParseError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # Safety net: a parser bug must not become a traceback for the user.
        raise ParseError(
            one_line(f"{filename}: could not parse as {fmt}: {type(exc).__name__}: {exc}")
        ) from exc
    return _guarded(result, filename, max_chars, has_surrogate_escapes(text), before)


def parse_oai(text: str, *, filename: str = "<text>") -> tuple[ParseResult, str | None]:
    """Parse an arXiv OAI-PMH response; also return its resumptionToken (None at the end)."""
    from paperfeed.sources import feeds

    return feeds.parse_oai(text, filename)


def _sniff_text_format(path: Path) -> str | None:
    """Detect the format of a file from its first 64 KiB (cheap for big corpora)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
        if head.startswith(reading.GZIP_MAGIC):
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 65536)
    except (OSError, ValueError, zlib.error):
        return None
    if reading.binary_kind(head):
        return None
    text = head.decode("utf-8", errors="replace")
    if jsonl.first_char(text) != "{":
        return None
    try:
        return "jsonl" if detect_format(text, path.name) == "jsonl" else None
    except ParseError:
        return None


def parse_path(
    path: Path, fmt: str | None = None, *, ref_year: int | None = None, limits: Limits | None = None
) -> ParseResult:
    """Read ``path`` and parse it; JSON-lines files are streamed line by line, any other
    file is read whole (at most ``limits.max_bytes``, decompressed)."""
    path = Path(path)
    limits = limits or Limits()
    name = str(path)
    if fmt is not None:
        parser_for(fmt)  # unknown format → ParseError before reading
    if path.is_dir():
        raise ParseError(f"{name}: is a directory, not a file")
    if fmt == "jsonl" or (fmt is None and _sniff_text_format(path) == "jsonl"):
        papers: list[Paper] = []
        issues: list[ParseIssue] = []
        for item in iter_jsonl_papers(path, limits):
            (papers if isinstance(item, Paper) else issues).append(item)  # type: ignore[arg-type]
        if not papers and not issues:
            issues.append(ParseIssue(name, "empty input, nothing to import", skipped=False))
        return ParseResult(papers, issues, "jsonl")
    text, read_issues = reading.read_path(path, limits.max_bytes)
    if fmt is None and not text.strip():
        return ParseResult(
            [],
            [*read_issues, ParseIssue(name, "empty file, nothing to import", skipped=False)],
            "",
        )
    result = parse_text(text, fmt, filename=name, ref_year=ref_year, limits=limits)
    return ParseResult(result.papers, read_issues + result.issues, result.format)


def _whole_jsonl(path: Path, limits: Limits) -> Iterator[Paper | ParseIssue]:
    """A JSON-lines file that cannot be streamed (a JSON array, UTF-16), parsed whole."""
    name = str(path)
    text, issues = reading.read_path(path, limits.max_bytes)
    yield from issues
    result = jsonl.parse(text, name)
    result = _guarded(result, name, limits.max_field_chars, has_surrogate_escapes(text))
    yield from result.papers
    yield from result.issues


def iter_jsonl_papers(path: Path, limits: Limits | None = None) -> Iterator[Paper | ParseIssue]:
    """Stream papers (and issues) from a JSON-lines file, gzipped or not, one line at a time.

    A file holding one JSON array/document instead of lines is parsed whole.
    Raises :class:`ParseError` (when iterated) for unreadable or binary files.
    """
    path = Path(path)
    name = str(path)
    limits = limits or Limits()
    try:
        with path.open("rb") as fh:
            bom = fh.read(2)
    except OSError as exc:
        raise ParseError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # not line-decodable: read whole
        yield from _whole_jsonl(path, limits)
        return
    lines = reading.iter_lines(path, limits.max_line_bytes)
    trailing: list[ParseIssue] = []
    first: tuple[int, str] | None = None
    for item in lines:  # blank lines before the first record are not kept
        if isinstance(item, ParseIssue):
            trailing.append(item)
        elif item[1].strip():
            first = item
            break
    if first is not None and jsonl.first_char(first[1]) == "[":
        yield from _whole_jsonl(path, limits)
        return

    def chain() -> Iterator[tuple[int, str]]:
        if first is not None:
            yield first
        for item in lines:
            if isinstance(item, tuple):
                yield item
            else:
                trailing.append(item)

    yield from trailing
    trailing.clear()
    for out in jsonl.iter_lines(chain(), name, max_field_chars=limits.max_field_chars):
        yield out
        if trailing:
            yield from trailing
            trailing.clear()
    yield from trailing
