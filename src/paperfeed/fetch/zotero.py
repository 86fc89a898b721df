"""The Zotero web API (``api.zotero.org``): the items of a user or group library, paged with
``start``/``limit`` (following ``Link: rel="next"``; ``Total-Results`` says how many)."""

from __future__ import annotations

import re

from paperfeed.fetch.common import combine, complete_json
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.sources import ParseResult, parse_text

ZOTERO_URL = "https://api.zotero.org"
FORMAT = "zotero-json"
MAX_LIMIT = 100  # the API's page size limit
_KEY = re.compile(r"^[A-Z0-9]{8}$")


def items_url(
    *,
    user: str | None = None,
    group: str | None = None,
    collection: str | None = None,
    top: bool = True,
    base_url: str = ZOTERO_URL,
) -> str:
    """``…/users/123/items/top`` (or ``groups/…``, ``collections/KEY/…``)."""
    if bool(user) == bool(group):
        raise FetchError("Zotero: give exactly one of a user id or a group id")
    lib_id = str(user or group).strip()
    if not lib_id.isdigit():
        raise FetchError(
            f"Zotero: a library id is a number (see zotero.org/settings/keys), not {lib_id!r}"
        )
    path = f"{'users' if user else 'groups'}/{lib_id}"
    if collection:
        if not _KEY.match(collection):
            raise FetchError(f"Zotero: not a collection key: {collection!r} (8 letters/digits)")
        path += f"/collections/{collection}"
    path += "/items/top" if top else "/items"
    return f"{base_url.rstrip('/')}/{path}"


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
    url: str | None = items_url(
        user=user, group=group, collection=collection, top=top, base_url=base_url
    )
    headers = {"Zotero-API-Version": "3"}
    if api_key:
        headers["Zotero-API-Key"] = api_key
    limit = max(1, min(page_size, MAX_LIMIT))
    params: dict[str, str | int] | None = {"format": "json", "start": 0, "limit": limit}
    pages: list[ParseResult] = []
    seen = 0
    total: int | None = None
    while url is not None:
        try:
            resp = client.get(
                url, params=params, headers=headers, what="Zotero API", validate=complete_json
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
        start = seen
        result = parse_text(resp.text, FORMAT, filename=f"Zotero items {start}–")
        pages.append(result)
        try:
            count = len(resp.json())
        except ValueError:
            count = 0
        seen += count
        if total is None and resp.headers.get("Total-Results", "").isdigit():
            total = int(resp.headers["Total-Results"])
        if count == 0 or (max_items is not None and seen >= max_items):
            break
        nxt = resp.links.get("next", {}).get("url")
        if nxt:
            url, params = nxt, None  # the next link carries start/limit itself
        elif total is not None and seen < total:
            params = {"format": "json", "start": seen, "limit": limit}
        else:
            url = None
    out = combine(pages, FORMAT)
    if max_items is not None:
        return ParseResult(out.papers[:max_items], out.issues, FORMAT)
    return out
