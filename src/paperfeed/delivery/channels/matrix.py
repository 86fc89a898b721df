"""Matrix: each event of :func:`~paperfeed.digest.matrix.matrix_messages` sent with the
client-server API, ``PUT {homeserver}/_matrix/client/v3/rooms/{room}/send/m.room.message/
{txnId}`` and the posting account's access token. The transaction id is derived from the
event's content, so a retried PUT (after a time-out) is not posted twice."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from paperfeed.delivery.channels.base import Outgoing, WebhookChannel
from paperfeed.digest.content import Digest
from paperfeed.digest.matrix import matrix_messages


def send_url(homeserver: str, room: str, txn: str) -> str:
    """Where one message event is PUT."""
    return (
        f"{homeserver.rstrip('/')}/_matrix/client/v3/rooms/{quote(room, safe='')}"
        f"/send/m.room.message/{quote(txn, safe='')}"
    )


class MatrixChannel(WebhookChannel):
    what = "Matrix homeserver"

    def requests(self, digest: Digest) -> list[Outgoing]:
        out = []
        for i, content in enumerate(matrix_messages(digest, ratings=self.settings.ratings)):
            fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
            txn = f"paperfeed.{digest.day}.{i}.{fingerprint[:16]}"
            url = send_url(self.settings.url, self.settings.room, txn)
            out.append(Outgoing("PUT", url, content, self.headers()))
        return out
