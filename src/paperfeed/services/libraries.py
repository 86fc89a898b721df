"""Reading profile papers from a Zotero export, some collections only: a Zotero web API items
file (``data.collections``: keys only, or names when the file also holds the collections) or
a Better BibTeX JSON export (which carries the collection table). CSL-JSON and BibTeX exports
carry no collections; asking for some with one of those is a clear error, not a silent
import of everything."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from paperfeed.services.app import Paperfeed
from paperfeed.services.common import ImportSummary, UserError
from paperfeed.sources import ParseError, ParseResult, parse_text
from paperfeed.sources.reading import read_path
from paperfeed.sources.zotero_collections import (
    Collection,
    choose,
    collections_from,
    collections_of,
    select,
)

ZOTERO = "zotero-json"


def _table(text: str, result: ParseResult) -> list[Collection]:
    """The collections a file names: its own table, else its items' keys (names unknown)."""
    try:
        found = collections_from(json.loads(text.lstrip("\ufeff")))
    except (json.JSONDecodeError, RecursionError):
        found = []
    if found:
        return found
    keys = sorted({k for p in result.papers for k in collections_of(p)})
    return [Collection(k, k) for k in keys]


def read_export(
    path: Path, include: Sequence[str], ignore: Sequence[str], *, fmt: str | None = None
) -> ParseResult:
    """The papers of the Zotero export at ``path`` that lie in the collections ``include``
    names (all when empty; sub-collections too) and in none ``ignore`` names."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        text, read_issues = read_path(path)
        result = parse_text(text, fmt, filename=str(path))
    except ParseError as exc:
        raise UserError(str(exc)) from None
    if result.format != ZOTERO:
        raise UserError(
            f"{path}: a {result.format} file names no Zotero collections; export the "
            "collection itself, or the library as Better BibTeX JSON, or use "
            "`paperfeed fetch zotero --collection …`"
        )
    try:
        choice = choose(_table(text, result), include, ignore, where=str(path))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    chosen = select(result, choice, str(path))
    return ParseResult(chosen.papers, read_issues + chosen.issues, chosen.format)


def add_from_collections(
    app: Paperfeed,
    user: str,
    paths: Sequence[Path],
    *,
    include: Sequence[str] = (),
    ignore: Sequence[str] = (),
    fmt: str | None = None,
) -> ImportSummary:
    """Add to ``user``'s profile the papers of Zotero exports, from the chosen collections
    only. Every file is read and checked before anything is stored."""
    results = [(p, read_export(Path(p), include, ignore, fmt=fmt)) for p in paths]
    if not any(r.papers for _, r in results):
        raise UserError(f"{', '.join(map(str, paths))}: no papers in the chosen collections")
    summary = ImportSummary(source=", ".join(map(str, paths)), source_name=ZOTERO)
    app.store.ensure_user(user)
    for path, result in results:
        app.store_result(str(path), result, profile=user, summary=summary, embed=True)
    return summary
