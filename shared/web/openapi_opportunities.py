"""The OpenAPI operations of `/trainings`, `/events` and `/tech-offers`: the grants'
contract for each kind (see `shared.web.opportunities_api`)."""

from __future__ import annotations

from typing import Any, Final

from shared.domain.opportunities import SUBMISSIONS, OpportunityKind
from shared.web.openapi_parts import BEARER, errors, json_body, json_content
from shared.web.opportunities_api import SEGMENTS
from shared.web.responses import AcceptedBody, CatalogueItemBody

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
