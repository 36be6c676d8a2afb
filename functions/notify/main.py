"""Notify function (Pub/Sub push → CloudEvent): everything that ends in an email.

New profiles and projects get their confirmation email; matches become alerts; a
confirmation releases held alerts; due notifications (instant batches, digests,
reminders) are sent; scheduler ticks fan out into due notifications. A funder's interest
is told to the CSO, and the CSO's address to the funder only once the CSO agreed. An
erasure request sends its address the link that deletes its data.
"""

from __future__ import annotations

from typing import Any

import functions_framework

from shared.domain.events import EventName
from shared.runtime.config import get_settings
from shared.runtime.consumer import consume
from shared.runtime.jsonlog import configure_logging
from shared.services.alerts import on_match_found
from shared.services.digests import on_schedule_tick
from shared.services.erasure import on_erasure_requested
from shared.services.interests import on_interest_accepted, on_interest_expressed
from shared.services.notifications import on_notification_due
from shared.services.subscriptions import on_subscriber_created, on_subscription_confirmed

settings = get_settings()
configure_logging("notify", settings.google_cloud_project, settings.log_level)

HANDLERS = {
    EventName.PROFILE_CREATED: on_subscriber_created,
    EventName.PROJECT_SUBMITTED: on_subscriber_created,
    EventName.SUBSCRIPTION_CONFIRMED: on_subscription_confirmed,
    EventName.MATCH_FOUND: on_match_found,
    EventName.NOTIFICATION_DUE: on_notification_due,
    EventName.SCHEDULE_TICK: on_schedule_tick,
    EventName.INTEREST_EXPRESSED: on_interest_expressed,
    EventName.INTEREST_ACCEPTED: on_interest_accepted,
    EventName.ERASURE_REQUESTED: on_erasure_requested,
}


@functions_framework.cloud_event
def notify(cloud_event: Any) -> None:
    """Cloud Functions entry point."""
    consume(cloud_event, consumer="notify", handlers=HANDLERS)
