"""Notify function (Pub/Sub push → CloudEvent): `match.found` in, one email out."""

from __future__ import annotations

from typing import Any

import functions_framework

from shared.config import get_settings
from shared.consumer import consume
from shared.events import EventName
from shared.jsonlog import configure_logging
from shared.services.notifications import on_match_found

settings = get_settings()
configure_logging("notify", settings.google_cloud_project, settings.log_level)

HANDLERS = {EventName.MATCH_FOUND: on_match_found}


@functions_framework.cloud_event
def notify(cloud_event: Any) -> None:
    """Cloud Functions entry point."""
    consume(cloud_event, consumer="notify", handlers=HANDLERS)
