"""Dead letters: see why each message was parked, and replay what can be replayed.

A message reaches the dead-letter topic in two ways: a consumer refused it as poison
(`dead_letter_reason` and `dead_letter_consumer` attributes say why and who), or it
failed `max_delivery_attempts` times and Pub/Sub forwarded it (the cloud adds
`CloudPubSubDeadLetterSourceSubscription` and the delivery-attempt count).

Replay republishes an event to the topic its envelope names, with its original id: a
consumer that had already handled it skips it (processed-event ledger, 14 days, longer
than the inbox keeps messages), one that failed handles it now. Poison cannot be
replayed: it stays in the inbox until someone acknowledges it by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from shared.adapters.ports import DeadLetterInbox, Parked, Publisher
from shared.domain.errors import PoisonMessage
from shared.domain.events import decode
from shared.runtime.jsonlog import redact

log = logging.getLogger(__name__)
#: Attributes that describe the parking, not the event: dropped on replay.
PARKING_ATTRIBUTES = ("dead_letter_reason", "dead_letter_consumer", "replayed_from")
PARKING_PREFIXES = ("CloudPubSubDeadLetter", "googclient_")
PREVIEW_BYTES = 200


@dataclass(frozen=True)
class DeadLetter:
    """A parked message, understood: which event it is, why it is here, where it goes."""

    parked: Parked
    event_name: str | None
    event_id: str | None
    correlation_id: str | None
    topic: str | None  # None: poison, cannot be replayed
    reason: str

    def as_json(self) -> dict[str, Any]:
        """What `grantmatch dead-letters list` prints (events carry ids only; a poison
        preview is redacted like a log line)."""
        attributes = self.parked.attributes
        return {
            "message_id": self.parked.message_id,
            "published_at": self.parked.published_at.isoformat()
            if self.parked.published_at
            else None,
            "event": self.event_name,
            "event_id": self.event_id,
            "correlation_id": self.correlation_id,
            "replay_topic": self.topic,
            "reason": self.reason,
            "consumer": attributes.get("dead_letter_consumer"),
            "source_subscription": attributes.get("CloudPubSubDeadLetterSourceSubscription"),
            "delivery_attempts": attributes.get("CloudPubSubDeadLetterSourceDeliveryCount"),
            "data_preview": None
            if self.topic
            else redact(self.parked.data[:PREVIEW_BYTES].decode("utf-8", "replace")),
        }


def understand(parked: Parked) -> DeadLetter:
    """Decode a parked message: its event and replay topic, or why it cannot be replayed."""
    reason = parked.attributes.get("dead_letter_reason") or "failed its maximum delivery attempts"
    try:
        envelope = decode(parked.data, parked.attributes)
    except PoisonMessage as poison:
        return DeadLetter(parked, None, None, None, None, str(poison) or reason)
    return DeadLetter(
        parked, envelope.name.value, envelope.id, envelope.correlation_id, envelope.topic, reason
    )


def replay_attributes(attributes: dict[str, str], message_id: str) -> dict[str, str]:
    """The event's own attributes, without the parking ones, marked as a replay."""
    kept = {
        key: value
        for key, value in attributes.items()
        if key not in PARKING_ATTRIBUTES and not key.startswith(PARKING_PREFIXES)
    }
    return {**kept, "replayed_from": message_id}


def list_dead_letters(inbox: DeadLetterInbox, limit: int) -> list[DeadLetter]:
    """What waits in the inbox; every message is left there."""
    parked = inbox.pull_all(limit)
    inbox.release(parked)
    return [understand(p) for p in parked]


@dataclass(frozen=True)
class ReplayReport:
    """What a replay did, by message id."""

    replayed: list[str]
    not_replayable: list[str]
    failed: list[str]


def replay_dead_letters(
    inbox: DeadLetterInbox,
    publisher: Publisher,
    *,
    message_ids: set[str] | None,
    limit: int,
) -> ReplayReport:
    """Republish the chosen dead letters (all when `message_ids` is None) to their topics;
    acknowledge each once Pub/Sub has it. The rest go back to the inbox."""
    replayed, skipped, failed, done, back = [], [], [], [], []
    for letter in (understand(p) for p in inbox.pull_all(limit)):
        parked = letter.parked
        if message_ids is not None and parked.message_id not in message_ids:
            back.append(parked)
            continue
        if letter.topic is None:
            skipped.append(parked.message_id)
            back.append(parked)
            continue
        try:
            attributes = replay_attributes(parked.attributes, parked.message_id)
            publisher.publish_raw(letter.topic, parked.data, attributes)
        except Exception as exc:  # stays in the inbox; the report says which
            log.warning("replay failed", extra={"message_id": parked.message_id, "error": str(exc)})
            failed.append(parked.message_id)
            back.append(parked)
            continue
        replayed.append(parked.message_id)
        done.append(parked)
        log.info(
            "dead letter replayed",
            extra={
                "message_id": parked.message_id,
                "event_id": letter.event_id,
                "topic": letter.topic,
            },
        )
    inbox.acknowledge(done)
    inbox.release(back)
    return ReplayReport(replayed, skipped, failed)
