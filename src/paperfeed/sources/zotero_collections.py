"""Zotero collections: read them (the web API's ``/collections`` answer, or the table a Better
BibTeX JSON export carries), pick the ones a user names to include or ignore, and keep the
papers of a library that belong where they asked. Pure.

A collection is named by its key (``ABCD2345``), its name or its path (``Thesis/Methods``),
case-insensitively; choosing a collection chooses its sub-collections too. A paper's
collections are the keys its parser put in ``extra["zotero_collections"]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from paperfeed.models import Paper
from paperfeed.sources.base import ParseError, ParseIssue, ParseResult, clean, one_line

EXTRA_KEY = "zotero_collections"
MAX_LISTED = 40  # collections named in an "unknown collection" message


@dataclass(frozen=True, slots=True)
class Collection:
    """One collection: its key, its name and its parent's key (None at the top)."""

    key: str
    name: str
    parent: str | None = None


def _collection(obj: Any, key_hint: str = "") -> Collection | None:
    """A :class:`Collection` from an API object (``{key, data: {name, parentCollection}}``)
    or a Better BibTeX entry (``{key, name, parent}``); None for anything else."""
    if not isinstance(obj, dict):
        return None
    data = obj.get("data") if isinstance(obj.get("data"), dict) else obj
    key = data.get("key") or obj.get("key") or key_hint
    name = data.get("name")
    if not isinstance(key, str) or not key.strip() or not isinstance(name, str):
        return None
    parent = data.get("parentCollection", data.get("parent"))
    return Collection(key.strip(), clean(name), parent if isinstance(parent, str) else None)


def collections_from(doc: Any) -> list[Collection]:
    """The collections of a parsed JSON document: an API ``/collections`` array, a Better
    BibTeX ``{"KEY": {...}}`` table, or an object holding either under ``collections``."""
    if isinstance(doc, dict) and "collections" in doc and "name" not in doc:
        doc = doc["collections"]
    out: list[Collection] = []
    if isinstance(doc, list):
        out = [c for c in (_collection(x) for x in doc) if c]
    elif isinstance(doc, dict):
        out = [c for c in (_collection(v, str(k)) for k, v in doc.items()) if c]
    return out


def parse_collections(text: str, filename: str = "<text>") -> list[Collection]:
    """The collections in ``text`` (see :func:`collections_from`); :class:`ParseError` (one
    line) when it is not JSON."""
    try:
        doc = json.loads(text.lstrip("\ufeff"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"{filename}: not JSON ({str(exc).split(':', 1)[0]})") from None
    return collections_from(doc)


def memberships(doc: Any) -> dict[str, list[str]]:
    """Better BibTeX JSON: item id → the keys of the collections that hold it (from each
    collection's ``items`` list); empty for any other document."""
    table = doc.get("collections") if isinstance(doc, dict) else None
    if not isinstance(table, dict):
        return {}
    out: dict[str, list[str]] = {}
    for key, entry in table.items():
        items = entry.get("items") if isinstance(entry, dict) else None
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, int | str) and not isinstance(item, bool):
                out.setdefault(str(item), []).append(str(entry.get("key") or key))
    return out


# ---------------------------------------------------------------- choosing


def paths(collections: Sequence[Collection]) -> dict[str, str]:
    """key → ``Parent/Child`` path (a cycle or a missing parent ends the path)."""
    by_key = {c.key: c for c in collections}
    out: dict[str, str] = {}
    for c in collections:
        parts, seen, cur = [c.name], {c.key}, c
        while cur.parent and cur.parent in by_key and cur.parent not in seen:
            cur = by_key[cur.parent]
            seen.add(cur.key)
            parts.append(cur.name)
        out[c.key] = "/".join(reversed(parts))
    return out


def with_descendants(collections: Sequence[Collection], keys: Iterable[str]) -> frozenset[str]:
    """``keys`` and the keys of every collection below them."""
    children: dict[str, list[str]] = {}
    for c in collections:
        if c.parent:
            children.setdefault(c.parent, []).append(c.key)
    out: set[str] = set()
    todo = list(keys)
    while todo:
        key = todo.pop()
        if key not in out:
            out.add(key)
            todo.extend(children.get(key, ()))
    return frozenset(out)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def matching(collections: Sequence[Collection], wanted: str) -> set[str]:
    """Keys of the collections ``wanted`` names: by key, by name or by path, ignoring case
    (a name shared by several collections names them all)."""
    w = _fold(wanted).strip("/")
    full = paths(collections)
    return {
        c.key for c in collections if w in (c.key.casefold(), _fold(c.name), _fold(full[c.key]))
    }


@dataclass(frozen=True, slots=True)
class CollectionChoice:
    """Which collections a library is read from: ``keep`` (None: all of them, and items in
    no collection) minus ``drop``; ``names`` maps a key to its path, for messages."""

    keep: frozenset[str] | None
    drop: frozenset[str]
    names: dict[str, str]

    def admits(self, keys: Iterable[str]) -> bool:
        """Whether an item in the collections ``keys`` is kept."""
        have = set(keys)
        if have & self.drop:
            return False
        return self.keep is None or bool(have & self.keep)


def _available(collections: Sequence[Collection]) -> str:
    if not collections:
        return "the library has no collections"
    shown = sorted(paths(collections).values(), key=str.casefold)
    more = len(shown) - MAX_LISTED
    listed = ", ".join(shown[:MAX_LISTED]) + (f" … and {more} more" if more > 0 else "")
    return f"available: {listed}"


def choose(
    collections: Sequence[Collection],
    include: Sequence[str] = (),
    ignore: Sequence[str] = (),
    *,
    where: str = "Zotero",
) -> CollectionChoice:
    """The collections to read: those ``include`` names (all when empty) with their
    sub-collections, minus those ``ignore`` names with theirs. A name that matches no
    collection raises ``ValueError`` naming the available ones (one line)."""
    found: dict[str, set[str]] = {}
    for wanted in [*include, *ignore]:
        keys = matching(collections, wanted)
        if not keys:
            raise ValueError(
                one_line(f"{where}: no collection {wanted!r}; {_available(collections)}", 2000)
            )
        found[wanted] = keys

    def under(names: Sequence[str]) -> frozenset[str]:
        return with_descendants(collections, {key for w in names for key in found[w]})

    keep = under(include) if include else None
    return CollectionChoice(keep, under(ignore), paths(collections))


def collections_of(paper: Paper) -> list[str]:
    """The collection keys a Zotero parser recorded for ``paper``."""
    keys = paper.extra.get(EXTRA_KEY)
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list | tuple) else []


def select(result: ParseResult, choice: CollectionChoice, label: str = "Zotero") -> ParseResult:
    """``result`` with only the papers ``choice`` admits, and a note saying how many were
    left out."""
    kept = [p for p in result.papers if choice.admits(collections_of(p))]
    left = len(result.papers) - len(kept)
    issues = list(result.issues)
    if left:
        named = [choice.names.get(k, k) for k in sorted(choice.drop)]
        why = "outside the chosen collections" if choice.keep is not None else "in ignored ones"
        if choice.drop and choice.keep is not None:
            why = "outside the chosen collections or in ignored ones"
        detail = f" (ignored: {', '.join(named[:10])})" if named else ""
        issues.append(ParseIssue(label, f"{left} item(s) left out: {why}{detail}", skipped=False))
    return ParseResult(kept, issues, result.format)
