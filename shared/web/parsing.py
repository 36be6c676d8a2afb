"""Parse a request body or query string into a pydantic model, or raise a domain error that
says why."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, TypeVar

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
from shared.domain.models import FIRST_DATE
from shared.matching.screening import deadline_today

M = TypeVar("M", bound=BaseModel)

#: No request model nests deeper than a few levels; a deeper body is refused before it is
#: decoded (the decoder recurses once per level and would fail with RecursionError).
MAX_JSON_DEPTH = 32
#: An integer longer than this fits no field (amounts stop at 10^15), and Python refuses
#: to convert one of more than 4,300 digits from text.
MAX_INTEGER_DIGITS = 100
# A string (its closing quote optional, so an unclosed one ends the scan instead of being
# tried again from every later quote), and anything that is not a bracket.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nests_deeper_than(text: str, limit: int) -> bool:
    """Whether the arrays and objects of a JSON text nest more than `limit` deep (brackets
    in strings aside), told in one pass without parsing, so without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if brackets.count("[") + brackets.count("{") <= limit:
        return False
    depth = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise MalformedRequest(f"a number in the body has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def submission_context(now: datetime | None = None) -> dict[str, Any]:
    """What submissions are validated with at the edge: the first date they may name,
    today "anywhere on Earth" (as screening counts a deadline day open)."""
    return {FIRST_DATE: deadline_today(now or datetime.now(UTC))}


def problems_of(exc: ValidationError) -> list[FieldProblem]:
    """Every bad field with a message; never the submitted value (it may be personal).
    A rule of ours reads as we wrote it: pydantic's "Value error, " prefix is dropped."""
    return [
        FieldProblem(
            ".".join(str(p) for p in err["loc"]) or "(body)",
            err["msg"].removeprefix("Value error, "),
        )
        for err in exc.errors(include_input=False, include_url=False)
    ]


def parse_json(
    request: Request, model: type[M], max_bytes: int, *, now: datetime | None = None
) -> M:
    """The JSON body of `request` validated as `model` (unknown fields refused; a past
    deadline or "needed by" date refused, counted from `now`, else the wall clock)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the body is over the {max_bytes // 1024} KiB limit")
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    raw = request.get_data(cache=True)  # Flask enforces MAX_CONTENT_LENGTH on chunked bodies
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"the body is over the {max_bytes // 1024} KiB limit")
    try:
        # Decoded as json.loads decodes bytes (UTF-8, or UTF-16/32 told by the first bytes).
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
        if nests_deeper_than(text, MAX_JSON_DEPTH):
            raise MalformedRequest(f"the body is nested deeper than {MAX_JSON_DEPTH} levels")
        data = json.loads(text, parse_int=_integer)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}") from exc
    except RecursionError as exc:  # a last guard: the depth check should have caught it
        raise MalformedRequest("the body is nested too deeply") from exc
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object")
    try:
        return model.model_validate(data, context=submission_context(now))
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
