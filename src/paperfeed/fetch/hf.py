"""The Hugging Face daily papers API (``huggingface.co/api/daily_papers``)."""

from __future__ import annotations

from datetime import date as Date

from paperfeed.fetch.common import complete_json
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.sources import ParseResult, parse_text

HF_URL = "https://huggingface.co"
FORMAT = "hf-daily-json"


def fetch_daily(
    client: HttpClient,
    day: str | None = None,
    *,
    limit: int | None = None,
    base_url: str = HF_URL,
) -> ParseResult:
    """The papers on Hugging Face's daily list of ``day`` (YYYY-MM-DD; the latest list when
    None), ``limit`` at most."""
    params: dict[str, str | int] = {}
    if day is not None:
        try:
            params["date"] = Date.fromisoformat(day).isoformat()
        except ValueError:
            raise FetchError(f"Hugging Face: the date must be YYYY-MM-DD, not {day!r}") from None
    if limit is not None:
        if limit < 1:
            raise FetchError("Hugging Face: limit must be at least 1")
        params["limit"] = limit
    url = f"{base_url.rstrip('/')}/api/daily_papers"
    resp = client.get(url, params=params, what="Hugging Face daily papers", validate=complete_json)
    label = f"{url}?date={params['date']}" if "date" in params else url
    return parse_text(resp.text, FORMAT, filename=label)
