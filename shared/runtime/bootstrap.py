"""Wiring: build the real adapters once per process, on first use.

Clients are created lazily and reused across invocations (the Cloud Functions pattern),
so a cold start pays only for the clients the function actually touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from shared.adapters.clock import SystemClock
from shared.adapters.firestore.alerts import FirestoreAlerts
from shared.adapters.firestore.erasure import FirestoreErasure
from shared.adapters.firestore.funder_pages import FirestoreFunderPages
from shared.adapters.firestore.funders import FirestoreFunders
from shared.adapters.firestore.grants import FirestoreGrants
from shared.adapters.firestore.harvest import FirestoreHarvest
from shared.adapters.firestore.interests import FirestoreInterests
from shared.adapters.firestore.ledgers import (
    FirestoreOutbox,
    FirestoreProcessedEvents,
    FirestoreRateCounters,
)
from shared.adapters.firestore.matches import FirestoreMatches
from shared.adapters.firestore.my_page import FirestoreMyPage
from shared.adapters.firestore.notifications import FirestoreNotifications
from shared.adapters.firestore.plans import FirestorePlans
from shared.adapters.firestore.subscribers import FirestoreSubscribers
from shared.adapters.ports import (
    AlertStore,
    Clock,
    EmailSender,
    ErasureStore,
    FunderStore,
    GrantStore,
    HarvestStore,
    InterestStore,
    MatchStore,
    NotificationStore,
    OutboxLedger,
    ProcessedEvents,
    Publisher,
    RateCounters,
    SubscriberStore,
)
from shared.adapters.ports.funder_pages import FunderPagesStore
from shared.adapters.ports.my_page import MyPageStore
from shared.adapters.ports.plans import PlanStore
from shared.adapters.pubsub_publisher import PubSubPublisher
from shared.adapters.sendgrid_sender import SendGridSender
from shared.runtime.config import Settings, get_settings

if TYPE_CHECKING:
    from google.cloud import firestore


@dataclass
class Adapters:
    """Everything a service needs to do I/O, and the one clock it reads `now` from."""

    settings: Settings
    clock: Clock
    publisher: Publisher
    sender: EmailSender
    funders: FunderStore
    grants: GrantStore
    subscribers: SubscriberStore
    erasure: ErasureStore
    interests: InterestStore
    matches: MatchStore
    alerts: AlertStore
    notifications: NotificationStore
    outbox: OutboxLedger
    processed: ProcessedEvents
    rate_counters: RateCounters
    my_page: MyPageStore
    funder_pages: FunderPagesStore
    harvest: HarvestStore
    plans: PlanStore


def on_firestore(
    settings: Settings,
    client: firestore.Client,
    publisher: Publisher,
    sender: EmailSender,
    clock: Clock | None = None,
) -> Adapters:
    """Adapters whose stores all share one Firestore client."""
    return Adapters(
        settings=settings,
        clock=clock or SystemClock(),
        publisher=publisher,
        sender=sender,
        funders=FirestoreFunders(client),
        grants=FirestoreGrants(client),
        subscribers=FirestoreSubscribers(client),
        erasure=FirestoreErasure(client),
        interests=FirestoreInterests(client),
        matches=FirestoreMatches(client),
        alerts=FirestoreAlerts(client),
        notifications=FirestoreNotifications(client),
        outbox=FirestoreOutbox(client),
        processed=FirestoreProcessedEvents(client),
        rate_counters=FirestoreRateCounters(client),
        my_page=FirestoreMyPage(client),
        funder_pages=FirestoreFunderPages(client),
        harvest=FirestoreHarvest(client),
        plans=FirestorePlans(client),
    )


@cache
def adapters() -> Adapters:
    """The process-wide adapters."""
    from google.cloud import firestore

    settings = get_settings()
    return on_firestore(
        settings,
        firestore.Client(project=settings.google_cloud_project),
        publisher=PubSubPublisher(settings.google_cloud_project, settings.publish_timeout_seconds),
        sender=SendGridSender(
            api_key=settings.sendgrid_api_key,
            host=settings.sendgrid_api_host,
            timeout_seconds=settings.sendgrid_timeout_seconds,
            max_attempts=settings.sendgrid_max_attempts,
            mail_from=settings.mail_from,
            from_name=settings.mail_from_name,
        ),
    )
