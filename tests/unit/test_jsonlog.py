"""Logs are one JSON object per line, with severity and ids, and never an email."""

from __future__ import annotations

import io
import json
import logging

from shared.runtime.jsonlog import CloudLoggingFormatter, log_context, redact


def _log_line(message: str, **extra) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(CloudLoggingFormatter("test", "proj"))
    logger = logging.getLogger("jsonlog-test")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.warning(message, extra=extra)
    return json.loads(stream.getvalue())


def test_line_has_cloud_logging_fields():
    line = _log_line("hello")
    assert line["severity"] == "WARNING"
    assert line["message"] == "hello"
    assert line["component"] == "test"
    assert "time" in line


def test_bound_context_and_trace_are_added():
    with log_context(correlation_id="abc12345", trace="0" * 32):
        line = _log_line("x")
    assert line["correlation_id"] == "abc12345"
    assert line["logging.googleapis.com/trace"] == f"projects/proj/traces/{'0' * 32}"


def test_emails_are_redacted_from_message_and_fields():
    line = _log_line("sending to someone@cso.example.org", recipient="a.b+c@x.org")
    assert "@" not in json.dumps(line)


def test_redact_walks_nested_structures():
    assert redact({"a": ["x@y.org", {"b": "q@r.net"}]}) == {
        "a": ["[redacted-email]", {"b": "[redacted-email]"}]
    }


def test_api_keys_are_redacted_too():
    line = _log_line(
        "retry", header="Authorization: Bearer gm_0123456789abcdef_secretpart", key="SG.ab_cd.ef-gh"
    )
    assert "secretpart" not in json.dumps(line) and "SG.ab_cd" not in json.dumps(line)


def test_a_trace_shaped_correlation_id_is_the_trace_and_others_are_not():
    from shared.runtime.jsonlog import trace_of

    assert trace_of("0af7651916cd43dd8448eb211c80319c") == "0af7651916cd43dd8448eb211c80319c"
    assert trace_of("my-trace-0001") is None and trace_of(None) is None
