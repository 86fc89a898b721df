"""ntfy (ntfy.sh or a server of your own): the digest published as JSON to the server's root
URL (``https://ntfy.sh/TOPIC`` → POST ``https://ntfy.sh/`` with ``"topic": "TOPIC"``), which
keeps non-ASCII titles intact; an access token, when set, goes as a Bearer token."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from paperfeed.delivery.channels.base import Outgoing, WebhookChannel
from paperfeed.digest.content import Digest
from paperfeed.digest.ntfy import ntfy_message


def split_topic(url: str) -> tuple[str, str]:
    """(server root URL, topic) of a topic URL such as ``https://ntfy.sh/my-papers``."""
    parts = urlsplit(url)
    root, _, topic = parts.path.rstrip("/").rpartition("/")
    return urlunsplit((parts.scheme, parts.netloc, root + "/", "", "")), topic


class NtfyChannel(WebhookChannel):
    what = "ntfy server"

    def requests(self, digest: Digest) -> list[Outgoing]:
        root, topic = split_topic(self.settings.url)
        payload = ntfy_message(digest, topic, ratings=self.settings.ratings)
        return [Outgoing("POST", root, payload, self.headers())]
