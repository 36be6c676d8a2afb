"""Structured JSON logs in the shape Cloud Logging reads, with a correlation id.

One JSON line per event: `severity`, `message`, `time`, the component, the ids bound by
`log_context`, and `logging.googleapis.com/trace` when a trace is known. Anything that
looks like an email address is redacted, whatever the caller passed: contact addresses
of people at risk must never reach a log sink.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_context: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
REDACTED = "[redacted-email]"
# API keys that could reach a log by accident: bearer tokens, SendGrid keys (`SG.…`).
_SECRET = re.compile(r"(?:(?<=Bearer )|\bSG\.)[\w.~+/=-]{8,}")
SECRET_REDACTED = "[redacted-secret]"  # noqa: S105 - the placeholder, not a secret
TRACE_KEY = "logging.googleapis.com/trace"


def redact(value: Any) -> Any:
    """Replace email-like substrings and API keys anywhere inside strings, lists, dicts."""
    if isinstance(value, str):
        return _SECRET.sub(SECRET_REDACTED, _EMAIL.sub(REDACTED, value))
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


class CloudLoggingFormatter(JsonFormatter):
    """JSON formatter emitting Cloud Logging's special fields."""

    def __init__(self, component: str, project: str) -> None:
        super().__init__(
            "%(message)s",
            rename_fields={"levelname": "severity", "name": "logger"},
            timestamp="time",
            static_fields={"component": component},
        )
        self._project = project

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        """Add severity and the bound context (correlation id, event id, trace)."""
        super().add_fields(log_data, record, message_dict)
        log_data["severity"] = record.levelname
        context = dict(_context.get())
        trace = context.pop("trace", None)
        if trace:
            log_data[TRACE_KEY] = f"projects/{self._project}/traces/{trace}"
        for key, value in context.items():
            log_data.setdefault(key, value)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """Redact email addresses from every field before serialising."""
        return redact(log_data)


def configure_logging(component: str, project: str = "", level: str = "INFO") -> None:
    """Send this process's logs, as JSON lines, to stdout (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_grantmatch", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(CloudLoggingFormatter(component, project))
    handler._grantmatch = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "google", "grpc", "werkzeug", "python_http_client"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def bind(**fields: str | None) -> Token[dict[str, str]]:
    """Add ids to every later log line of this context; undo with `unbind(token)`."""
    return _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})


def unbind(token: Token[dict[str, str]]) -> None:
    """Undo a `bind`."""
    _context.reset(token)


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Bind ids (correlation_id, event_id, trace, ...) to every log line in this block."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


def trace_of(correlation_id: str | None) -> str | None:
    """The Cloud Trace id a correlation id stands for, if it has that shape: ingest uses
    the request's trace id as correlation id, so match and notify lines join the trace."""
    return correlation_id if correlation_id and _TRACE_ID.match(correlation_id) else None


def current_correlation_id() -> str | None:
    """The correlation id bound by the innermost `log_context`, if any."""
    return _context.get().get("correlation_id")
