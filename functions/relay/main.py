"""Relay function (HTTP, private): Cloud Scheduler calls it every minute to publish the
outbox events ingest could not, and to revive notifications whose sender died.

Only the scheduler's service account may invoke it (Cloud Run IAM, internal ingress), so
the function itself needs no token check. Locally, `grantmatch relay --loop` runs the same
`relay_once`.
"""

from __future__ import annotations

from typing import Any

import functions_framework
from flask import Request

from shared.runtime.bootstrap import adapters
from shared.runtime.config import get_settings
from shared.runtime.jsonlog import configure_logging
from shared.services.outbox_relay import relay_once

settings = get_settings()
configure_logging("relay", settings.google_cloud_project, settings.log_level)


@functions_framework.http
def relay(request: Request) -> tuple[dict[str, Any], int]:
    """Cloud Functions entry point: one relay pass. Answers 503 when Pub/Sub refused an
    event, so the scheduler records a failed run; the next run retries it."""
    ad = adapters()
    report = relay_once(ad)
    body = {
        "published": report.published,
        "failed": report.failed,
        "revived": report.revived_notifications,
    }
    return body, 503 if report.failed else 200
