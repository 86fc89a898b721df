"""arXiv XML: API Atom responses, OAI-PMH (arXiv, arXivRaw, oai_dc) and the new-listing
RSS/Atom feeds of rss.arxiv.org. Truncated XML keeps every complete entry before the cut."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as StdET
from collections.abc import Callable, Iterator
from typing import Any

from paperfeed import ids
from paperfeed.latex import decode_text_mode
from paperfeed.models import Paper
from paperfeed.sources.base import (
    Collector,
    LineIndex,
    ParseResult,
    build_paper,
    clean,
    iso_date,
    split_authors,
)

try:  # prefer the hardened parser when it is installed
    from defusedxml import ElementTree as ET  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on the environment
    ET = StdET  # type: ignore[no-redef]

ATOM = "arxiv-atom"
OAI = "arxiv-oai"
RSS = "arxiv-rss"

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "ax": "http://arxiv.org/OAI/arXiv/",
    "raw": "http://arxiv.org/OAI/arXivRaw/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_TAG = re.compile(r"<[^<>]+>")  # [^<>]: a stray '<' cannot make the scan quadratic
_ANNOUNCE = re.compile(
    r"^\s*arXiv:(\S+)\s+Announce Type:\s*([\w-]+)\s*(?:Abstract:\s*)?", re.I | re.S
)
_OLD_RSS_TITLE = re.compile(r"\s*\(arXiv:(\S+?)(?:\s+\[[^\]]*\])?(?:\s+([A-Z]+))?\)\s*$")


def _q(prefix: str, tag: str) -> str:
    return f"{{{_NS[prefix]}}}{tag}"


def _text(el: Any, path: str) -> str:
    """Text of the first element at ``path`` (namespaced, e.g. 'atom:title'), '' if none."""
    if el is None:
        return ""
    found = el.find(path, _NS)
    return "".join(found.itertext()) if found is not None else ""


def _texts(el: Any, path: str) -> list[str]:
    return ["".join(x.itertext()) for x in el.findall(path, _NS)]


def _strip_html(s: str) -> str:
    return clean(html.unescape(_TAG.sub(" ", s)))


def _names(names: Any) -> tuple[str, ...]:
    """Author names with TeX accents decoded (``M{\\"u}ller`` → ``Müller``)."""
    return tuple(n for n in (clean(decode_text_mode(clean(x))) for x in names) if n)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


class _XmlProblem(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _parse_xml(text: str) -> Any:
    """The root element; raises :class:`_XmlProblem` with a line number on bad XML."""
    m = _ENTITY_DECL.search(text)
    if m:
        raise _XmlProblem(_line_of(text, m.start()), "XML entity declarations are not allowed")
    try:
        return ET.fromstring(text.encode("utf-8"))
    except StdET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        msg = str(exc).split(":", 1)[0]
        raise _XmlProblem(line, f"invalid XML ({msg})") from None
    except Exception as exc:  # defusedxml's own errors (forbidden DTD/entities …)
        raise _XmlProblem(1, f"refused XML ({type(exc).__name__})") from None


def _complete_elements(text: str, element: str, start: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each complete ``<element …>…</element>`` after ``start``, found
    with plain ``find`` so that a cut-off or unclosed element costs one pass, not one per
    opening tag."""
    opening = re.compile(rf"<{element}\b")
    closing = f"</{element}>"
    while m := opening.search(text, start):
        tag_end = text.find(">", m.end())
        end = text.find(closing, tag_end + 1) if tag_end >= 0 else -1
        if end < 0:  # no later element is complete either
            return
        start = end + len(closing)
        yield m.start(), start


def _salvage(
    text: str, element: str, col: Collector, problem: _XmlProblem
) -> list[tuple[int, Any]]:
    """Parse each complete ``<element>…</element>`` chunk of a broken document on its own."""
    col.issue(
        col.at_line(problem.line),
        f"{problem.message}; kept the complete <{element}> entries before it",
    )
    root = re.search(r"<(?!\?|!)([\w:.-]+)([^<>]*)>", text)
    if not root:
        return []
    name = root.group(1)
    # namespace declarations of the root element apply to the chunks
    decls = " ".join(re.findall(r'xmlns(?::[\w.-]+)?\s*=\s*"[^"]*"', root.group(2)))
    out: list[tuple[int, Any]] = []
    lines = LineIndex(text)
    for begin, end in _complete_elements(text, element, root.end()):
        if lines.line(end) > problem.line:
            break
        chunk = f"<{name} {decls}>{text[begin:end]}</{name}>"
        try:
            wrapper = ET.fromstring(chunk.encode("utf-8"))
        except Exception:  # any damage: skip this chunk
            continue
        child = next(iter(wrapper), None)
        if child is not None:
            out.append((lines.line(begin), child))
    return out


def _elements(
    text: str, col: Collector, element: str, find: Callable[[Any], list[Any]]
) -> tuple[Any, list[tuple[int, Any]]]:
    """(root or None, [(line, element)]) for every ``element`` in the document."""
    try:
        root = _parse_xml(text)
    except _XmlProblem as problem:
        return None, _salvage(text, element, col, problem)
    found = find(root)
    # line numbers: the n-th opening tag of that element in the source
    index = LineIndex(text)
    starts = [m.start() for m in re.finditer(rf"<(?:[\w.-]+:)?{element}\b", text)]
    lines = [index.line(s) for s in starts]
    return root, [(lines[k] if k < len(lines) else 0, el) for k, el in enumerate(found)]


# ---------------------------------------------------------------- arXiv API (Atom)


def _atom_entry(entry: Any, fmt: str) -> tuple[Paper | None, str | None]:
    raw_id = clean(_text(entry, "atom:id"))
    title = _text(entry, "atom:title")
    if "api/errors" in raw_id or clean(title) == "Error":
        return None, f"arXiv API error: {clean(_text(entry, 'atom:summary')) or raw_id}"
    found = ids.split_arxiv_id(raw_id)
    if not found:
        return None, f"field 'id': no arXiv id in {raw_id!r:.80}"
    summary = _text(entry, "atom:summary")
    authors = _names(_texts(entry, "atom:author/atom:name"))
    cats = [c.get("term", "") for c in entry.findall("atom:category", _NS)]
    primary = entry.find("arxiv:primary_category", _NS)
    primary_term = primary.get("term") if primary is not None else None
    if primary_term and primary_term in cats:
        cats.remove(primary_term)
    categories = tuple(c for c in [primary_term, *cats] if c)
    extra: dict[str, Any] = {}
    updated = iso_date(clean(_text(entry, "atom:updated")))
    if updated:
        extra["updated"] = updated
    affiliations = _texts(entry, "atom:author/arxiv:affiliation")
    if affiliations:
        extra["affiliations"] = sorted({clean(a) for a in affiliations if clean(a)})
    url = None
    for link in entry.findall("atom:link", _NS):
        if link.get("rel") == "alternate" and link.get("href"):
            url = link.get("href")
    paper = build_paper(
        fmt,
        arxiv=raw_id,
        doi=clean(_text(entry, "arxiv:doi")) or None,
        title=title,
        abstract=summary,
        authors=authors,
        categories=categories,
        date=iso_date(clean(_text(entry, "atom:published"))),
        comment=clean(_text(entry, "arxiv:comment")) or None,
        venue=clean(_text(entry, "arxiv:journal_ref")) or None,
        url=url,
        extra=extra,
    )
    return paper, None


def parse_atom(text: str, filename: str = "<text>") -> ParseResult:
    """An arXiv API response (``export.arxiv.org/api/query``): Atom ``<entry>`` per paper."""
    col = Collector(ATOM, filename)
    text = text.lstrip("\ufeff")
    root, entries = _elements(
        text,
        col,
        "entry",
        lambda r: [r] if r.tag == _q("atom", "entry") else r.findall("atom:entry", _NS),
    )
    if root is not None and root.tag not in (_q("atom", "feed"), _q("atom", "entry")):
        col.issue(filename, f"not an Atom feed (root element {root.tag!r:.60})")
        return col.result()
    for line, entry in entries:
        paper, problem = _atom_entry(entry, ATOM)
        where = col.at_line(line)
        if problem:
            col.issue(where, problem)
        if paper is not None:
            col.add(paper, where)
    if root is not None and not entries:
        total = _text(root, "opensearch:totalResults")
        col.warn(filename, f"feed has no entries (totalResults {total or 'unknown'})")
    return col.result()


# ---------------------------------------------------------------- OAI-PMH


def _oai_arxiv(meta: Any, fmt: str) -> Paper:
    """``metadataPrefix=arXiv``."""
    authors = []
    for a in meta.findall("ax:authors/ax:author", _NS):
        name = clean(f"{_text(a, 'ax:forenames')} {_text(a, 'ax:keyname')} {_text(a, 'ax:suffix')}")
        if name:
            authors.append(name)
    extra: dict[str, Any] = {}
    updated = iso_date(clean(_text(meta, "ax:updated")))
    if updated:
        extra["updated"] = updated
    for key in ("license", "report-no", "msc-class", "acm-class"):
        value = clean(_text(meta, f"ax:{key}"))
        if value:
            extra[key.replace("-", "_")] = value
    return build_paper(
        fmt,
        arxiv=clean(_text(meta, "ax:id")),
        doi=(clean(_text(meta, "ax:doi")).split() or [None])[0],
        title=_text(meta, "ax:title"),
        abstract=_text(meta, "ax:abstract"),
        authors=_names(authors),
        categories=tuple(clean(_text(meta, "ax:categories")).split()),
        date=iso_date(clean(_text(meta, "ax:created"))),
        comment=clean(_text(meta, "ax:comments")) or None,
        venue=clean(_text(meta, "ax:journal-ref")) or None,
        extra=extra,
    )


def _oai_raw(meta: Any, fmt: str) -> Paper:
    """``metadataPrefix=arXivRaw``: versions with RFC 2822 dates, authors as one string."""
    versions: list[tuple[int, str | None]] = []
    for v in meta.findall("raw:version", _NS):
        label = (v.get("version") or "").lstrip("vV")
        if label.isdigit():
            versions.append((int(label), iso_date(clean(_text(v, "raw:date")))))
    versions.sort()
    extra: dict[str, Any] = {}
    submitter = clean(_text(meta, "raw:submitter"))
    if submitter:
        extra["submitter"] = submitter
    if len(versions) > 1 and versions[-1][1]:
        extra["updated"] = versions[-1][1]
    for key in ("license", "report-no", "msc-class", "acm-class"):
        value = clean(_text(meta, f"raw:{key}"))
        if value:
            extra[key.replace("-", "_")] = value
    return build_paper(
        fmt,
        arxiv=clean(_text(meta, "raw:id")),
        doi=(clean(_text(meta, "raw:doi")).split() or [None])[0],
        title=_text(meta, "raw:title"),
        abstract=_text(meta, "raw:abstract"),
        version=versions[-1][0] if versions else None,
        authors=_names(split_authors(clean(_text(meta, "raw:authors")))),
        categories=tuple(clean(_text(meta, "raw:categories")).split()),
        date=versions[0][1] if versions else None,
        comment=clean(_text(meta, "raw:comments")) or None,
        venue=clean(_text(meta, "raw:journal-ref")) or None,
        extra=extra,
    )


def _oai_dc(meta: Any, fmt: str, identifier: str) -> Paper:
    """``metadataPrefix=oai_dc`` (Dublin Core)."""
    idents = [clean(x) for x in _texts(meta, "dc:identifier")]
    arxiv = next((x for x in idents if ids.split_arxiv_id(x)), None) or identifier
    doi = next((x for x in idents if x.lower().startswith(("doi:", "10."))), None)
    dates = [iso_date(clean(d)) for d in _texts(meta, "dc:date")]
    return build_paper(
        fmt,
        arxiv=arxiv if ids.split_arxiv_id(arxiv) else None,
        doi=doi,
        other_id=f"oai:{identifier}" if identifier else None,
        title=_text(meta, "dc:title"),
        abstract=" ".join(_texts(meta, "dc:description")[:1]),
        authors=tuple(_flip(clean(a)) for a in _texts(meta, "dc:creator") if clean(a)),
        categories=tuple(clean(s) for s in _texts(meta, "dc:subject") if clean(s)),
        date=next((d for d in dates if d), None),
    )


def _flip(name: str) -> str:
    """Dublin Core 'Last, First' → 'First Last'."""
    if name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        return clean(f"{first} {last}")
    return name


def parse_oai(text: str, filename: str = "<text>") -> tuple[ParseResult, str | None]:
    """An OAI-PMH response (ListRecords/GetRecord); returns the result and the
    ``resumptionToken`` (None when the list is complete)."""
    col = Collector(OAI, filename)
    text = text.lstrip("\ufeff")
    root, records = _elements(text, col, "record", lambda r: list(r.iter(_q("oai", "record"))))
    token: str | None = None
    if root is not None:
        for err in root.iter(_q("oai", "error")):
            code = err.get("code", "error")
            if code != "noRecordsMatch":
                col.issue(filename, f"OAI-PMH error {code}: {clean(''.join(err.itertext()))}")
        tok = root.find(".//oai:resumptionToken", _NS)
        if tok is not None and clean(tok.text):
            token = clean(tok.text)
    else:
        m = re.search(r"<resumptionToken\b[^<>]*>([^<]+)</resumptionToken>", text)
        token = clean(m.group(1)) if m else None
    for line, rec in records:
        where = col.at_line(line)
        header = rec.find("oai:header", _NS)
        identifier = clean(_text(header, "oai:identifier")) if header is not None else ""
        if header is not None and header.get("status") == "deleted":
            col.issue(where, f"record {identifier or '?'} is deleted; skipped")
            continue
        meta = rec.find("oai:metadata", _NS)
        inner = next(iter(meta), None) if meta is not None else None
        if inner is None:
            col.issue(where, f"record {identifier or '?'} has no metadata; skipped")
            continue
        if inner.tag == _q("ax", "arXiv"):
            paper = _oai_arxiv(inner, OAI)
        elif inner.tag == _q("raw", "arXivRaw"):
            paper = _oai_raw(inner, OAI)
        elif inner.tag == _q("oai_dc", "dc"):
            paper = _oai_dc(inner, OAI, identifier)
        else:
            col.issue(where, f"record {identifier or '?'}: unsupported metadata {inner.tag!r:.60}")
            continue
        if not paper.title and not paper.abstract:
            col.issue(where, f"record {identifier or '?'}: no title or abstract; skipped")
            continue
        if ids.split_arxiv_id(paper.id) is None and identifier and ids.split_arxiv_id(identifier):
            paper = paper.with_(id=ids.canonical_arxiv_id(identifier))
        if header is not None:
            stamp = iso_date(clean(_text(header, "oai:datestamp")))
            sets = [clean(s) for s in _texts(header, "oai:setSpec") if clean(s)]
            if stamp:
                paper.extra["datestamp"] = stamp
            if sets:
                paper.extra["sets"] = sets
        col.add(paper, where)
    return col.result(), token


def parse_oai_result(text: str, filename: str = "<text>") -> ParseResult:
    """:func:`parse_oai` without the token (the registry's signature)."""
    return parse_oai(text, filename)[0]


# ---------------------------------------------------------------- rss.arxiv.org feeds


def _announce(body: str) -> tuple[str | None, str | None, str]:
    """``('2401.06148v1', 'new', abstract)`` from an rss.arxiv.org item description
    (``arXiv:2401.06148v1 Announce Type: new Abstract: …``)."""
    m = _ANNOUNCE.match(body)
    if not m:
        return None, None, body
    return m.group(1), m.group(2).lower(), body[m.end() :]


def _rss_paper(
    *,
    fmt: str,
    title: str,
    body: str,
    guid: str,
    link: str,
    creators: list[str],
    categories: list[str],
    date: str | None,
    announce: str | None,
    rights: str,
) -> tuple[Paper | None, str | None]:
    title = clean(html.unescape(title))
    old = _OLD_RSS_TITLE.search(title)  # pre-2024 feeds: "Title. (arXiv:2401.01234v1 [cs.LG])"
    old_id = None
    if old:
        old_id = old.group(1)
        if old.group(2) == "UPDATED" and not announce:
            announce = "replace"
        title = title[: old.start()].rstrip().removesuffix(".")
    body_id, body_type, abstract = _announce(_strip_html(body))
    arxiv = next((x for x in (body_id, guid, old_id, link) if x and ids.split_arxiv_id(x)), None)
    if arxiv is None:
        return None, f"no arXiv id in item {title!r:.60}"
    announce = (announce or body_type or "").lower() or None
    authors: tuple[str, ...] = ()
    for c in creators:
        authors += _names(split_authors(_strip_html(c)))
    extra: dict[str, Any] = {}
    if announce:
        extra["announce_type"] = announce
    if rights:
        extra["license"] = clean(rights)
    paper = build_paper(
        fmt,
        arxiv=arxiv,
        title=title,
        abstract=abstract,
        authors=authors,
        categories=tuple(c for c in (clean(x) for x in categories) if c),
        date=date,
        url=link or None,
        extra=extra,
    )
    return paper, None


def parse_rss(text: str, filename: str = "<text>") -> ParseResult:
    """rss.arxiv.org new-listing feeds, RSS 2.0 or Atom; ``announce_type`` (new, cross,
    replace, replace-cross) goes to ``extra["announce_type"]``."""
    col = Collector(RSS, filename)
    text = text.lstrip("\ufeff")
    is_atom = bool(re.search(r"<(?:\w+:)?feed\b", text[:2000]))
    element = "entry" if is_atom else "item"

    def find(root: Any) -> list[Any]:
        if is_atom:
            return root.findall("atom:entry", _NS)
        return [el for el in root.iter() if el.tag in ("item", "{http://purl.org/rss/1.0/}item")]

    root, items = _elements(text, col, element, find)
    channel_date = None
    if root is not None and not is_atom:
        channel_date = iso_date(clean(_text(root, "channel/pubDate")))
    for line, item in items:
        where = col.at_line(line)
        if is_atom:
            links = [
                ln.get("href", "")
                for ln in item.findall("atom:link", _NS)
                if ln.get("rel", "alternate") == "alternate"
            ]
            creators = _texts(item, "atom:author/atom:name") + _texts(item, "dc:creator")
            paper, problem = _rss_paper(
                fmt=RSS,
                title=_text(item, "atom:title"),
                body=_text(item, "atom:summary") or _text(item, "atom:content"),
                guid=clean(_text(item, "atom:id")),
                link=links[0] if links else "",
                creators=creators,
                categories=[c.get("term", "") for c in item.findall("atom:category", _NS)],
                date=iso_date(clean(_text(item, "atom:published") or _text(item, "atom:updated"))),
                announce=clean(_text(item, "arxiv:announce_type")) or None,
                rights=_text(item, "dc:rights"),
            )
        else:

            def t(tag: str, el: Any = item) -> str:
                found = el.find(tag, _NS)
                if found is None:
                    found = el.find("{http://purl.org/rss/1.0/}" + tag)
                return "".join(found.itertext()) if found is not None else ""

            cats = [clean("".join(c.itertext())) for c in item.findall("category")]
            cats += [clean(s) for s in _texts(item, "dc:subject")]
            paper, problem = _rss_paper(
                fmt=RSS,
                title=t("title"),
                body=t("description"),
                guid=clean(t("guid")),
                link=clean(t("link")),
                creators=_texts(item, "dc:creator"),
                categories=cats,
                date=iso_date(clean(t("pubDate") or _text(item, "dc:date"))) or channel_date,
                announce=clean(_text(item, "arxiv:announce_type")) or None,
                rights=_text(item, "dc:rights"),
            )
        if problem:
            col.issue(where, problem)
        if paper is not None:
            col.add(paper, where)
    if root is not None and not items:
        col.warn(filename, "feed has no items (no announcements that day?)")
    return col.result()
