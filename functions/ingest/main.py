"""Ingest function (HTTP): funders post grants, CSOs post projects and alert profiles.

Each route reads like its contract: authenticate, parse into a model, call the service,
answer with the stored id. Errors become JSON in one place (`shared.web.errors`).
"""

from __future__ import annotations

from typing import Any

import functions_framework
from flask import Flask, Request, g, jsonify, request

from shared.adapters.firestore_repo import SaveOutcome
from shared.bootstrap import adapters
from shared.config import get_settings
from shared.importers import read_records
from shared.jsonlog import configure_logging
from shared.models import GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.services.funders import authenticate
from shared.services.imports import import_grants
from shared.services.submissions import Accepted, submit_grant, submit_profile, submit_project
from shared.web.correlation import install_correlation
from shared.web.errors import error_body, install_error_handlers
from shared.web.parsing import parse_json
from shared.web.uploads import open_upload

settings = get_settings()
configure_logging("ingest", settings.google_cloud_project, settings.log_level)

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
install_correlation(app)
install_error_handlers(app)
MAX_PROBLEMS_IN_RESPONSE = 100


def _accepted(result: Accepted) -> tuple[Any, int]:
    status = 201 if result.outcome is SaveOutcome.CREATED else 200
    return jsonify({"id": result.id, "status": result.outcome.value}), status


def _idempotency_key() -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return key[:200] or None


@app.get("/healthz")
def healthz() -> Any:
    """Liveness for the local stack and load balancers."""
    return jsonify({"status": "ok"})


@app.post("/grants")
def post_grant() -> Any:
    """Create or update one of the calling funder's grants (upsert by external_id)."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(request, GrantSubmission, settings.max_body_bytes)
    result = submit_grant(ad, funder_id, submission, correlation_id=g.correlation_id, now=ad.now())
    return _accepted(result)


@app.post("/grants/import")
def import_grant_file() -> Any:
    """Import the calling funder's grants from a 360Giving, IATI or Grants.gov file,
    streamed from the body (`?format=…`, optional `&countries=KH,LA`)."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    upload = open_upload(request, settings.max_import_bytes)
    records = read_records(upload.fmt, upload.stream, upload.options)
    report = import_grants(ad, funder_id, records, correlation_id=g.correlation_id, now=ad.now())
    body = {"report": report.as_dict(max_problems=MAX_PROBLEMS_IN_RESPONSE)}
    if report.stopped_at is None:
        return jsonify(body), 200
    message = (
        f"the file is broken at {report.stopped_at}; the {report.records} record(s) before "
        "it were imported, and sending the corrected file again is safe"
    )
    return jsonify({**error_body("malformed_file", message), **body}), 400


@app.post("/projects")
def post_project() -> Any:
    """Submit a project that needs funding."""
    ad = adapters()
    submission = parse_json(request, ProjectSubmission, settings.max_body_bytes)
    result = submit_project(
        ad,
        submission,
        idempotency_key=_idempotency_key(),
        correlation_id=g.correlation_id,
        now=ad.now(),
    )
    return _accepted(result)


@app.post("/profiles")
def post_profile() -> Any:
    """Create an alert profile."""
    ad = adapters()
    submission = parse_json(request, ProfileSubmission, settings.max_body_bytes)
    result = submit_profile(
        ad,
        submission,
        idempotency_key=_idempotency_key(),
        correlation_id=g.correlation_id,
        now=ad.now(),
    )
    return _accepted(result)


@functions_framework.http
def ingest(req: Request) -> Any:
    """Cloud Functions entry point: hand the request to the Flask app above."""
    with app.request_context(req.environ):
        return app.full_dispatch_request()
