"""The OpenAPI operations of `/trainings`, `/events` and `/tech-offers`: the grants'
contract for each kind (see `shared.web.opportunities_api`)."""

from __future__ import annotations

from typing import Any, Final

from shared.domain.opportunities import SUBMISSIONS, OpportunityKind, TrainingSubmission
from shared.web.openapi_parts import (
    BEARER,
    HTML,
    LANG,
    SESSION,
    errors,
    form_body,
    html_response,
    json_body,
    json_content,
    redirect_response,
)
from shared.web.opportunities_api import SEGMENTS
from shared.web.pages.funder_items import DETAIL_FIELDS
from shared.web.responses import AcceptedBody, CatalogueItemBody, ErrorBody

ITEM_ID: Final = {
    "name": "item_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^g_[0-9a-f]{32}$"},
}
NAMES: Final = {
    OpportunityKind.TRAINING: "training",
    OpportunityKind.EVENT: "event",
    OpportunityKind.TECH_OFFER: "tech offer",
}


def _accepted(created: bool) -> dict[str, Any]:
    ok = {"description": "Updated, unchanged or replayed", "content": json_content(AcceptedBody)}
    if not created:
        return {"200": ok}
    return {"201": {"description": "Created", "content": json_content(AcceptedBody)}, "200": ok}


def _kind_paths(kind: OpportunityKind) -> dict[str, Any]:
    name, model = NAMES[kind], SUBMISSIONS[kind]
    common = {"tags": ["funders"], "security": BEARER}
    return {
        f"/{SEGMENTS[kind]}": {
            "post": {
                "summary": f"Create or update one of your {name}s (upsert by external_id); "
                "CSOs that asked for this kind hear of it as they hear of grants",
                **common,
                "requestBody": json_body(model),
                "responses": {**_accepted(True), **errors(400, 401, 409, 413, 415, 422)},
            }
        },
        f"/{SEGMENTS[kind]}/{{item_id}}": {
            "parameters": [ITEM_ID],
            "get": {
                "summary": f"One of your {name}s as the catalogue holds it",
                **common,
                "responses": {
                    "200": {"description": "The item", "content": json_content(CatalogueItemBody)},
                    **errors(401, 403, 404),
                },
            },
            "put": {
                "summary": f"Replace one of your {name}s (its external_id cannot change)",
                **common,
                "requestBody": json_body(model),
                "responses": {
                    **_accepted(False),
                    **errors(400, 401, 403, 404, 409, 413, 415, 422),
                },
            },
            "delete": {
                "summary": f"Delete one of your {name}s with its matches",
                **common,
                "responses": {"204": {"description": "Deleted"}, **errors(401, 403, 404)},
            },
        },
    }


def opportunity_paths() -> dict[str, Any]:
    """Every kind's operations."""
    paths: dict[str, Any] = {}
    for kind in SEGMENTS:
        paths.update(_kind_paths(kind))
    return paths


def _item_form() -> dict[str, Any]:
    """The item form's body: the fields every kind shares, and each kind's own by name."""
    body = form_body(TrainingSubmission, csrf="The session's token, from the page")
    properties = body["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
    properties.pop("details")
    for name in DETAIL_FIELDS:
        text = {"type": "string"}
        properties[name] = {"type": "array", "items": text} if name in LISTED else text
    return body


LISTED: Final = frozenset({"instruction_languages"})


def funder_item_paths() -> dict[str, Any]:
    """The funders' form for trainings, events and tech offers (`shared/web/funder_items.py`)."""
    signed_out = redirect_response("Not signed in: to /funder/grants (the sign-in)")
    saved = redirect_response("Saved: to /funder/grants; or not signed in")
    again = html_response("The form again, each bad field with its message")
    kind = {
        "name": "kind",
        "in": "query",
        "required": True,
        "description": "What to post",
        "schema": {"type": "string", "enum": [k.value for k in SEGMENTS]},
    }

    def op(summary: str, responses: dict[str, Any], params: list[Any], **extra: Any) -> Any:
        return {
            "summary": summary,
            "tags": ["funders"],
            "security": SESSION,
            "parameters": [*params, LANG],
            "responses": responses,
            **extra,
        }

    not_theirs = {403: "Another funder's item, or the csrf field is not the session's token"}
    unknown = {404: "No such training, event or tech offer"}
    no_kind = {404: "`kind` is not one of the kinds this form posts"}
    return {
        "/funder/items/new": {
            "get": op(
                "The form of one kind (training, event, tech offer), the kind's fields shown",
                {
                    "200": html_response("The form"),
                    "303": signed_out,
                    **errors(described=no_kind, page=True),
                },
                [kind],
            ),
            "post": op(
                "Create (or, by external_id, update) an item: POST /<kind>'s model and service",
                {
                    "303": saved,
                    "422": again,
                    **errors(413, described={**not_theirs, **no_kind}, page=True),
                },
                [kind],
                requestBody=_item_form(),
            ),
        },
        "/funder/items/{item_id}/edit": {
            "parameters": [ITEM_ID],
            "get": op(
                "The form, filled in with one of the funder's items",
                {
                    "200": html_response("The form"),
                    "303": signed_out,
                    **errors(described={**not_theirs, **unknown}, page=True),
                },
                [],
            ),
            "post": op(
                "Replace one of the funder's items: PUT /<kind>/{item_id}'s model and service",
                {
                    "303": saved,
                    "422": {
                        "description": "The form again with each bad field's message; or the "
                        "JSON error for an external_id that is not the item's",
                        "content": {**HTML, **json_content(ErrorBody)},
                    },
                    **errors(413, described={**not_theirs, **unknown}, page=True),
                },
                [],
                requestBody=_item_form(),
            ),
        },
    }
