"""Parse a request body or query string into a pydantic model, or raise a domain error that
says why."""

from __future__ import annotations

import json
from typing import TypeVar

from flask import Request
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from shared.domain.errors import (
    FieldProblem,
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

M = TypeVar("M", bound=BaseModel)


def problems_of(exc: ValidationError) -> list[FieldProblem]:
    """Every bad field with a message; never the submitted value (it may be personal)."""
    return [
        FieldProblem(".".join(str(p) for p in err["loc"]) or "(body)", err["msg"])
        for err in exc.errors(include_input=False, include_url=False)
    ]


def parse_json(request: Request, model: type[M], max_bytes: int) -> M:
    """The JSON body of `request` validated as `model` (unknown fields refused)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the body is over the {max_bytes // 1024} KiB limit")
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    raw = request.get_data(cache=True)  # Flask enforces MAX_CONTENT_LENGTH on chunked bodies
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"the body is over the {max_bytes // 1024} KiB limit")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_of(exc)) from exc


def parse_query(args: MultiDict[str, str], model: type[M]) -> M:
    """Query-string parameters validated as `model` (a repeated parameter is refused)."""
    data: dict[str, str] = {}
    for key in model.model_fields:
        values = args.getlist(key)
        if len(values) > 1:
            raise ValidationFailed([FieldProblem(key, "give this parameter once")])
        if values and values[0] != "":
            data[key] = values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_of(exc)) from exc
