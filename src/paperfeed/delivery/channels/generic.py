"""The generic JSON webhook: the whole digest POSTed as one JSON document
(:func:`~paperfeed.digest.json_items.digest_json`: the items in the shape of ``paperfeed
recommend --format json``, with their links), for a script, an archive or an automation
service; a token, when set, goes as a Bearer token."""

from __future__ import annotations

from paperfeed.delivery.channels.base import Outgoing, WebhookChannel
from paperfeed.digest.content import Digest
from paperfeed.digest.json_items import digest_json


class JsonChannel(WebhookChannel):
    what = "JSON webhook"

    def requests(self, digest: Digest) -> list[Outgoing]:
        payload = digest_json(digest, ratings=self.settings.ratings)
        return [Outgoing("POST", self.settings.url, payload, self.headers())]
