"""Slack (and Slack-compatible: Mattermost, Rocket.Chat) incoming webhooks: each message of
:func:`~paperfeed.digest.slack.slack_messages` POSTed to the webhook URL, which is the
secret (keep it in ``url_env``)."""

from __future__ import annotations

from paperfeed.delivery.channels.base import Outgoing, WebhookChannel
from paperfeed.digest.content import Digest
from paperfeed.digest.slack import slack_messages


class SlackChannel(WebhookChannel):
    what = "Slack webhook"

    def requests(self, digest: Digest) -> list[Outgoing]:
        return [
            Outgoing("POST", self.settings.url, payload, self.headers())
            for payload in slack_messages(digest, ratings=self.settings.ratings)
        ]
