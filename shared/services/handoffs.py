"""Hand-offs (shared/domain/handoffs.py): a published event is awaited from each of its
consumers, and the relay publishes it again while one has not recorded it, so no push that
Pub/Sub gave up on loses a match, an alert, a confirmation or a notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.adapters.ports import Handoff, PublishFailed
from shared.domain.events import Envelope
from shared.domain.handoffs import CONSUMERS, missing_consumers, next_check
from shared.runtime.bootstrap import Adapters

log = logging.getLogger(__name__)
BATCH = 200


@dataclass(frozen=True)
class HandoffReport:
    """What one check of the hand-offs did, and how many are overdue."""

    retired: int = 0
    announced_again: int = 0
    owed_overdue: int = 0
    failed: bool = False


def await_consumers(ad: Adapters, events: list[Envelope], now: datetime) -> None:
    """Record published events as awaited from their consumers, checked after the grace."""
    if events:
        grace = timedelta(seconds=ad.settings.handoff_grace_seconds)
        ad.outbox.published_many(events, now, next_check(now, grace, 0))


Owed = list[tuple[Handoff, frozenset[str]]]  # a hand-off and the consumers it waits for


def retire_recorded(ad: Adapters, due: list[Handoff]) -> tuple[int, Owed]:
    """Retire the hand-offs every consumer recorded; how many, and the others with the
    consumers they still wait for."""
    if not due:
        return 0, []
    consumers = set().union(*CONSUMERS.values())
    recorded = ad.processed.who_processed([h.envelope.id for h in due], consumers)
    owed: Owed = []
    done: list[str] = []
    for handoff in due:
        event = handoff.envelope
        missing = missing_consumers(event.name, recorded.get(event.id, set()))
        if missing:
            owed.append((handoff, missing))
        else:
            done.append(event.id)
    if done:
        ad.outbox.retire(done)
    return len(done), owed


def check_handoffs(ad: Adapters, now: datetime) -> HandoffReport:
    """Retire hand-offs every consumer recorded; publish the others again (same event id:
    consumers that did record it skip it), backing off; count the overdue ones."""
    retired, owed = retire_recorded(ad, ad.outbox.awaiting(now, BATCH))
    grace = timedelta(seconds=ad.settings.handoff_grace_seconds)
    again = 0
    failed = False
    for handoff, missing in owed:
        event = handoff.envelope
        try:
            ad.publisher.publish(event)
        except PublishFailed as exc:
            log.warning("hand-off publish failed", extra={"event_id": event.id, "error": str(exc)})
            failed = True
            break  # Pub/Sub is down: the next pass tries again.
        announcements = handoff.announcements + 1
        ad.outbox.announced_again(event.id, announcements, next_check(now, grace, announcements))
        again += 1
        log.warning(
            "hand-off announced again",
            extra={
                "event_id": event.id,
                "event_name": event.name.value,
                "missing_consumers": sorted(missing),
                "announcements": announcements,
            },
        )
    alert_after = timedelta(minutes=ad.settings.handoff_alert_minutes)
    overdue = ad.outbox.owed_since(now - alert_after)
    if overdue:
        # One line an operator alerts on (infra: a log-based metric on this message).
        log.error(
            "hand-offs owed",
            extra={"owed": overdue, "older_than_minutes": ad.settings.handoff_alert_minutes},
        )
    return HandoffReport(retired, again, overdue, failed)
