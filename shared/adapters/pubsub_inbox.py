"""The dead-letter inbox: a pull subscription where undeliverable and poison messages wait
for a person. Reading it never loses a message: what is not acknowledged goes back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.adapters.ports import Parked

DEAD_LETTER_INBOX = "dead-letter-inbox"


class PubSubDeadLetterInbox:
    """Pull, acknowledge and release the messages of the dead-letter inbox."""

    def __init__(self, project: str, subscription: str = DEAD_LETTER_INBOX) -> None:
        from google.cloud import pubsub_v1  # type: ignore[attr-defined]  # no py.typed

        self._client = pubsub_v1.SubscriberClient()
        self._path = self._client.subscription_path(project, subscription)

    def pull_all(self, limit: int) -> list[Parked]:
        """Up to `limit` waiting messages, each once; they stay leased until acknowledged
        or released. (The emulator and the cloud honour `return_immediately`; in the cloud
        a pass may come back short: run it again.)"""
        found: dict[str, Parked] = {}
        while len(found) < limit:
            response = self._client.pull(
                request={
                    "subscription": self._path,
                    "max_messages": min(100, limit - len(found)),
                    "return_immediately": True,
                },
                timeout=10,
            )
            fresh = [m for m in response.received_messages if m.message.message_id not in found]
            if not fresh:
                break
            for received in fresh:
                found[received.message.message_id] = _parked(received)
        return list(found.values())

    def acknowledge(self, parked: list[Parked]) -> None:
        """Remove these messages from the inbox for good."""
        if parked:
            self._client.acknowledge(subscription=self._path, ack_ids=[p.ack_id for p in parked])

    def release(self, parked: list[Parked]) -> None:
        """Put these messages back, at once visible to the next reader."""
        if parked:
            self._client.modify_ack_deadline(
                subscription=self._path, ack_ids=[p.ack_id for p in parked], ack_deadline_seconds=0
            )

    def close(self) -> None:
        """Close the client's channel."""
        self._client.close()


def _parked(received: Any) -> Parked:
    message = received.message
    published = message.publish_time
    return Parked(
        ack_id=received.ack_id,
        message_id=message.message_id,
        data=bytes(message.data),
        attributes=dict(message.attributes),
        published_at=published if isinstance(published, datetime) else None,
    )
