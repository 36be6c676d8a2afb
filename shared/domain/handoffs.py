"""Hand-offs: an event is done only when every function that consumes it has recorded it.

Pub/Sub's push is not a promise we can lean on: the emulator drops a message whose push
endpoint stayed down long enough, and in the cloud such a message reaches the dead-letter
topic and waits for a person. So an event's outbox entry outlives its publish: the relay
looks again after a grace period, asks each consumer's processed-event ledger whether it
handled the event, retires the entry when all have, and announces it again (same event id,
so consumers that did handle it skip it) when one has not, with backoff. The same rule
covers every hand-off whose loss a user would see: a grant never matched, a match never
alerted, a confirmation, an interest notice or an erasure link never sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from shared.domain.events import Envelope, EventName

#: Who must record each event, by consumer name (the `consumer=` of each function's
#: consume call); `infra/topology.json`'s push subscriptions must say the same (a contract
#: test checks). Schedule ticks are not here: Cloud Scheduler publishes them, not an outbox.
CONSUMERS: Final[dict[EventName, frozenset[str]]] = {
    EventName.GRANT_PUBLISHED: frozenset({"match"}),
    EventName.PROJECT_SUBMITTED: frozenset({"match", "notify"}),
    EventName.PROFILE_CREATED: frozenset({"match", "notify"}),
    EventName.MATCH_FOUND: frozenset({"notify"}),
    EventName.SUBSCRIPTION_CONFIRMED: frozenset({"notify"}),
    EventName.NOTIFICATION_DUE: frozenset({"notify"}),
    EventName.INTEREST_EXPRESSED: frozenset({"notify"}),
    EventName.INTEREST_ACCEPTED: frozenset({"notify"}),
    EventName.ERASURE_REQUESTED: frozenset({"notify"}),
}
#: Re-announcements back off up to this, so an event no consumer can handle (a bug, a
#: version skew) costs one publish an hour, not one a minute, until someone looks.
MAX_BACKOFF: Final = timedelta(hours=1)


def next_check(now: datetime, grace: timedelta, announcements: int) -> datetime:
    """When to look again at an event announced `announcements` times: the grace period,
    doubled for each re-announcement, at most MAX_BACKOFF."""
    factor: int = 2 ** min(announcements, 20)  # typed: `int ** int` may be a float
    return now + min(grace * factor, MAX_BACKOFF)


def missing_consumers(name: EventName, recorded: set[str]) -> frozenset[str]:
    """The consumers of an event that have not recorded it yet."""
    return CONSUMERS.get(name, frozenset()) - recorded


def is_overdue(published_at: datetime, now: datetime, alert_after: timedelta) -> bool:
    """True when an event still owed to a consumer was published longer ago than an
    operator accepts (the `handoffs owed` log line counts these)."""
    return now - published_at > alert_after


def subjects_of(event: Envelope) -> list[str]:
    """The ids an event names (its payload's `*_id` fields), so erasing a recipient can
    find the hand-offs that still name it."""
    return sorted({str(v) for k, v in event.payload.items() if k.endswith("_id") and v})
