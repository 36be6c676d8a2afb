"""Ingest function (HTTP): funders post grants, CSOs post projects and alert profiles,
and anyone lists the projects that need funding (funders: also best fit for their grant).

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
from shared.errors import MalformedRequest, Unauthenticated
from shared.jsonlog import configure_logging
from shared.links import Purpose
from shared.models import ErasureRequest, GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.screening import deadline_today
from shared.services.erasure import request_erasure
from shared.services.funders import authenticate
from shared.services.grants import delete_own_grant, update_own_grant
from shared.services.project_listings import (
    FOR_FUNDERS,
    PUBLIC_ONLY,
    ProjectQuery,
    best_fit_projects,
    newest_projects,
    owned_grant,
)
from shared.services.submissions import Accepted, submit_grant, submit_profile, submit_project
from shared.services.subscriptions import follow_link, preview_link
from shared.web.correlation import install_correlation
from shared.web.errors import install_error_handlers
from shared.web.openapi import openapi_document as api_document
from shared.web.pages import link_page
from shared.web.parsing import parse_json, parse_query
from shared.web.rate_limiting import install_rate_limits

settings = get_settings()
configure_logging("ingest", settings.google_cloud_project, settings.log_level)

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
install_correlation(app)
install_error_handlers(app)
install_rate_limits(app, adapters)


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


@app.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI 3.1 description of every route here, generated from the models."""
    return jsonify(api_document())


@app.post("/grants")
def post_grant() -> Any:
    """Create or update one of the calling funder's grants (upsert by external_id)."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(request, GrantSubmission, settings.max_body_bytes)
    result = submit_grant(ad, funder_id, submission, correlation_id=g.correlation_id, now=ad.now())
    return _accepted(result)


@app.put("/grants/<grant_id>")
def put_grant(grant_id: str) -> Any:
    """Replace one of the calling funder's grants; another funder's grant is 403."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(request, GrantSubmission, settings.max_body_bytes)
    result = update_own_grant(
        ad, funder_id, grant_id, submission, correlation_id=g.correlation_id, now=ad.now()
    )
    return _accepted(result)


@app.delete("/grants/<grant_id>")
def delete_grant(grant_id: str) -> Any:
    """Delete one of the calling funder's grants (and its matches); another's is 403."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    delete_own_grant(ad, funder_id, grant_id)
    return "", 204


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


@app.post("/erasure-requests")
def post_erasure_request() -> Any:
    """Ask for a link that deletes an address's data. The answer never says whether the
    address is known: the link goes to the address, if there is anything to delete."""
    ad = adapters()
    submission = parse_json(request, ErasureRequest, settings.max_body_bytes)
    request_erasure(ad, submission, correlation_id=g.correlation_id, now=ad.now())
    return jsonify({"status": "accepted"}), 202


@app.get("/projects")
def list_projects() -> Any:
    """Open projects that need funding: public ones, plus `funders` ones for a funder key;
    newest first, or best fit first against one of the caller's grants (`?grant=`)."""
    ad = adapters()
    query = parse_query(request.args, ProjectQuery)
    header = request.headers.get("Authorization")
    funder_id = authenticate(ad, header) if header else None
    today = deadline_today(ad.now())
    if not query.best_fit:
        page = newest_projects(ad, query, FOR_FUNDERS if funder_id else PUBLIC_ONLY, today)
        return _private(jsonify(page.as_json()), funder_id)
    if query.grant is None:
        raise MalformedRequest("sort=best ranks against one of your grants: add grant=<grant id>")
    if funder_id is None:
        raise Unauthenticated("best fit against a grant needs your funder API key")
    grant = owned_grant(ad, funder_id, query.grant)
    page = best_fit_projects(ad, grant, query, FOR_FUNDERS, today)
    return _private(jsonify(page.as_json()), funder_id)


@app.get("/grants/<grant_id>/projects")
def grant_projects(grant_id: str) -> Any:
    """The open projects (public or for funders) that fit one of the caller's grants, best
    fit first, with the reasons."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    query = parse_query(request.args, ProjectQuery)
    grant = owned_grant(ad, funder_id, grant_id)
    page = best_fit_projects(ad, grant, query, FOR_FUNDERS, deadline_today(ad.now()))
    body = {"grant": {"id": grant.id, "title": grant.title}, **page.as_json()}
    return _private(jsonify(body), funder_id)


def _private(response: Any, funder_id: str | None) -> Any:
    """What a funder key unlocked must not sit in a shared cache."""
    response.headers["Cache-Control"] = "private, no-store" if funder_id else "public, max-age=60"
    return response


@app.route("/<any(confirm, unsubscribe, mute, erase):action>", methods=["GET", "POST"])
def emailed_link(action: str) -> Any:
    """The links in emails. GET shows a page with a button and changes nothing (mail
    scanners prefetch links); POST acts, including RFC 8058 one-click unsubscribe, whose
    body (`List-Unsubscribe=One-Click`) carries nothing we need beyond the token."""
    ad = adapters()
    purpose = Purpose(action)
    token = request.args.get("token", "")
    if request.method == "GET":
        view = preview_link(ad, purpose, token, ad.now())
        if view.done:
            return link_page(purpose, "done", view.language)
        # Relative, so the form posts back to this very URL wherever the function is mounted.
        action = "?" + request.query_string.decode("ascii", "replace")
        return link_page(purpose, "ask", view.language, action=action, grant_title=view.grant_title)
    view = follow_link(ad, purpose, token, ad.now(), g.correlation_id)
    return link_page(purpose, "done", view.language, grant_title=view.grant_title)


@functions_framework.http
def ingest(req: Request) -> Any:
    """Cloud Functions entry point: hand the request to the Flask app above."""
    with app.request_context(req.environ):
        return app.full_dispatch_request()
