"""The Zotero web API (``api.zotero.org``): the items of a user or group library, paged with
``start``/``limit`` (following ``Link: rel="next"``; ``Total-Results`` says how many), and its
collections, so that a library can be read from some collections only, or without some."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import httpx

from paperfeed.fetch.common import combine, complete_json
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.sources import ParseError, ParseResult, parse_text
from paperfeed.sources.zotero_collections import Collection, choose, parse_collections, select

ZOTERO_URL = "https://api.zotero.org"
FORMAT = "zotero-json"
MAX_LIMIT = 100  # the API's page size limit
_KEY = re.compile(r"^[A-Z0-9]{8}$")


def library_url(*, user: str | None = None, group: str | None = None, base_url: str) -> str:
    """``…/users/123`` or ``…/groups/45``."""
    if bool(user) == bool(group):
        raise FetchError("Zotero: give exactly one of a user id or a group id")
    lib_id = str(user or group).strip()
    if not lib_id.isdigit():
        raise FetchError(
            f"Zotero: a library id is a number (see zotero.org/settings/keys), not {lib_id!r}"
        )
    return f"{base_url.rstrip('/')}/{'users' if user else 'groups'}/{lib_id}"


def items_url(
    *,
    user: str | None = None,
    group: str | None = None,
    collection: str | None = None,
    top: bool = True,
    base_url: str = ZOTERO_URL,
) -> str:
    """``…/users/123/items/top`` (or ``groups/…``, ``collections/KEY/…``)."""
    url = library_url(user=user, group=group, base_url=base_url)
    if collection:
        if not _KEY.match(collection):
            raise FetchError(f"Zotero: not a collection key: {collection!r} (8 letters/digits)")
        url += f"/collections/{collection}"
    return url + ("/items/top" if top else "/items")


def _headers(api_key: str | None) -> dict[str, str]:
    headers = {"Zotero-API-Version": "3"}
    if api_key:
        headers["Zotero-API-Key"] = api_key
    return headers


def _pages(
    client: HttpClient,
    url: str,
    headers: dict[str, str],
    *,
    page_size: int = MAX_LIMIT,
    max_items: int | None = None,
) -> Iterator[tuple[int, httpx.Response]]:
    """``(start, response)`` for each page of a Zotero list, until its end or ``max_items``."""
    limit = max(1, min(page_size, MAX_LIMIT))
    params: dict[str, str | int] | None = {"format": "json", "start": 0, "limit": limit}
    next_url: str | None = url
    seen = 0
    total: int | None = None
    while next_url is not None:
        try:
            resp = client.get(
                next_url, params=params, headers=headers, what="Zotero API", validate=complete_json
            )
        except FetchError as exc:
            if exc.status == 403:
                raise FetchError(
                    "Zotero API: access denied — a private library needs an API key "
                    "with read access (--api-key or $ZOTERO_API_KEY)",
                    status=403,
                ) from None
            if exc.status == 404:
                raise FetchError("Zotero API: no such library or collection", status=404) from None
            raise
        yield seen, resp
        try:
            body = resp.json()
            count = len(body) if isinstance(body, list) else 0
        except ValueError:
            count = 0
        seen += count
        if total is None and resp.headers.get("Total-Results", "").isdigit():
            total = int(resp.headers["Total-Results"])
        if count == 0 or (max_items is not None and seen >= max_items):
            break
        nxt = resp.links.get("next", {}).get("url")
        if nxt:
            next_url, params = nxt, None  # the next link carries start/limit itself
        elif total is not None and seen < total:
            params = {"format": "json", "start": seen, "limit": limit}
        else:
            next_url = None


def fetch_items(
    client: HttpClient,
    *,
    user: str | None = None,
    group: str | None = None,
    api_key: str | None = None,
    collection: str | None = None,
    top: bool = True,
    max_items: int | None = None,
    page_size: int = MAX_LIMIT,
    base_url: str = ZOTERO_URL,
) -> ParseResult:
    """Every item of a library (``top``: without child notes and attachments), papers only
    (notes/attachments are left out by the parser)."""
    url = items_url(user=user, group=group, collection=collection, top=top, base_url=base_url)
    pages = [
        parse_text(resp.text, FORMAT, filename=f"Zotero items {start}–")
        for start, resp in _pages(
            client, url, _headers(api_key), page_size=page_size, max_items=max_items
        )
    ]
    out = combine(pages, FORMAT)
    if max_items is not None:
        return ParseResult(out.papers[:max_items], out.issues, FORMAT)
    return out


def fetch_collections(
    client: HttpClient,
    *,
    user: str | None = None,
    group: str | None = None,
    api_key: str | None = None,
    base_url: str = ZOTERO_URL,
) -> list[Collection]:
    """Every collection of a library (``…/collections``: key, name, parent)."""
    url = library_url(user=user, group=group, base_url=base_url) + "/collections"
    out: list[Collection] = []
    for start, resp in _pages(client, url, _headers(api_key)):
        try:
            out += parse_collections(resp.text, f"Zotero collections {start}–")
        except ParseError as exc:
            raise FetchError(f"Zotero API: {exc}") from None
    return list({c.key: c for c in out}.values())


def fetch_library(
    client: HttpClient,
    *,
    user: str | None = None,
    group: str | None = None,
    api_key: str | None = None,
    include: Sequence[str] = (),
    ignore: Sequence[str] = (),
    max_items: int | None = None,
    page_size: int = MAX_LIMIT,
    base_url: str = ZOTERO_URL,
) -> ParseResult:
    """The papers of a library, from the collections ``include`` names only (each with its
    sub-collections; all when empty) and none from those ``ignore`` names (by key, name or
    ``Parent/Child`` path, ignoring case). An unknown name is a :class:`FetchError` listing
    the library's collections."""

    def items(collection: str | None = None) -> ParseResult:
        return fetch_items(
            client,
            user=user,
            group=group,
            api_key=api_key,
            collection=collection,
            max_items=max_items,
            page_size=page_size,
            base_url=base_url,
        )

    if not include and not ignore:
        return items()
    collections = fetch_collections(
        client, user=user, group=group, api_key=api_key, base_url=base_url
    )
    try:
        choice = choose(collections, include, ignore, where="Zotero")
    except ValueError as exc:
        raise FetchError(str(exc)) from None
    if choice.keep is None:
        result = items()
    else:
        order = sorted(choice.keep - choice.drop, key=lambda k: choice.names.get(k, k).casefold())
        pages: list[ParseResult] = []
        for key in order:
            pages.append(items(key))
            if max_items is not None and sum(len(p.papers) for p in pages) >= max_items:
                break
        result = combine(pages, FORMAT)
    kept = select(result, choice, "Zotero")
    if max_items is not None:
        return ParseResult(kept.papers[:max_items], kept.issues, FORMAT)
    return kept
