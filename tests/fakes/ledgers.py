"""The ledgers in memory: the outbox, the processed-event ledger and the rate counters."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from shared.adapters.ports import Handoff, WindowCount
from shared.domain.events import Envelope
from tests.fakes.memory import Memory


class FakeOutbox:
    """OutboxLedger in memory (the stores' writes put events in; this takes them out)."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def pending(self, older_than: datetime, limit: int) -> list[Envelope]:
        waiting = [e for e in self._m.outbox.values() if e.occurred_at < older_than]
        return sorted(waiting, key=lambda e: (e.occurred_at, e.id))[:limit]

    def published(self, event: Envelope, now: datetime, check_at: datetime) -> None:
        self._m.outbox.pop(event.id, None)
        self._m.handoffs[event.id] = (Handoff(event, now, 0), check_at)

    def published_many(self, events: list[Envelope], now: datetime, check_at: datetime) -> None:
        for event in events:
            self.published(event, now, check_at)

    def awaiting(self, now: datetime, limit: int) -> list[Handoff]:
        due = sorted((c, h.envelope.id, h) for h, c in self._m.handoffs.values() if c <= now)
        return [h for _, _, h in due[:limit]]

    def announced_again(self, event_id: str, announcements: int, check_at: datetime) -> None:
        handoff, _ = self._m.handoffs[event_id]
        self._m.handoffs[event_id] = (replace(handoff, announcements=announcements), check_at)

    def retire(self, event_ids: list[str]) -> None:
        for event_id in event_ids:
            self._m.handoffs.pop(event_id, None)

    def owed_since(self, published_before: datetime) -> int:
        return sum(1 for h, _ in self._m.handoffs.values() if h.published_at < published_before)


class FakeProcessedEvents:
    """ProcessedEvents in memory (nothing expires: the TTL is Firestore's, not ours)."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def was_processed(self, consumer: str, event_id: str) -> bool:
        return f"{consumer}:{event_id}" in self._m.processed

    def mark_processed(self, consumer: str, event_id: str, now: datetime, ttl: timedelta) -> None:
        self._m.processed[f"{consumer}:{event_id}"] = now + ttl

    def who_processed(self, event_ids: list[str], consumers: set[str]) -> dict[str, set[str]]:
        return {e: {c for c in consumers if f"{c}:{e}" in self._m.processed} for e in event_ids}

    def forget_all(self) -> None:
        """Lose every entry, as when a consumer crashed after its handler ran but before
        the ledger was written: the redelivery then runs the handler again."""
        self._m.processed.clear()


class FakeRateCounters:
    """RateCounters in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def rate_windows(self, counter_ids: list[str]) -> list[WindowCount]:
        return [self._m.rate_counters.get(i, WindowCount()) for i in counter_ids]

    def count_admitted(self, counter_id: str, expire_at: datetime, tick: int, at: float) -> int:
        stored = self._m.rate_counters.get(counter_id, WindowCount())
        ticks = {**stored.ticks, tick: stored.ticks.get(tick, 0) + 1}
        self._m.rate_counters[counter_id] = WindowCount(ticks, max(stored.last_seen, at))
        return sum(ticks.values())

    def count_refused(self, counter_id: str, expire_at: datetime) -> None:
        self._m.rate_counters.setdefault(counter_id, WindowCount())
