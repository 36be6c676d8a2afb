"""The ledgers: the outbox and its hand-offs, the processed-event ledger and the
rate-limit counters.

A store that writes a document whose event must follow adds the event to the outbox in
the same batch (`add_outbox`), so "stored but never announced" cannot happen: the relay
publishes whatever the request path could not. A published event moves to `handoffs`,
where it stays until every consumer has recorded it (shared/domain/handoffs.py), so a
push that Pub/Sub gave up on is published again instead of lost.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import BATCH_LIMIT, FirestoreStore
from shared.adapters.ports import Handoff, WindowCount
from shared.domain.events import Envelope
from shared.domain.handoffs import subjects_of

OUTBOX = "outbox"
HANDOFFS = "handoffs"  # published events awaited from their consumers
PROCESSED = "processed_events"
RATE_LIMITS = "rate_limits"  # one counter per bucket, subject and window (TTL)


def add_outbox(db: firestore.Client, batch: Any, event: Envelope) -> None:
    """Add an event's outbox entry to a batch (created: an event id is written once)."""
    batch.create(
        db.collection(OUTBOX).document(event.id),
        {
            "envelope": event.model_dump_json(),
            "topic": event.topic,
            "created_at": event.occurred_at,
        },
    )


def handoff_refs_naming(db: firestore.Client, ids: list[str]) -> list[Any]:
    """References to the hand-offs that name any of `ids` (30 ids a query, Firestore's
    limit for array-contains-any)."""
    refs: list[Any] = []
    for start in range(0, len(ids), 30):
        refs += _handoff_refs_naming_chunk(db, ids[start : start + 30])
    return refs


def _handoff_refs_naming_chunk(db: firestore.Client, chunk: list[str]) -> list[Any]:
    query = db.collection(HANDOFFS).where(
        filter=FieldFilter("subjects", "array_contains_any", chunk)
    )
    return [snap.reference for snap in query.select([]).stream()]


class FirestoreOutbox(FirestoreStore):
    """Events waiting for Pub/Sub to confirm them."""

    def pending(self, older_than: datetime, limit: int) -> list[Envelope]:
        """Outbox events written before `older_than` and not yet confirmed published."""
        query = (
            self._db.collection(OUTBOX)
            .where(filter=FieldFilter("created_at", "<", older_than))
            .order_by("created_at")
            .limit(limit)
        )
        return [Envelope.model_validate(json.loads(s.get("envelope"))) for s in query.stream()]

    def published(self, event: Envelope, now: datetime, check_at: datetime) -> None:
        """Move an event Pub/Sub accepted from the outbox to the hand-offs."""
        self.published_many([event], now, check_at)

    def published_many(self, events: list[Envelope], now: datetime, check_at: datetime) -> None:
        """Move events Pub/Sub accepted from the outbox to the hand-offs, two writes each,
        in batches of at most 500 writes (a missing outbox entry deletes as nothing)."""
        per_batch = BATCH_LIMIT // 2
        for start in range(0, len(events), per_batch):
            batch = self._db.batch()
            for event in events[start : start + per_batch]:
                batch.delete(self._db.collection(OUTBOX).document(event.id))
                batch.set(
                    self._db.collection(HANDOFFS).document(event.id),
                    {
                        "envelope": event.model_dump_json(),
                        "name": event.name.value,
                        "published_at": now,
                        "check_at": check_at,
                        "announcements": 0,
                        "subjects": subjects_of(event),
                    },
                )
            batch.commit()

    def awaiting(self, now: datetime, limit: int) -> list[Handoff]:
        """Hand-offs whose check is due, earliest first."""
        query = (
            self._db.collection(HANDOFFS)
            .where(filter=FieldFilter("check_at", "<=", now))
            .order_by("check_at")
            .limit(limit)
        )
        return [
            Handoff(
                Envelope.model_validate(json.loads(s.get("envelope"))),
                s.get("published_at"),
                int(s.get("announcements")),
            )
            for s in query.stream()
        ]

    def announced_again(self, event_id: str, announcements: int, check_at: datetime) -> None:
        """Record a re-announcement and when to look next."""
        self._db.collection(HANDOFFS).document(event_id).update(
            {"announcements": announcements, "check_at": check_at}
        )

    def retire(self, event_ids: list[str]) -> None:
        """Delete hand-offs every consumer recorded, in batches of at most 500."""
        for start in range(0, len(event_ids), BATCH_LIMIT):
            batch = self._db.batch()
            for event_id in event_ids[start : start + BATCH_LIMIT]:
                batch.delete(self._db.collection(HANDOFFS).document(event_id))
            batch.commit()

    def owed_since(self, published_before: datetime) -> int:
        """Hand-offs published before then and not retired (one aggregation read)."""
        query = self._db.collection(HANDOFFS).where(
            filter=FieldFilter("published_at", "<", published_before)
        )
        aggregation: Any = query.count(alias="owed")  # the library's types get this wrong
        [[result]] = aggregation.get()
        return int(result.value)


