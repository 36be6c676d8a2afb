"""Ingest function (HTTP): the API, the site and the emailed links (shared/web/app.py)."""

from __future__ import annotations

from functools import cache
from typing import Any

import functions_framework
from flask import Flask, Request

from shared.runtime.bootstrap import adapters
from shared.runtime.config import get_settings
from shared.runtime.jsonlog import configure_logging
from shared.web.app import create_app


@cache
def app() -> Flask:
    """The instance's app: settings read once, adapters created when first needed."""
    settings = get_settings()
    configure_logging("ingest", settings.google_cloud_project, settings.log_level)
    return create_app(settings, adapters)


@functions_framework.http
def ingest(req: Request) -> Any:
    """Cloud Functions entry point: hand the request to the app."""
    with app().request_context(req.environ):
        return app().full_dispatch_request()
