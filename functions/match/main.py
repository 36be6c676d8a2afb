"""Match function (Pub/Sub push → CloudEvent): new grants, projects and profiles in,
`match.found` events out."""

from __future__ import annotations

from typing import Any

import functions_framework

from shared.domain.events import EventName
from shared.runtime.config import get_settings
from shared.runtime.consumer import consume
from shared.runtime.jsonlog import configure_logging
from shared.services.matchmaking import on_grant_published, on_profile_created, on_project_submitted

settings = get_settings()
configure_logging("match", settings.google_cloud_project, settings.log_level)

HANDLERS = {
    EventName.GRANT_PUBLISHED: on_grant_published,
    EventName.PROJECT_SUBMITTED: on_project_submitted,
    EventName.PROFILE_CREATED: on_profile_created,
}


@functions_framework.cloud_event
def match(cloud_event: Any) -> None:
    """Cloud Functions entry point."""
    consume(cloud_event, consumer="match", handlers=HANDLERS)
