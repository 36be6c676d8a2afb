"""A correlation id per request, bound to the logs and echoed in a response header.

It is copied into every event the request causes, so one id follows a submission
through ingest, match and notify.
"""

from __future__ import annotations

import re
import secrets
from contextvars import Token
from typing import Any

from flask import Flask, Response, g, request

from shared.runtime import jsonlog

HEADER = "X-Correlation-Id"
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_TRACE = re.compile(r"^([0-9a-f]{32})")


def correlation_id_for(headers: Any) -> tuple[str, str | None]:
    """(correlation id, trace id): the caller's id if well-formed, else the Cloud trace
    id, else a new random id."""
    trace_header = headers.get("X-Cloud-Trace-Context") or ""
    trace = _TRACE.match(trace_header)
    trace_id = trace.group(1) if trace else None
    given = headers.get(HEADER) or ""
    if _SAFE.match(given):
        return given, trace_id
    return trace_id or secrets.token_hex(16), trace_id


def install_correlation(app: Flask) -> None:
    """Bind a correlation id for the duration of every request."""

    @app.before_request
    def _bind() -> None:
        correlation_id, trace_id = correlation_id_for(request.headers)
        g.correlation_id = correlation_id
        trace = trace_id or jsonlog.trace_of(correlation_id)
        g.log_token = jsonlog.bind(correlation_id=correlation_id, trace=trace)

    @app.after_request
    def _echo(response: Response) -> Response:
        response.headers[HEADER] = g.get("correlation_id", "")
        return response

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        token: Token | None = g.pop("log_token", None)
        if token is not None:
            jsonlog.unbind(token)
