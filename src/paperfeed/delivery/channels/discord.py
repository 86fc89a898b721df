"""Discord webhooks: each message of :func:`~paperfeed.digest.discord.discord_messages` (at
most 2000 characters of content, mentions off) POSTed to the webhook URL, which is the secret
(keep it in ``url_env``). Discord answers 429 with ``Retry-After`` when posting too fast; the
client waits that long."""

from __future__ import annotations

from paperfeed.delivery.channels.base import Outgoing, WebhookChannel
from paperfeed.digest.content import Digest
from paperfeed.digest.discord import discord_messages


class DiscordChannel(WebhookChannel):
    what = "Discord webhook"

    def requests(self, digest: Digest) -> list[Outgoing]:
        return [
            Outgoing("POST", self.settings.url, payload, self.headers())
            for payload in discord_messages(digest, ratings=self.settings.ratings)
        ]
