"""The small pure helpers of `paperfeed serve`: pages and log redaction."""

from __future__ import annotations

from paperfeed.web.serve import _FEED, _RATE, page, redact


def test_page_escapes_its_text() -> None:
    html = page("<b>Hi</b>", "a & b", link=("https://x/?a=1&b=2", "go"))
    assert "&lt;b&gt;Hi&lt;/b&gt;" in html and "a &amp; b" in html
    assert 'href="https://x/?a=1&amp;b=2"' in html


def test_tokens_never_reach_the_log() -> None:
    line = '"GET /rate/WzEsImxpbmRhIl0.SIGNATURE_abc HTTP/1.1" 200 -'
    assert redact(line) == '"GET /rate/WzEsIm… HTTP/1.1" 200 -'
    assert "SIGNATURE" not in redact("GET /feed/abcdefghij.SIGNATURE/2.xml")
    assert redact("GET /healthz") == "GET /healthz"


def test_routes() -> None:
    assert _RATE.fullmatch("/rate/abc.def")
    assert not _RATE.fullmatch("/rate/abc.def/../x")
    m = _FEED.fullmatch("/feed/abc.def/3.rss")
    assert m and m.groups() == ("abc.def", "3", "rss")
    m = _FEED.fullmatch("/feed/abc.def.xml")
    assert m and m.groups() == ("abc.def", None, "xml")


def test_a_token_that_starts_with_its_signature_is_still_cut() -> None:
    assert redact("GET /rate/.SIGNATUREabcdef HTTP/1.1") == "GET /rate/… HTTP/1.1"
    assert "SIGNATURE" not in redact("GET /unsubscribe/ab.SIGNATURE")
