"""Harvest function (Pub/Sub push → CloudEvent): Cloud Scheduler asks, once per source,
for a harvest of that source's open calls (`harvest.requested`); the calls are stored as
grants and announced (`grant.published`), so match and notify treat them like posted ones.
"""

from __future__ import annotations

from typing import Any

import functions_framework

from shared.domain.events import EventName
from shared.runtime.config import get_settings
from shared.runtime.consumer import consume
from shared.runtime.harvest_sources import on_harvest_requested
from shared.runtime.jsonlog import configure_logging

settings = get_settings()
configure_logging("harvest", settings.google_cloud_project, settings.log_level)

HANDLERS = {EventName.HARVEST_REQUESTED: on_harvest_requested}


@functions_framework.cloud_event
def harvest(cloud_event: Any) -> None:
    """Cloud Functions entry point."""
    consume(cloud_event, consumer="harvest", handlers=HANDLERS)
