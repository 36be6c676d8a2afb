"""The JSON edge refuses bodies nested too deep or holding huge integers, and tells how
deep a body nests in one pass, whatever its strings hold."""

from __future__ import annotations

import time

import pytest
from flask import Flask, request

from shared.domain.errors import MalformedRequest
from shared.domain.models import ProfileSubmission
from shared.web.parsing import MAX_JSON_DEPTH, nests_deeper_than, parse_json


def _parse(body: str) -> ProfileSubmission:
    app = Flask(__name__)
    with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
        return parse_json(request, ProfileSubmission, 64 * 1024)


def test_nesting_is_counted_to_its_limit_and_refused_one_past_it():
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert not nests_deeper_than(at_limit, MAX_JSON_DEPTH)
    assert nests_deeper_than("[" + at_limit + "]", MAX_JSON_DEPTH)


def test_brackets_inside_strings_are_text_not_nesting():
    assert not nests_deeper_than('{"title": "[[[[{{{{", "note": "\\"[[[["}', 1)
    assert nests_deeper_than('{"title": "\\\\", "sectors": [[1]]}', 2)


def test_an_unclosed_string_full_of_escaped_quotes_is_scanned_in_one_pass():
    # A scan that retried an unclosed string from every later quote took 26 s on this.
    body = '"' + '\\"' * 32_000
    started = time.perf_counter()
    assert not nests_deeper_than(body, MAX_JSON_DEPTH)
    assert time.perf_counter() - started < 1.0


def test_a_body_nested_1000_deep_is_malformed_not_a_recursion_error():
    with pytest.raises(MalformedRequest, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        _parse('{"email": ' + "[" * 1000 + "]" * 1000 + "}")


def test_an_integer_of_5000_digits_is_malformed_not_a_value_error():
    with pytest.raises(MalformedRequest, match="more than 100 digits"):
        _parse('{"email": ' + "9" * 5000 + "}")
