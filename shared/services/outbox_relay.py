"""The relay: publish what the request path could not, and revive stalled notifications.

Runs every few seconds in the local stack and every minute from Cloud Scheduler in
production. Re-publishing is safe: every consumer is idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.adapters.pubsub_publisher import PublishFailed
from shared.bootstrap import Adapters
from shared.events import MatchFound, new_event
from shared.taxonomy import TargetKind

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


def relay_once(ad: Adapters, now: datetime) -> RelayReport:
    """Publish pending outbox events, then re-announce notifications whose sender died."""
    published = failed = 0
    for event in ad.repo.pending_events(now - GRACE, BATCH):
        try:
            ad.publisher.publish(event)
        except PublishFailed as exc:
            failed += 1
            log.warning("relay publish failed", extra={"event_id": event.id, "error": str(exc)})
            break  # Pub/Sub is down: the next pass retries the rest in order.
        ad.repo.event_published(event.id)
        published += 1
    revived = 0 if failed else _revive_stale_notifications(ad, now)
    if published or failed or revived:
        log.info(
            "relay pass",
            extra={"published": published, "failed": failed, "revived": revived},
        )
    return RelayReport(published, failed, revived)


def _revive_stale_notifications(ad: Adapters, now: datetime) -> int:
    """A notify call that crashed mid-send leaves its claim behind; re-announce the match
    so a later delivery takes over once the lease has expired."""
    revived = 0
    for record in ad.repo.stale_notifications(now, BATCH):
        event = new_event(
            MatchFound(
                match_id=record["match_id"],
                grant_id=record["grant_id"],
                target_kind=TargetKind(record["target_kind"]),
                target_id=record["target_id"],
            ),
            correlation_id=record.get("correlation_id") or record["match_id"],
            now=now,
        )
        ad.publisher.publish(event)
        revived += 1
    return revived
