"""The OpenAPI 3.1 document of the ingest function, generated from the pydantic models
that parse requests and shape responses, so the document cannot drift from the code.
The JSON API's operations are here; the site's pages are in `openapi_site.py`.

tests/unit/test_openapi.py holds it to the Flask routes (every route documented, every
documented path served); tests/e2e/test_api_fuzz.py runs schemathesis against the
running function and checks every response against it.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.domain.models import (
    ErasureRequest,
    GrantSubmission,
    InterestSubmission,
    ProfileSubmission,
    ProjectSubmission,
)
from shared.domain.opportunities import SUBMISSIONS
from shared.importers import FORMATS
from shared.services.project_listings import GrantProjectsPage, ProjectQuery, ProjectsPage
from shared.web.openapi_opportunities import opportunity_paths
from shared.web.openapi_parts import (
    BEARER,
    HTML,
    LANG,
    PROJECT_ID,
    REF,
    SECURITY_SCHEMES,
    SESSION,
    errors,
    json_body,
    json_content,
)
from shared.web.openapi_site import site_paths
from shared.web.responses import (
    AcceptedBody,
    CatalogueItemBody,
    ErasureAcceptedBody,
    ErrorBody,
    HealthBody,
    ImportedBody,
    MalformedFileBody,
)
from shared.web.uploads import CONTENT_TYPES

__all__ = ["REF", "openapi_document"]

REQUESTS: Final[tuple[type[BaseModel], ...]] = (
    GrantSubmission,
    ProjectSubmission,
    ProfileSubmission,
    InterestSubmission,
    ErasureRequest,
    ProjectQuery,
    *SUBMISSIONS.values(),
)
RESPONSES: Final[tuple[type[BaseModel], ...]] = (
    AcceptedBody,
    ErrorBody,
    ErasureAcceptedBody,
    HealthBody,
    ProjectsPage,
    GrantProjectsPage,
    ImportedBody,
    MalformedFileBody,
    CatalogueItemBody,
)


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
IMPORT_PARAMETERS: Final = [
    {
        "name": "format",
        "in": "query",
        "required": True,
        "description": "The standard the file follows",
        "schema": {"type": "string", "enum": list(FORMATS)},
    },
    {
        "name": "countries",
        "in": "query",
        "required": False,
        "description": "ISO 3166-1 alpha-2 codes, comma-separated (`KH,LA`), for records "
        "that name no place (Grants.gov never does)",
        "schema": {"type": "string"},
    },
]
#: How a client asks `GET /projects` for a representation (the page is for browsers).
PROJECTS_NEGOTIATION: Final = [
    {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "`json`: the JSON answer even for a client that prefers text/html",
        "schema": {"type": "string", "enum": ["json"]},
    },
    LANG,
]
INTEREST_ERRORS: Final = {
    404: "No listed project with this id (private, closed, unconfirmed and unknown "
    "projects look the same)",
    409: "The funder has no contact address for the organisation's answer",
    422: "The body breaks the contract, or a pledge to a project that named no amount",
}


def _accepted(created: bool = True) -> dict[str, Any]:
    ok = {"description": "Updated, unchanged or replayed", "content": json_content(AcceptedBody)}
    if not created:
        return {"200": ok}
    return {"201": {"description": "Created", "content": json_content(AcceptedBody)}, "200": ok}


def _import_operation() -> dict[str, Any]:
    files = sorted({media for medias in CONTENT_TYPES.values() for media in medias})
    text = {"type": "string"}
    return {
        "summary": "Import your grants from a 360Giving (JSON or CSV), IATI or Grants.gov "
        "file; importing the same file again changes nothing",
        "tags": ["funders"],
        "security": BEARER,
        "parameters": IMPORT_PARAMETERS,
        "requestBody": {"required": True, "content": {media: {"schema": text} for media in files}},
        "responses": {
            "200": {"description": "Read to its end", "content": json_content(ImportedBody)},
            "400": {
                "description": "The file is broken part-way: the records before the break "
                "were imported (sending the corrected file again is safe)",
                "content": json_content(MalformedFileBody),
            },
            **errors(
                401,
                413,
                422,
                described={
                    415: "The body's content type is not one the format is sent as",
                    422: "Unknown format, or a country that is not an ISO code",
                },
            ),
        },
    }


def _api_paths(schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "/healthz": {
            "get": {
                "summary": "Liveness",
                "responses": {"200": {"description": "Up", "content": json_content(HealthBody)}},
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
                "requestBody": json_body(GrantSubmission),
                "responses": {**_accepted(), **errors(400, 401, 409, 413, 415, 422)},
            }
        },
        "/grants/import": {"post": _import_operation()},
        "/grants/{grant_id}": {
            "parameters": [GRANT_ID],
            "put": {
                "summary": "Replace one of your grants (its external_id cannot change)",
                "tags": ["funders"],
                "security": BEARER,
                "requestBody": json_body(GrantSubmission),
                "responses": {
                    **_accepted(created=False),
                    **errors(400, 401, 403, 404, 409, 413, 415, 422),
                },
            },
            "delete": {
                "summary": "Delete one of your grants with its matches",
                "tags": ["funders"],
                "security": BEARER,
                "responses": {"204": {"description": "Deleted"}, **errors(401, 403, 404)},
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
                    "200": {"description": "One page", "content": json_content(GrantProjectsPage)},
                    **errors(400, 401, 403, 404, 422),
                },
            },
        },
        "/projects": {
            "get": {
                "summary": "Open projects that need funding (a funder key adds `funders` ones). "
                "A browser (Accept: text/html first) gets the projects page at the same URL.",
                "tags": ["projects"],
                "security": [{}, *BEARER, *SESSION],
                "parameters": [*_query(schemas, ProjectQuery), *PROJECTS_NEGOTIATION],
                "responses": {
                    "200": {
                        "description": "One page: JSON, or for a browser the projects page "
                        "(filters it cannot use are dropped, with a notice). On the page, "
                        "`grant` ranks best fit first for a signed-in funder's own grant "
                        "(the weekly digest links there); without a session it asks to sign "
                        "in, and `sort` is implied by `grant`",
                        "content": {**json_content(ProjectsPage), **HTML},
                    },
                    **errors(400, 401, 403, 404, 422, page=True),
                    "404": {
                        "description": "JSON: no such grant. Page: not one of the signed-in "
                        "funder's grants (the newest list, with a notice)",
                        "content": {**json_content(ErrorBody), **HTML},
                    },
                },
            },
            "post": {
                "summary": "Submit a project that needs funding",
                "tags": ["projects"],
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": json_body(ProjectSubmission),
                "responses": {**_accepted(), **errors(400, 409, 413, 415, 422)},
            },
        },
        "/projects/{project_id}/interest": {
            "parameters": [PROJECT_ID],
            "post": {
                "summary": "Tell a listed project you are interested (a note, a pledge in its "
                "currency); its organisation is emailed, your key never learns its address",
                "tags": ["funders"],
                "security": BEARER,
                "requestBody": json_body(InterestSubmission),
                "responses": {
                    "201": {"description": "Told", "content": json_content(AcceptedBody)},
                    "200": {
                        "description": "Told before: unchanged, nothing pledged or sent again",
                        "content": json_content(AcceptedBody),
                    },
                    **errors(400, 401, 413, 415, described=INTEREST_ERRORS),
                },
            },
        },
        "/profiles": {
            "post": {
                "summary": "Create an alert profile (its address is confirmed by email first)",
                "tags": ["alerts"],
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": json_body(ProfileSubmission),
                "responses": {**_accepted(), **errors(400, 409, 413, 415, 422)},
            }
        },
        "/erasure-requests": {
            "post": {
                "summary": "Email an address the link that deletes its data (if it is known)",
                "tags": ["alerts"],
                "requestBody": json_body(ErasureRequest),
                "responses": {
                    "202": {
                        "description": "Accepted, whether the address is known or not",
                        "content": json_content(ErasureAcceptedBody),
                    },
                    **errors(400, 413, 415, 422),
                },
            }
        },
    }


def _unroutable_ids(paths: dict[str, Any]) -> dict[str, Any]:
    """A path whose id holds a line break never reaches the function: the Functions
    Framework's own router answers it, with its HTML 404 page."""
    for template, item in paths.items():
        if "{" not in template:
            continue
        for method, operation in item.items():
            if method == "parameters":
                continue
            response = operation["responses"]["404"]
            response["content"] = {**response["content"], **HTML}
            response["description"] += (
                "; for an id with a line break, the Functions Framework's HTML page"
            )
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
            "description": "Funders post grants, trainings, events and tech offers; CSOs "
            "submit projects and alert profiles; "
            "the same function serves the site (the web form, the projects page, the pages "
            "behind emailed links). Every JSON error has the shape of ErrorBody and never "
            "echoes what was sent; a browser (text/html preferred) gets the same error, status "
            "and headers as a page of the site instead.",
        },
        "paths": _unroutable_ids({**_api_paths(schemas), **opportunity_paths(), **site_paths()}),
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
