"""The JSON API for the kinds beyond grants: `/trainings`, `/events`, `/tech-offers`.

Each answers as `/grants` does (funder key, the key's rate limit, the same errors, upsert
by external_id), and `GET /<kind>/<id>` shows one of the caller's items as the catalogue
holds it (an on-site one open to its own country, the registration deadline as deadline).
The grants API is untouched.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request

from shared.adapters.ports import SaveOutcome
from shared.domain.models import Grant
from shared.domain.opportunities import SUBMISSIONS, OpportunityKind
from shared.services.funders import authenticate
from shared.services.opportunities import (
    delete_own_item,
    owned_item,
    submit_item,
    update_own_item,
)
from shared.services.submissions import Accepted
from shared.web.context import adapters, web
from shared.web.parsing import parse_json

opportunities = Blueprint("opportunities", __name__)

#: Where each kind is posted, beside /grants.
SEGMENTS: dict[OpportunityKind, str] = {
    OpportunityKind.TRAINING: "trainings",
    OpportunityKind.EVENT: "events",
    OpportunityKind.TECH_OFFER: "tech-offers",
}
#: What a GET shows of a stored item: the catalogue's fields, never its bookkeeping.
SHOWN = (
    "id",
    "external_id",
    "title",
    "description",
    "sectors",
    "countries",
    "applicant_types",
    "deadline",
    "languages",
    "url",
    "details",
    "revision",
)


def _accepted(result: Accepted) -> tuple[Any, int]:
    status = 201 if result.outcome is SaveOutcome.CREATED else 200
    return jsonify({"id": result.id, "status": result.outcome.value}), status


def _funder() -> str:
    return authenticate(adapters(), request.headers.get("Authorization"))


def _parse(kind: OpportunityKind) -> Any:
    ad = adapters()
    return parse_json(request, SUBMISSIONS[kind], web().settings.max_body_bytes, now=ad.clock.now())


def shown(item: Grant) -> dict[str, Any]:
    """An item as the API shows it to its funder."""
    return {"kind": item.kind.value, **item.model_dump(mode="json", include=set(SHOWN))}


def _routes(kind: OpportunityKind) -> None:
    """POST /<kind>, and PUT, GET, DELETE /<kind>/<id>, for one kind."""

    def post() -> Any:
        funder_id = _funder()
        return _accepted(
            submit_item(adapters(), funder_id, _parse(kind), correlation_id=g.correlation_id)
        )

    def put(item_id: str) -> Any:
        funder_id = _funder()
        result = update_own_item(
            adapters(), funder_id, item_id, _parse(kind), correlation_id=g.correlation_id
        )
        return _accepted(result)

    def get(item_id: str) -> Any:
        item = owned_item(adapters(), _funder(), kind, item_id)
        response = jsonify(shown(item))
        response.headers["Cache-Control"] = "private, no-store"
        return response

    def delete(item_id: str) -> Any:
        delete_own_item(adapters(), _funder(), kind, item_id)
        return "", 204

    name, path = kind.value, f"/{SEGMENTS[kind]}"
    opportunities.add_url_rule(path, f"post_{name}", post, methods=["POST"])
    one = f"{path}/<item_id>"
    opportunities.add_url_rule(one, f"put_{name}", put, methods=["PUT"])
    opportunities.add_url_rule(one, f"get_{name}", get, methods=["GET"])
    opportunities.add_url_rule(one, f"delete_{name}", delete, methods=["DELETE"])


for _kind in SEGMENTS:
    _routes(_kind)

#: Every endpoint here acts for a funder key (the rate limit counts against the key).
KEY_ENDPOINTS = frozenset(
    f"opportunities.{verb}_{kind.value}"
    for kind in SEGMENTS
    for verb in ("post", "put", "get", "delete")
)
