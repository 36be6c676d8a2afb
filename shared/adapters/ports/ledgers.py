"""The ledgers services depend on: the outbox and its hand-offs, the processed-event
ledger, and the rate-limit counters."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from shared.adapters.ports.records import (
    Handoff,
    WindowCount,
)
from shared.domain.events import Envelope


class OutboxLedger(Protocol):
    """Events stored with their documents, waiting for Pub/Sub to confirm them; then, once
    published, waiting for every consumer to record them (shared/domain/handoffs.py)."""

    def pending(self, older_than: datetime, limit: int) -> list[Envelope]:
        """Unpublished events written before `older_than`, oldest first."""
        ...

    def published(self, event: Envelope, now: datetime, check_at: datetime) -> None:
        """An event Pub/Sub accepted: no longer pending, awaited from its consumers, to be
        checked at `check_at`."""
        ...

    def published_many(self, events: list[Envelope], now: datetime, check_at: datetime) -> None:
        """Many events Pub/Sub accepted (see `published`)."""
        ...

    def awaiting(self, now: datetime, limit: int) -> list[Handoff]:
        """Published events due for a check at `now`, earliest check first."""
        ...

    def announced_again(self, event_id: str, announcements: int, check_at: datetime) -> None:
        """An awaited event was published again; check it next at `check_at`."""
        ...

    def retire(self, event_ids: list[str]) -> None:
        """Forget events every consumer recorded."""
        ...

    def owed_since(self, published_before: datetime) -> int:
        """How many events published before then are still awaited from a consumer."""
        ...


class ProcessedEvents(Protocol):
    """Which consumer finished which event (kept for a TTL)."""

    def was_processed(self, consumer: str, event_id: str) -> bool:
        """True if `consumer` finished `event_id`."""
        ...

    def mark_processed(self, consumer: str, event_id: str, now: datetime, ttl: timedelta) -> None:
        """Remember that `consumer` finished `event_id`, until now + ttl."""
        ...

    def who_processed(self, event_ids: list[str], consumers: set[str]) -> dict[str, set[str]]:
        """For each event, which of `consumers` finished it, in one read."""
        ...


class RateCounters(Protocol):
    """Request counters per fixed window, read two at a time for a sliding window."""

    def rate_windows(self, counter_ids: list[str]) -> list[WindowCount]:
        """The windows' admitted requests per tick, in the order asked (empty for a
        window never counted), in one read."""
        ...

    def count_admitted(self, counter_id: str, expire_at: datetime, tick: int, at: float) -> int:
        """Count an admitted request in its window and tick atomically; the window's
        admitted total."""
        ...

    def count_refused(self, counter_id: str, expire_at: datetime) -> None:
        """Count a refused request in its window (it takes no room)."""
        ...
