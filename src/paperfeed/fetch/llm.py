"""A client for any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, OpenAI):
one TL;DR per request, through :class:`~paperfeed.fetch.http.HttpClient` (time-outs, retries
with backoff, a size cap). A malformed answer is a :class:`FetchError` like any other."""

from __future__ import annotations

import json
from typing import Any

import httpx

from paperfeed.fetch.http import FetchError, HttpClient, RetryPolicy

MAX_TLDR_CHARS = 400
"""An answer longer than this is not a one-line TL;DR: refused as malformed."""

SYSTEM_PROMPT = (
    "You write one-sentence TL;DRs of research papers for researchers. Answer with the "
    "sentence only: no preamble, no quotes, no markdown, at most 40 words."
)


def tldr_prompt(title: str, abstract: str, language: str) -> list[dict[str, str]]:
    """The chat messages asking for a TL;DR of one paper in ``language``."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": f"Write the TL;DR in {language}.\n\nTitle: {title}\n\nAbstract: {abstract}",
        },
    ]


def parse_answer(data: Any) -> str:
    """The one sentence a chat completion carries; :class:`ValueError` naming what is wrong
    when the answer is not a completion or not one short line."""
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ValueError("not a chat completion (no choices[0].message.content)") from None
    if not isinstance(content, str):
        raise ValueError("the message content is not text")
    text = " ".join(content.split()).strip("\"'` ")
    if text.lower().startswith("tl;dr:"):
        text = text[6:].strip()
    if not text:
        raise ValueError("an empty answer")
    if len(text) > MAX_TLDR_CHARS:
        raise ValueError(f"an answer of {len(text)} characters, not one sentence")
    return text


class ChatClient:
    """TL;DRs from ``<base_url>/chat/completions`` with ``model``; ``timeout`` bounds each
    request as a whole (one retry after a time-out or a 5xx, then it is given up)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 30.0,
        retries: int = 1,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._http = HttpClient(
            timeout=timeout,
            deadline=timeout,
            max_bytes=1024 * 1024,
            intervals={"*": 0.0},
            retry=RetryPolicy(retries=retries, backoff=0.5, max_backoff=2.0, max_retry_after=5.0),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def tldr(self, title: str, abstract: str, language: str) -> str:
        """The model's TL;DR of one paper; :class:`FetchError` when the endpoint fails or the
        answer is malformed."""
        body = {
            "model": self.model,
            "messages": tldr_prompt(title, abstract, language),
            "temperature": 0,
            "max_tokens": 120,
            "stream": False,
        }
        resp = self._http.get(
            self.url,
            headers=self._headers,
            what="TL;DR endpoint",
            body=json.dumps(body).encode("utf-8"),
        )
        try:
            return parse_answer(resp.json())
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            raise FetchError(f"TL;DR endpoint: malformed answer: {exc}", url=self.url) from None
