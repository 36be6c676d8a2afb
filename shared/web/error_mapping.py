"""Domain errors to HTTP responses, in one place. Every error body has the same shape:

{"error": {"code": "...", "message": "...", "fields": [{"field": "...", "message": "..."}]}}

A browser (see `wants_error_page`) gets the same status and headers with a page of the
site instead (`shared.web.pages.errors`).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from shared.domain import errors
from shared.email.i18n import FALLBACK, LANGUAGES
from shared.email.links import Purpose
from shared.runtime.jsonlog import current_correlation_id
from shared.web.negotiation import page_language, wants_error_page
from shared.web.pages.errors import error_page
from shared.web.pages.links import link_page

log = logging.getLogger(__name__)

STATUS: dict[type[errors.DomainError], tuple[int, str]] = {
    errors.ValidationFailed: (422, "validation_failed"),
    errors.MalformedRequest: (400, "malformed_request"),
    errors.UnsupportedMediaType: (415, "unsupported_media_type"),
    errors.PayloadTooLarge: (413, "payload_too_large"),
    errors.Unauthenticated: (401, "unauthenticated"),
    errors.Forbidden: (403, "forbidden"),
    errors.NotFound: (404, "not_found"),
    errors.Conflict: (409, "conflict"),
    errors.RateLimited: (429, "rate_limited"),
}


def error_body(
    code: str, message: str, fields: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The JSON error shape shared by every endpoint."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return {"error": body}


def domain_error_response(exc: errors.DomainError) -> tuple[Any, int, dict[str, str]]:
    """The HTTP response for a domain error."""
    status, code = next(
        (pair for cls, pair in STATUS.items() if isinstance(exc, cls)), (400, "bad_request")
    )
    fields = None
    if isinstance(exc, errors.ValidationFailed):
        fields = [{"field": p.field, "message": p.message} for p in exc.problems]
    headers = {"WWW-Authenticate": 'Bearer realm="grantmatch"'} if status == 401 else {}
    if isinstance(exc, errors.RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return jsonify(error_body(code, exc.message, fields)), status, headers


def _answer(json_response: Any, status: int, headers: dict[str, str], prefix: str) -> Any:
    """The JSON error, or for a browser the error page with its status and headers."""
    if not wants_error_page(request):
        return json_response, status, headers
    try:
        return error_page(
            status,
            page_language(request),
            prefix,
            headers=headers,
            correlation_id=current_correlation_id() or "",
            posted=request.method == "POST",
        )
    except Exception:  # the error page must never turn an error into a worse one
        log.exception("error page not rendered; answering JSON")
        return json_response, status, headers


def install_error_handlers(app: Flask, prefix: str = "") -> None:
    """Make every failure a JSON error response (no stack traces); for a browser, the
    same failure as a page of the site mounted at `prefix`."""

    @app.errorhandler(errors.InvalidLink)
    def _invalid_link(exc: errors.InvalidLink) -> Any:
        # Someone clicked a link in an email: answer with a page, in their language.
        language = request.accept_languages.best_match(LANGUAGES) or FALLBACK
        return link_page(Purpose(exc.purpose), "invalid", language, status=400, prefix=prefix)

    @app.errorhandler(errors.DomainError)
    def _domain(exc: errors.DomainError) -> Any:
        return _answer(*domain_error_response(exc), prefix)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description or exc.name or "error"
        if exc.code == 413:
            code, message = "payload_too_large", "the body is over the size limit"
        # Werkzeug's own headers, e.g. `Allow` on a 405 (RFC 9110 requires it); the body
        # is ours, so not its Content-Type.
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return _answer(jsonify(error_body(code, message)), exc.code or 500, headers, prefix)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error")
        message = (
            f"internal error; quote correlation id {current_correlation_id()} when reporting it"
        )
        return _answer(jsonify(error_body("internal", message)), 500, {}, prefix)
