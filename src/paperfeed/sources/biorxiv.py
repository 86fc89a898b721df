"""bioRxiv and medRxiv (``api.biorxiv.org/details/{server}/…``): one page of the details API
(``{"messages": [...], "collection": [...]}``) or a saved JSON array of its records.

Each record is one *version* of a preprint; the newest version of a DOI wins. A paper's id is
its DOI (``doi:10.1101/…``), so the same preprint met in a Zotero library or on OpenAlex is one
paper. Authors come as ``"Last, F.; Other, A. B."`` and are stored as "F. Last" (the
corresponding author's full name replaces their initials); abstracts lose the HTML and the
flattened JATS markup (``O_LI``, ``O_FIG … C_FIG``) the API leaves in them.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from paperfeed import ids
from paperfeed.models import Paper
from paperfeed.sources.base import (
    Collector,
    FieldError,
    ParseError,
    ParseResult,
    build_paper,
    clean,
    iso_date,
    one_line,
)
from paperfeed.sources.jsonutil import JsonProblem, array_items, first_char, loads_or_problem

FORMAT = "biorxiv-json"
SERVERS: dict[str, str] = {"biorxiv": "bioRxiv", "medrxiv": "medRxiv"}
SITES: dict[str, str] = {
    "biorxiv": "https://www.biorxiv.org",
    "medrxiv": "https://www.medrxiv.org",
}
NO_POSTS = "no posts found"
"""The status of a details page for an interval (or category) without postings."""

# The subject collections, as the API spells them in records and in messages[0].category.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "biorxiv": (
        "animal behavior and cognition",
        "biochemistry",
        "bioengineering",
        "bioinformatics",
        "biophysics",
        "cancer biology",
        "cell biology",
        "developmental biology",
        "ecology",
        "evolutionary biology",
        "genetics",
        "genomics",
        "immunology",
        "microbiology",
        "molecular biology",
        "neuroscience",
        "paleontology",
        "pathology",
        "pharmacology and toxicology",
        "physiology",
        "plant biology",
        "scientific communication and education",
        "synthetic biology",
        "systems biology",
        "zoology",
    ),
    "medrxiv": (
        "addiction medicine",
        "allergy and immunology",
        "anesthesia",
        "cardiovascular medicine",
        "dentistry and oral medicine",
        "dermatology",
        "emergency medicine",
        "endocrinology",
        "epidemiology",
        "forensic medicine",
        "gastroenterology",
        "genetic and genomic medicine",
        "geriatric medicine",
        "health economics",
        "health informatics",
        "health policy",
        "health systems and quality improvement",
        "hematology",
        "hiv aids",
        "infectious diseases",
        "intensive care and critical care medicine",
        "medical education",
        "medical ethics",
        "nephrology",
        "neurology",
        "nursing",
        "nutrition",
        "obstetrics and gynecology",
        "occupational and environmental health",
        "oncology",
        "ophthalmology",
        "orthopedics",
        "otolaryngology",
        "pain medicine",
        "palliative medicine",
        "pathology",
        "pediatrics",
        "pharmacology and therapeutics",
        "primary care research",
        "psychiatry and clinical psychology",
        "public and global health",
        "radiology and imaging",
        "rehabilitation medicine and physical therapy",
        "respiratory medicine",
        "rheumatology",
        "sexual and reproductive health",
        "sports medicine",
        "surgery",
        "toxicology",
        "transplantation",
        "urology",
    ),
}

_SEPARATORS = re.compile(r"[\s_\-/]+")
_INLINE_TAG = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|sc|span|a|italic|bold)\b[^<>]*>", re.I)
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|h[1-6]|ul|ol|li)\b[^<>]*>", re.I)
_GRAPHICAL = re.compile(r"Graphical abstract\s*(?=O_FIG)", re.I)
_SMALL_FIG = re.compile(r"O_LINKSMALLFIG[^<>]*>")
_FIG_DEBRIS = re.compile(
    r"View larger version \(\d+K\):|org\.highwire\.dtl\.DTLVardef@[0-9a-f]+|_HPS_FORMAT_FIGEXP|"
    r"\bM_FIG\b"
)
_INLINE = re.compile(r"[OC]_(?:SCPCAP|SCPLOW|FLOATNO|TABLECAPTION|ITALIC|BOLD|SUP|SUB)")
_ENTITIES = {
    "{approx}": "≈",
    "{+/-}": "±",
    "{degrees}": "°",
    "{micro}": "µ",
    "{times}": "×",
    "{middle dot}": "·",
    "{leq}": "≤",
    "{geq}": "≥",
}
_HEADINGS = re.compile(
    r"(?<![A-Za-z])(Background|Objectives?|Aims?|Purpose|Importance|Introduction|Methods?|"
    r"Design|Setting|Participants|Interventions?|Measurements|Findings|Results|Interpretation|"
    r"Conclusions?|Significance|Funding)(?=[A-Z0-9])"
)
_INITIALS = re.compile(r"[A-Za-z]")


def category_key(name: str) -> str:
    """A category as the API spells it in records: ``Cell_Biology``, ``cell-biology`` →
    ``cell biology``; ``HIV/AIDS`` → ``hiv aids``."""
    return " ".join(w for w in _SEPARATORS.split(name.strip().lower()) if w)


def category_param(name: str) -> str:
    """A category for the API's ``?category=`` (its documented spelling: ``cell_biology``)."""
    return category_key(name).replace(" ", "_")


