"""The small pure helpers of the web app: log redaction and the feed path."""

from __future__ import annotations

from paperfeed.web.links import FEED_PATH, TOKEN, redact


def test_tokens_never_reach_the_log() -> None:
    line = '"GET /rate/WzEsImxpbmRhIl0.SIGNATURE_abc HTTP/1.1" 200 -'
    assert redact(line) == '"GET /rate/WzEsIm… HTTP/1.1" 200 -'
    assert "SIGNATURE" not in redact("GET /feed/abcdefghij.SIGNATURE/2.xml")
    assert redact("GET /healthz") == "GET /healthz"


def test_routes() -> None:
    import re

    assert re.fullmatch(TOKEN, "abc.def")
    assert not re.fullmatch(TOKEN, "abc.def/../x")
    m = FEED_PATH.fullmatch("abc.def/3.rss")
    assert m and m.groups() == ("abc.def", "3", "rss")
    m = FEED_PATH.fullmatch("abc.def.xml")
    assert m and m.groups() == ("abc.def", None, "xml")


def test_a_token_that_starts_with_its_signature_is_still_cut() -> None:
    assert redact("GET /rate/.SIGNATUREabcdef HTTP/1.1") == "GET /rate/… HTTP/1.1"
    assert "SIGNATURE" not in redact("GET /unsubscribe/ab.SIGNATURE")
