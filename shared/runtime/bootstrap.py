"""Wiring: build the real adapters once per process, on first use.

Clients are created lazily and reused across invocations (the Cloud Functions pattern),
so a cold start pays only for the clients the function actually touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from shared.adapters.firestore_repo import FirestoreRepository
from shared.adapters.pubsub_publisher import PubSubPublisher
from shared.adapters.sendgrid_sender import SendGridSender
from shared.runtime.config import Settings, get_settings


@dataclass
class Adapters:
    """Everything a service needs to do I/O."""

    settings: Settings
    repo: FirestoreRepository
    publisher: PubSubPublisher
    sender: SendGridSender

    @staticmethod
    def now() -> datetime:
        """The current time, timezone-aware (UTC)."""
        return datetime.now(UTC)


@cache
def adapters() -> Adapters:
    """The process-wide adapters."""
    from google.cloud import firestore

    settings = get_settings()
    return Adapters(
        settings=settings,
        repo=FirestoreRepository(firestore.Client(project=settings.google_cloud_project)),
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