class FirestoreProcessedEvents(FirestoreStore):
    """Which consumer finished which event; Firestore's TTL forgets them."""

    def was_processed(self, consumer: str, event_id: str) -> bool:
        """True if `consumer` already finished handling `event_id`."""
        return self._db.collection(PROCESSED).document(f"{consumer}:{event_id}").get().exists

    def mark_processed(self, consumer: str, event_id: str, now: datetime, ttl: timedelta) -> None:
        """Remember that `consumer` handled `event_id` (expires via Firestore TTL)."""
        self._db.collection(PROCESSED).document(f"{consumer}:{event_id}").set(
            {"processed_at": now, "expire_at": now + ttl}
        )

    def who_processed(self, event_ids: list[str], consumers: set[str]) -> dict[str, set[str]]:
        """For each event, which of `consumers` finished it, in one read."""
        refs = [
            self._db.collection(PROCESSED).document(f"{c}:{e}")
            for e in event_ids
            for c in sorted(consumers)
        ]
        found: dict[str, set[str]] = {e: set() for e in event_ids}
        for snap in self._db.get_all(refs):
            if snap.exists:
                consumer, _, event_id = snap.id.partition(":")
                found.setdefault(event_id, set()).add(consumer)
        return found


class FirestoreRateCounters(FirestoreStore):
    """Request counters per fixed window (TTL): admitted requests per tick and the latest
    one's time, read two windows at a time for a sliding window."""

    def rate_windows(self, counter_ids: list[str]) -> list[WindowCount]:
        """The windows' admitted requests per tick, in the order asked (empty for a
        window never counted), in one read."""
        refs = [self._db.collection(RATE_LIMITS).document(i) for i in counter_ids]
        found = {snap.id: snap.to_dict() or {} for snap in self._db.get_all(refs) if snap.exists}
        windows = []
        for counter_id in counter_ids:
            doc = found.get(counter_id, {})
            ticks = {int(name[1:]): int(n) for name, n in (doc.get("ticks") or {}).items()}
            windows.append(WindowCount(ticks, float(doc.get("last_seen", 0))))
        return windows

    def count_admitted(self, counter_id: str, expire_at: datetime, tick: int, at: float) -> int:
        """Count a request as admitted in its window and tick, keep the latest request
        time, and return the window's admitted total, in one atomic write (Firestore
        returns the results of the increments with the write)."""
        ref = self._db.collection(RATE_LIMITS).document(counter_id)
        result = ref.set(
            {
                "count": firestore.Increment(1),
                "admitted": firestore.Increment(1),
                "ticks": {f"t{tick}": firestore.Increment(1)},
                "last_seen": firestore.Maximum(at),
                "expire_at": expire_at,
            },
            merge=True,
        )
        # The client sends, and Firestore answers, the transforms sorted by field path.
        paths = sorted(["count", "admitted", f"ticks.t{tick}", "last_seen"])
        return int(result.transform_results[paths.index("admitted")].integer_value)

    def count_refused(self, counter_id: str, expire_at: datetime) -> None:
        """Count a request refused in its window (it takes no room in the window)."""
        ref = self._db.collection(RATE_LIMITS).document(counter_id)
        ref.set({"count": firestore.Increment(1), "expire_at": expire_at}, merge=True)