# ---------------------------------------------------------------- text


def _cut_blocks(text: str, start: str, end: str) -> str:
    """``text`` without each ``start … end`` block (an unclosed one runs to the end)."""
    out: list[str] = []
    pos = 0
    while True:
        i = text.find(start, pos)
        if i < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:i])
        j = text.find(end, i + len(start))
        if j < 0:
            return "".join(out)
        pos = j + len(end)


def clean_text(value: str) -> str:
    """A title or abstract as people read it: HTML tags and entities, figure and table
    blocks, JATS markers and list tokens removed; glued section headings separated."""
    if "_FIG" in value or "_TBL" in value:
        value = _GRAPHICAL.sub("", value)
        value = _cut_blocks(_cut_blocks(value, "O_FIG", "C_FIG"), "O_TBL", "C_TBL")
        value = _FIG_DEBRIS.sub(" ", _SMALL_FIG.sub(" ", value))
    if "_LI" in value:
        value = value.replace("C_LIO_LI", " • ").replace("O_LI", " • ").replace("C_LI", " ")
    if "O_" in value or "C_" in value:
        value = _INLINE.sub("", value)
    if "{" in value:
        for entity, char in _ENTITIES.items():
            value = value.replace(entity, char)
    value = html.unescape(_BLOCK_TAG.sub(" ", _INLINE_TAG.sub("", value)))
    return clean(_HEADINGS.sub(r"\1: ", value))


def _initials(given: str) -> str:
    return "".join(c.upper() for c in _INITIALS.findall(given))


def _full_initials(given: str) -> str:
    return "".join(w[0].upper() for w in re.split(r"[\s\-.]+", given) if w and w[0].isalpha())


def split_authors(value: str, corresponding: str = "") -> tuple[str, ...]:
    """``"Loconsole, M.; Xue, C."`` → ``("M. Loconsole", "C. Xue")``; a name without a comma
    (a consortium) is kept as given. The first author matching ``corresponding`` ("Maria
    Loconsole": same surname, initials agreeing) gets that full name."""
    out: list[str] = []
    full = clean(corresponding)
    upgraded = False
    for part in value.split(";"):
        part = clean(part)
        if not part:
            continue
        last, comma, given = (clean(x) for x in part.partition(","))
        if not comma:
            out.append(part)
            continue
        name = f"{given} {last}" if given else last
        if full and not upgraded and given and full.casefold().endswith(" " + last.casefold()):
            full_given = full[: -len(last)].strip()
            if _full_initials(full_given).startswith(_initials(given)):
                name, upgraded = full, True
        out.append(name)
    return tuple(out)


# ---------------------------------------------------------------- records


def _s(rec: dict[str, Any], key: str) -> str:
    value = rec.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise FieldError(key, f"expected a string, got {type(value).__name__}")


def _na(value: str) -> str:
    """'' for the API's "NA" placeholder."""
    return "" if value.strip().upper() in ("NA", "N/A", "NULL") else value.strip()


