"""The JSON API: funders post, replace, delete and import grants; CSOs post projects and
alert profiles; anyone lists the projects that need funding (funders: also best fit for
their grant) and asks for their data to be erased; funders tell a project they are
interested. Also the health check and the OpenAPI document.

Errors become JSON in one place (`shared.web.error_mapping`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request

from shared.adapters.ports import SaveOutcome
from shared.domain.errors import MalformedRequest, Unauthenticated
from shared.domain.models import (
    ErasureRequest,
    GrantSubmission,
    InterestSubmission,
    ProfileSubmission,
    ProjectSubmission,
)
from shared.importers import read_records
from shared.matching.screening import deadline_today
from shared.services.erasure import request_erasure
from shared.services.funders import authenticate
from shared.services.grants import delete_own_grant, update_own_grant
from shared.services.imports import import_grants
from shared.services.interests import express_interest
from shared.services.project_listings import (
    FOR_FUNDERS,
    PUBLIC_ONLY,
    ProjectQuery,
    best_fit_projects,
    newest_projects,
    owned_grant,
)
from shared.services.submissions import Accepted, submit_grant, submit_profile, submit_project
from shared.web.context import adapters, web
from shared.web.error_mapping import error_body
from shared.web.negotiation import page_language, wants_html
from shared.web.openapi import openapi_document as api_document
from shared.web.parsing import parse_json, parse_query
from shared.web.projects_view import projects_page_response
from shared.web.uploads import open_upload

api = Blueprint("api", __name__)
MAX_PROBLEMS_IN_RESPONSE = 100


def _accepted(result: Accepted) -> tuple[Any, int]:
    status = 201 if result.outcome is SaveOutcome.CREATED else 200
    return jsonify({"id": result.id, "status": result.outcome.value}), status


def _idempotency_key() -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return key[:200] or None


@api.get("/healthz")
def healthz() -> Any:
    """Liveness for the local stack and load balancers."""
    return jsonify({"status": "ok"})


@api.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI 3.1 description of every route here, generated from the models."""
    return jsonify(api_document())


@api.post("/grants")
def post_grant() -> Any:
    """Create or update one of the calling funder's grants (upsert by external_id)."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(
        request, GrantSubmission, web().settings.max_body_bytes, now=ad.clock.now()
    )
    result = submit_grant(ad, funder_id, submission, correlation_id=g.correlation_id)
    return _accepted(result)


@api.post("/grants/import")
def import_grant_file() -> Any:
    """Import the calling funder's grants from a 360Giving, IATI or Grants.gov file,
    streamed from the body (`?format=…`, optional `&countries=KH,LA`)."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    upload = open_upload(request, web().settings.max_import_bytes)
    records = read_records(upload.fmt, upload.stream, upload.options)
    report = import_grants(ad, funder_id, records, correlation_id=g.correlation_id)
    body = {"report": report.as_dict(max_problems=MAX_PROBLEMS_IN_RESPONSE)}
    if report.stopped_at is None:
        return jsonify(body), 200
    message = (
        f"the file is broken at {report.stopped_at}; the {report.records} record(s) before "
        "it were imported, and sending the corrected file again is safe"
    )
    return jsonify({**error_body("malformed_file", message), **body}), 400


@api.put("/grants/<grant_id>")
def put_grant(grant_id: str) -> Any:
    """Replace one of the calling funder's grants; another funder's grant is 403."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(
        request, GrantSubmission, web().settings.max_body_bytes, now=ad.clock.now()
    )
    result = update_own_grant(ad, funder_id, grant_id, submission, correlation_id=g.correlation_id)
    return _accepted(result)


@api.delete("/grants/<grant_id>")
def delete_grant(grant_id: str) -> Any:
    """Delete one of the calling funder's grants (and its matches); another's is 403."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    delete_own_grant(ad, funder_id, grant_id)
    return "", 204


@api.post("/projects")
def post_project() -> Any:
    """Submit a project that needs funding."""
    return _submit_json(ProjectSubmission, submit_project)


@api.post("/profiles")
def post_profile() -> Any:
    """Create an alert profile."""
    return _submit_json(ProfileSubmission, submit_profile)


def _submit_json(model: type[ProjectSubmission | ProfileSubmission], submit: Any) -> Any:
    """A CSO's JSON submission: parse, store once per Idempotency-Key, announce."""
    ad = adapters()
    submission = parse_json(request, model, web().settings.max_body_bytes, now=ad.clock.now())
    result = submit(
        ad,
        submission,
        idempotency_key=_idempotency_key(),
        correlation_id=g.correlation_id,
    )
    return _accepted(result)


@api.post("/erasure-requests")
def post_erasure_request() -> Any:
    """Ask for a link that deletes an address's data. The answer never says whether the
    address is known: the link goes to the address, if there is anything to delete."""
    ad = adapters()
    submission = parse_json(request, ErasureRequest, web().settings.max_body_bytes)
    request_erasure(ad, submission, correlation_id=g.correlation_id)
    return jsonify({"status": "accepted"}), 202


@api.get("/projects")
def list_projects() -> Any:
    """Open projects that need funding: public ones, plus `funders` ones for a funder key;
    newest first, or best fit first against one of the caller's grants (`?grant=`).
    A browser (Accept: text/html) gets the projects page instead."""
    if wants_html(request):
        return projects_page_response(page_language(request))
    ad = adapters()
    query = parse_query(request.args, ProjectQuery)
    header = request.headers.get("Authorization")
    funder_id = authenticate(ad, header) if header else None
    today = deadline_today(ad.clock.now())
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


@api.get("/grants/<grant_id>/projects")
def grant_projects(grant_id: str) -> Any:
    """The open projects (public or for funders) that fit one of the caller's grants, best
    fit first, with the reasons."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    query = parse_query(request.args, ProjectQuery)
    grant = owned_grant(ad, funder_id, grant_id)
    page = best_fit_projects(ad, grant, query, FOR_FUNDERS, deadline_today(ad.clock.now()))
    body = {"grant": {"id": grant.id, "title": grant.title}, **page.as_json()}
    return _private(jsonify(body), funder_id)


def _private(response: Any, funder_id: str | None) -> Any:
    """What a funder key unlocked must not sit in a shared cache; JSON and the page share
    the URL, so caches must keep them apart."""
    response.headers["Cache-Control"] = "private, no-store" if funder_id else "public, max-age=60"
    response.vary.add("Accept")
    return response


@api.post("/projects/<project_id>/interest")
def post_interest(project_id: str) -> Any:
    """Tell a listed project that the calling funder is interested (note, pledge). The
    CSO is emailed; the funder learns the CSO's address only if the CSO agrees."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(request, InterestSubmission, web().settings.max_body_bytes)
    result = express_interest(
        ad, funder_id, project_id, submission, correlation_id=g.correlation_id
    )
    return _accepted(result)
