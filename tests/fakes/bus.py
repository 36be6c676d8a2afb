"""Fakes of the clock, the event bus, email and the dead-letter inbox.

Each records what it was given, so a test asserts on what went out, and fails on demand,
so a test can show what happens when Pub/Sub or SendGrid does not answer.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from itertools import count
from typing import TYPE_CHECKING

from shared.adapters.ports import Parked, PublishFailed, SendReceipt
from shared.domain.events import DEAD_LETTER_TOPIC, Envelope, EventName

if TYPE_CHECKING:
    from shared.email.rendering import Email


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        """Jump to `now`."""
        self._now = now

    def advance(self, **delta: float) -> datetime:
        """Move on by a timedelta's keyword arguments (`advance(days=7)`); the new now."""
        self._now += timedelta(**delta)
        return self._now


class FakePublisher:
    """Publisher that keeps every confirmed event; `down()` makes every publish fail."""

    def __init__(self) -> None:
        self.published: list[Envelope] = []
        self.raw: list[tuple[str, bytes, dict[str, str]]] = []
        self.failing = False
        self._ids = count(1)
        self._taken = 0

    def down(self) -> None:
        """Pub/Sub stops confirming anything."""
        self.failing = True

    def up(self) -> None:
        """Pub/Sub is back."""
        self.failing = False

    def events(self, name: EventName | None = None) -> list[Envelope]:
        """The envelopes published so far (of one event name), oldest first."""
        return [e for e in self.published if name is None or e.name is name]

    def take_new(self) -> list[Envelope]:
        """What was published since the last call: a pull subscription on every topic."""
        new, self._taken = self.published[self._taken :], len(self.published)
        return new

    def publish(self, envelope: Envelope) -> str:
        return self.publish_many([envelope])[0]

    def publish_many(self, envelopes: list[Envelope]) -> list[str]:
        self._check()
        self.published.extend(envelopes)
        return [str(next(self._ids)) for _ in envelopes]

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        self._check()
        self.raw.append((topic, data, dict(attributes)))
        return str(next(self._ids))

    def dead_letter(
        self, data: bytes, attributes: dict[str, str], reason: str, consumer: str
    ) -> str:
        extra = {"dead_letter_reason": reason[:1000], "dead_letter_consumer": consumer}
        return self.publish_raw(DEAD_LETTER_TOPIC, data, {**attributes, **extra})

    def dead_letters(self) -> list[tuple[bytes, dict[str, str]]]:
        """What was parked on the dead-letter topic."""
        return [(data, attrs) for topic, data, attrs in self.raw if topic == DEAD_LETTER_TOPIC]

    def _check(self) -> None:
        if self.failing:
            raise PublishFailed("FakePublisher is down")


class FakeSender:
    """EmailSender that keeps every accepted email; `fail_next` queues failures."""

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self._failures: deque[Exception] = deque()
        self._ids = count(1)

    def fail_next(self, *errors: Exception) -> None:
        """The next sends raise these (TransientSendError, PermanentSendError), in order."""
        self._failures.extend(errors)

    def send(self, email: Email) -> SendReceipt:
        if self._failures:
            raise self._failures.popleft()
        self.sent.append(email)
        return SendReceipt(202, f"fake-message-{next(self._ids)}")


class FakeDeadLetterInbox:
    """DeadLetterInbox in memory: `park` puts a message in, as Pub/Sub would."""

    def __init__(self) -> None:
        self._waiting: dict[str, Parked] = {}
        self._leased: dict[str, Parked] = {}
        self._ids = count(1)

    def park(self, data: bytes, attributes: dict[str, str], published_at: datetime) -> Parked:
        """A message arrives in the inbox."""
        n = next(self._ids)
        parked = Parked(f"ack-{n}", f"dl-{n}", data, dict(attributes), published_at)
        self._waiting[parked.ack_id] = parked
        return parked

    def pull_all(self, limit: int) -> list[Parked]:
        pulled = list(self._waiting.values())[:limit]
        for parked in pulled:
            self._leased[parked.ack_id] = self._waiting.pop(parked.ack_id)
        return pulled

    def acknowledge(self, parked: list[Parked]) -> None:
        for p in parked:
            self._leased.pop(p.ack_id, None)

    def release(self, parked: list[Parked]) -> None:
        for p in parked:
            if p.ack_id in self._leased:
                self._waiting[p.ack_id] = self._leased.pop(p.ack_id)
