"""The relay: publish what the request path could not, revive stalled notifications, and
announce instant alerts whose batching window has passed.

Runs every few seconds in the local stack and every minute from Cloud Scheduler in
production. Re-publishing is safe: every consumer is idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.adapters.ports import PublishFailed
from shared.domain.events import PAYLOADS, EventName, new_event
from shared.runtime.bootstrap import Adapters
from shared.services.alerts import announce_due_alerts
from shared.services.handoffs import HandoffReport, await_consumers, check_handoffs

log = logging.getLogger(__name__)
# Leave fresh outbox entries to the request that wrote them: it is publishing them now.
GRACE = timedelta(seconds=10)
BATCH = 200


@dataclass(frozen=True)
class RelayReport:
    """What one relay pass did."""

    published: int
    failed: int
    revived_notifications: int
    recipients_with_due_alerts: int = 0


def relay_once(ad: Adapters) -> RelayReport:
    """Publish pending outbox events, then re-announce notifications whose sender died."""
    now = ad.clock.now()
    published = failed = 0
    for event in ad.outbox.pending(now - GRACE, BATCH):
        try:
            ad.publisher.publish(event)
        except PublishFailed as exc:
            failed += 1
            log.warning("relay publish failed", extra={"event_id": event.id, "error": str(exc)})
            break  # Pub/Sub is down: the next pass retries the rest in order.
        await_consumers(ad, [event], now)
        published += 1
    revived = announced = 0
    handoffs = HandoffReport()
    if not failed:
        revived = _revive_stale_notifications(ad, now)
        announced = announce_due_alerts(ad)
        handoffs = check_handoffs(ad, now)
    if published or failed or revived or announced or handoffs.announced_again:
        log.info(
            "relay pass",
            extra={
                "published": published,
                "failed": failed,
                "revived": revived,
                "alerts_announced": announced,
                "handoffs_retired": handoffs.retired,
                "handoffs_announced_again": handoffs.announced_again,
            },
        )
    return RelayReport(published, failed, revived, announced)


def _revive_stale_notifications(ad: Adapters, now: datetime) -> int:
    """A notify call that crashed mid-send leaves its claim behind; re-announce what caused
    it, so a later delivery takes over once the lease has expired."""
    revived = 0
    for record in ad.notifications.stale(now, BATCH):
        if record.cause_name is None:
            continue
        name = EventName(record.cause_name)
        payload = PAYLOADS[(name, 1)].model_validate(record.cause_payload)
        event = new_event(payload, correlation_id=record.correlation_id or record.id, now=now)
        ad.publisher.publish(event)
        revived += 1
    return revived