def paper_from_record(rec: Any) -> tuple[Paper, list[str]]:
    """One record of the details API (one version of one preprint) → Paper."""
    if not isinstance(rec, dict):
        raise FieldError("record", f"expected a JSON object, got {type(rec).__name__}")
    raw_doi = _s(rec, "doi")
    doi = ids.normalize_doi(raw_doi)
    if doi is None:
        raise FieldError("doi", f"not a DOI: {raw_doi!r:.60}" if raw_doi else "missing")
    title, abstract = clean_text(_s(rec, "title")), clean_text(_s(rec, "abstract"))
    if not title and not abstract:
        raise FieldError("title", "record has neither a title nor an abstract")
    warnings: list[str] = []
    raw_version = _s(rec, "version").strip()
    version = int(raw_version) if raw_version.isdigit() and len(raw_version) < 6 else None
    if raw_version and version is None:
        warnings.append(f"field 'version': not a number: {raw_version!r:.20}")
    raw_date = _s(rec, "date")
    date = iso_date(raw_date) if raw_date else None
    if raw_date and date is None:
        warnings.append(f"field 'date': unreadable date {raw_date!r:.40}")
    server_name = clean(_s(rec, "server"))
    server = server_name.lower() if server_name.lower() in SITES else "biorxiv"
    url = f"{SITES[server]}/content/{doi}" + (f"v{version}" if version else "")
    category = category_key(_s(rec, "category"))
    published = ids.normalize_doi(_na(_s(rec, "published")))
    extra: dict[str, Any] = {
        "server": SERVERS.get(server, server_name),
        "type": clean(_s(rec, "type")) or None,
        "license": _na(_s(rec, "license")) or None,
        "published_doi": published,
    }
    paper = build_paper(
        FORMAT,
        doi=doi,
        title=title,
        abstract=abstract,
        version=version,
        authors=split_authors(_s(rec, "authors"), _s(rec, "author_corresponding")),
        categories=(category,) if category else (),
        date=date,
        url=url,
        extra=extra,
    )
    return paper, warnings


# ---------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What ``messages[0]`` of a details page says: its ``status`` (``ok``, or ``no posts
    found``, or an error), the ``records`` it holds, the ``total`` of the interval, its
    ``cursor`` and the ``category`` the API filtered on (``all`` for none)."""

    status: str
    records: int
    total: int | None
    cursor: int
    category: str

    @property
    def ok(self) -> bool:
        return self.status.lower() == "ok"

    @property
    def empty(self) -> bool:
        return self.status.lower().startswith(NO_POSTS)


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def page_info(text: str, filename: str = "<text>") -> PageInfo:
    """The paging facts of one details page; :class:`ParseError` (one line) when ``text``
    is not a details page."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError, UnicodeDecodeError) as exc:
        raise ParseError(f"{filename}: not JSON ({str(exc).split(':', 1)[0]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise ParseError(f"{filename}: not a bioRxiv API answer (no 'messages' list)")
    first = doc["messages"][0] if doc["messages"] else {}
    msg: dict[str, Any] = first if isinstance(first, dict) else {}
    coll = doc.get("collection")
    return PageInfo(
        status=one_line(str(msg.get("status", "")), 200) or "missing status",
        records=len(coll) if isinstance(coll, list) else 0,
        total=_int(msg.get("total")),
        cursor=_int(msg.get("cursor")) or 0,
        category=category_key(str(msg.get("category") or "")),
    )


def _records(text: str, col: Collector) -> list[tuple[int, Any]]:
    """(line, record) of a details page or of a JSON array of records."""
    text = text.lstrip("\ufeff")
    if first_char(text) == "[":
        return array_items(text, lambda line, msg: col.issue(col.at_line(line), msg))
    try:
        doc = loads_or_problem(text)
    except JsonProblem as exc:
        col.issue(col.at_line(exc.line), exc.message)
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("collection"), list):
        col.issue(col.filename, "not a bioRxiv/medRxiv details answer (no 'collection' list)")
        return []
    messages = doc.get("messages")
    msg = messages[0] if isinstance(messages, list) and messages else {}
    status = str(msg.get("status", "ok")) if isinstance(msg, dict) else "ok"
    if status.lower() != "ok" and not status.lower().startswith(NO_POSTS):
        col.issue(col.filename, f"bioRxiv API: {status}")
    return [(1, rec) for rec in doc["collection"]]


def newest(old: Paper, new: Paper) -> Paper:
    """The newer of two versions of one preprint (higher version, then later date)."""
    key_old = (old.version or 0, old.date or "")
    key_new = (new.version or 0, new.date or "")
    return new if key_new > key_old else old


def parse(text: str, filename: str = "<text>") -> ParseResult:
    """A details page (or an array of its records) → one paper per DOI, its newest version."""
    col = Collector(FORMAT, filename)
    best: dict[str, tuple[Paper, str]] = {}
    for k, (line, rec) in enumerate(_records(text, col)):
        doi = rec.get("doi") if isinstance(rec, dict) else None
        where = col.at_entry(doi) if isinstance(doi, str) and doi else col.at_line(line)
        try:
            paper, warnings = paper_from_record(rec)
        except FieldError as exc:
            col.issue(where, f"record {k}: {exc}; skipped")
            continue
        for w in warnings:
            col.warn(where, f"record {k}: {w}")
        seen = best.get(paper.id)
        best[paper.id] = (paper, where) if seen is None else (newest(seen[0], paper), seen[1])
    for paper, where in best.values():
        col.add(paper, where)
    return col.result()
