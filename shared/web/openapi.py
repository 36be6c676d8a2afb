"""The OpenAPI 3.1 document of the ingest function, generated from the pydantic models
that parse requests and shape responses, so the document cannot drift from the code.

tests/unit/test_openapi.py holds it to the Flask routes (every route documented, every
documented path served); tests/e2e/test_api_fuzz.py runs schemathesis against the
running function and checks every response against it.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.links import Purpose
from shared.models import ErasureRequest, GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.services.project_listings import GrantProjectsPage, ProjectQuery, ProjectsPage
from shared.web.responses import AcceptedBody, ErasureAcceptedBody, ErrorBody, HealthBody

REF: Final = "#/components/schemas/{model}"
REQUESTS: Final[tuple[type[BaseModel], ...]] = (
    GrantSubmission,
    ProjectSubmission,
    ProfileSubmission,
    ErasureRequest,
    ProjectQuery,
)
RESPONSES: Final[tuple[type[BaseModel], ...]] = (
    AcceptedBody,
    ErrorBody,
    ErasureAcceptedBody,
    HealthBody,
    ProjectsPage,
    GrantProjectsPage,
)
ERRORS: Final = {
    400: "The body is not JSON or not an object, or the query does not fit together",
    401: "Missing, unknown or revoked API key",
    403: "The grant belongs to another funder",
    404: "No such grant",
    409: "Idempotency-Key reused for another body, or a concurrent change",
    413: "Body over the size limit",
    415: "Body not sent as application/json",
    422: "The body or query breaks the contract; every bad field is listed",
    429: "Too many requests in this window; retry after Retry-After seconds",
}
BEARER: Final = [{"funderKey": []}]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(model)}}


def _errors(*codes: int) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for code in (*codes, 429):
        response: dict[str, Any] = {"description": ERRORS[code], "content": _json(ErrorBody)}
        if code == 429:
            retry_after = {"schema": {"type": "integer", "minimum": 1}}
            response["headers"] = {"Retry-After": retry_after}
        responses[str(code)] = response
    return responses


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": _json(model)}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, null]` as X: an absent query parameter is how a client says null."""
    variants = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(variants) == 1:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return {**variants[0], **rest}
    return {k: v for k, v in schema.items() if k != "default"}


def _query(schemas: dict[str, Any], model: type[BaseModel], skip: tuple[str, ...] = ()) -> list:
    properties = schemas[model.__name__]["properties"]
    return [
        {"name": name, "in": "query", "required": False, "schema": _without_null(schema)}
        for name, schema in properties.items()
        if name not in skip
    ]


IDEMPOTENCY_KEY: Final = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key when retrying: the submission is stored once.",
    "schema": {"type": "string", "maxLength": 200},
}
GRANT_ID: Final = {
    "name": "grant_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^g_[0-9a-f]{32}$"},
}


def _accepted(created: bool = True) -> dict[str, Any]:
    ok = {"description": "Updated, unchanged or replayed", "content": _json(AcceptedBody)}
    if not created:
        return {"200": ok}
    return {"201": {"description": "Created", "content": _json(AcceptedBody)}, "200": ok}


def _link_operation(purpose: Purpose, method: str) -> dict[str, Any]:
    html = {"text/html": {"schema": {"type": "string"}}}
    acts = "acts (POST)" if method == "post" else "shows a page with a button (GET)"
    operation: dict[str, Any] = {
        "summary": f"The {purpose.value} link in emails: {acts}",
        "tags": ["emailed links"],
        "parameters": [
            {"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": {"description": "The page", "content": html},
            "400": {"description": "Forged, expired or other-purpose token", "content": html},
            **_errors(),
        },
    }
    if method == "post":  # RFC 8058 one-click unsubscribe posts this form; nothing is read
        form = {"type": "object", "properties": {"List-Unsubscribe": {"type": "string"}}}
        operation["requestBody"] = {
            "required": False,
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        }
    return operation


def _paths(schemas: dict[str, Any]) -> dict[str, Any]:
    listing_query = _query(schemas, ProjectQuery)
    paths: dict[str, Any] = {
        "/healthz": {
            "get": {
                "summary": "Liveness",
                "responses": {"200": {"description": "Up", "content": _json(HealthBody)}},
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/grants": {
            "post": {
                "summary": "Create or update one of your grants (upsert by external_id)",
                "tags": ["funders"],
                "security": BEARER,
                "requestBody": _body(GrantSubmission),
                "responses": {**_accepted(), **_errors(400, 401, 409, 413, 415, 422)},
            }
        },
        "/grants/{grant_id}": {
            "parameters": [GRANT_ID],
            "put": {
                "summary": "Replace one of your grants (its external_id cannot change)",
                "tags": ["funders"],
                "security": BEARER,
                "requestBody": _body(GrantSubmission),
                "responses": {
                    **_accepted(created=False),
                    **_errors(400, 401, 403, 404, 409, 413, 415, 422),
                },
            },
            "delete": {
                "summary": "Delete one of your grants with its matches",
                "tags": ["funders"],
                "security": BEARER,
                "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404)},
            },
        },
        "/grants/{grant_id}/projects": {
            "parameters": [GRANT_ID],
            "get": {
                "summary": "Open projects that fit one of your grants, best first, with reasons",
                "tags": ["funders"],
                "security": BEARER,
                "parameters": _query(schemas, ProjectQuery, skip=("grant",)),
                "responses": {
                    "200": {"description": "One page", "content": _json(GrantProjectsPage)},
                    **_errors(400, 401, 403, 404, 422),
                },
            },
        },
        "/projects": {
            "get": {
                "summary": "Open projects that need funding (a funder key adds `funders` ones)",
                "tags": ["projects"],
                "security": [{}, *BEARER],
                "parameters": listing_query,
                "responses": {
                    "200": {"description": "One page", "content": _json(ProjectsPage)},
                    **_errors(400, 401, 403, 404, 422),
                },
            },
            "post": {
                "summary": "Submit a project that needs funding",
                "tags": ["projects"],
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": _body(ProjectSubmission),
                "responses": {**_accepted(), **_errors(400, 409, 413, 415, 422)},
            },
        },
        "/profiles": {
            "post": {
                "summary": "Create an alert profile (its address is confirmed by email first)",
                "tags": ["alerts"],
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": _body(ProfileSubmission),
                "responses": {**_accepted(), **_errors(400, 409, 413, 415, 422)},
            }
        },
        "/erasure-requests": {
            "post": {
                "summary": "Email an address the link that deletes its data (if it is known)",
                "tags": ["alerts"],
                "requestBody": _body(ErasureRequest),
                "responses": {
                    "202": {
                        "description": "Accepted, whether the address is known or not",
                        "content": _json(ErasureAcceptedBody),
                    },
                    **_errors(400, 413, 415, 422),
                },
            }
        },
    }
    for purpose in Purpose:
        paths[f"/{purpose.value}"] = {
            method: _link_operation(purpose, method) for method in ("get", "post")
        }
    return paths


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once per process)."""
    _keys, definitions = models_json_schema(
        [(model, "validation") for model in REQUESTS]
        + [(model, "serialization") for model in RESPONSES],
        ref_template=REF,
    )
    schemas = definitions["$defs"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Grant Match ingest API",
            "version": "1",
            "description": "Funders post grants; CSOs submit projects and alert profiles. "
            "Every error has the shape of ErrorBody and never echoes what was sent.",
        },
        "paths": _paths(schemas),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "funderKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A funder API key, `gm_<key id>_<secret>`",
                }
            },
        },
    }
