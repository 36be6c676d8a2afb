"""Building blocks of the OpenAPI document: schema references, JSON and HTML content,
error and redirect responses, form bodies. The API's operations (`openapi.py`) and the
site's (`openapi_site.py`) are written from these, so both describe errors alike."""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel

from shared.web.forms import repeated_fields
from shared.web.funder_session import COOKIE
from shared.web.responses import ErrorBody

REF: Final = "#/components/schemas/{model}"
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
#: Security requirements: the funder API key, or the projects page's signed session.
BEARER: Final[list[dict[str, list[str]]]] = [{"funderKey": []}]
SESSION: Final[list[dict[str, list[str]]]] = [{"funderSession": []}]
SECURITY_SCHEMES: Final = {
    "funderKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "A funder API key, `gm_<key id>_<secret>`",
    },
    "funderSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": "The signed two-hour session `POST /forms/sign-in` sets (names the "
        "key, never holds it)",
    },
}
HTML: Final = {"text/html": {"schema": {"type": "string"}}}
LANG: Final = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "The page's language (else Accept-Language, else English)",
    "schema": {"type": "string"},
}
PROJECT_ID: Final = {
    "name": "project_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^p_[0-9a-f]{32}$"},
}


def ref(model: type[BaseModel]) -> dict[str, str]:
    """A reference to a model's schema in components."""
    return {"$ref": REF.format(model=model.__name__)}


def json_content(model: type[BaseModel]) -> dict[str, Any]:
    """A JSON body shaped by `model`."""
    return {"application/json": {"schema": ref(model)}}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """A required JSON request body shaped by `model`."""
    return {"required": True, "content": json_content(model)}


def error_response(
    code: int, description: str | None = None, *, page: bool = False
) -> dict[str, Any]:
    """One JSON error response (ErrorBody), or with `page` also the site's error page a
    browser gets; a 429 also names its Retry-After header."""
    content = json_content(ErrorBody)
    response: dict[str, Any] = {
        "description": description or ERRORS[code],
        "content": {**content, **HTML} if page else content,
    }
    if code == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}}
    return response


def errors(
    *codes: int, described: dict[int, str] | None = None, page: bool = False
) -> dict[str, Any]:
    """JSON error responses by status, always with 429 (every route is rate limited);
    `described` replaces the generic description of some statuses; `page`: a route of
    the site, where a browser gets the error page (text/html) instead."""
    described = described or {}
    return {
        str(code): error_response(code, described.get(code), page=page)
        for code in sorted({*codes, *described, 429})
    }


def html_response(description: str) -> dict[str, Any]:
    """A page."""
    return {"description": description, "content": HTML}


def redirect_response(description: str, *, sets_cookie: bool = False) -> dict[str, Any]:
    """303 See Other (Post/Redirect/Get): the next page is in Location."""
    headers: dict[str, Any] = {
        "Location": {"required": True, "schema": {"type": "string", "minLength": 1}}
    }
    if sets_cookie:
        headers["Set-Cookie"] = {"required": True, "schema": {"type": "string"}}
    return {"description": description, "headers": headers}


def form_body(model: type[BaseModel] | None = None, **fields: str) -> dict[str, Any]:
    """An application/x-www-form-urlencoded body: the fields of `model` as the page posts
    them (pickers as repeated fields, everything as text) plus the page's own `fields`
    (name: what it is). The schema requires nothing: a bad value re-renders the form."""
    properties: dict[str, Any] = {}
    if model is not None:
        repeated = repeated_fields(model)
        for name in model.model_fields:
            text = {"type": "string"}
            properties[name] = {"type": "array", "items": text} if name in repeated else text
    for name, description in fields.items():
        properties[name] = {"type": "string", "description": description}
    schema = {"type": "object", "properties": properties}
    return {"required": False, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}
