"""schemathesis against the running ingest function: for generated requests, valid and
invalid, no 5xx and every response as the OpenAPI document says (status, content type,
headers, body schema). The site's pages and the open-data import are fuzzed like the
JSON API.

A dedicated ingest process on its own project (`grantmatch-fuzz`) takes the traffic: its
topics exist but nothing subscribes, so fuzzed submissions never reach the match and
notify functions of the other end-to-end tests.

Three things make the generated requests reach past the first check of a route:
- operations that need the funder key get one, and those that take the projects page's
  session get a signed-in funder's cookie;
- a valid request naming a project names a listed one (a random id is only ever 404);
- import bodies are the standard's own sample files, whole or cut off anywhere, or noise.

Generated bodies are small and shallow, so two hostile shapes are sent to every operation
that takes JSON as well: a body nested 1,000 deep (about 2 KB) and a number of 5,000
digits, each once a 500 (RecursionError; Python's limit on int digits).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from google.cloud import firestore
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dev import procs
from dev.services import FUNCTIONS, Ports, function_command, stack_env
from dev.topology import apply_topology, load_topology
from shared.adapters.pubsub_publisher import PubSubPublisher
from shared.domain.opportunities import SUBMISSIONS
from shared.runtime.bootstrap import on_firestore
from shared.runtime.config import Settings
from shared.services.funders import create_funder
from shared.services.opportunities import submit_item
from shared.web.funder_session import COOKIE
from shared.web.openapi import openapi_document
from tests.conftest import ARTIFACTS, Emulators
from tests.e2e.conftest import GENEROUS_LIMITS
from tests.import_fixtures import FIXTURES
from tests.integration.records import stored_project
from tests.opportunity_builders import BODIES, PATHS

FUZZ_PROJECT = "grantmatch-fuzz"
#: Examples per operation and generation mode: bounded, so CI stays within its budget.
MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _sample_files(*names: str) -> st.SearchStrategy[bytes]:
    """A sample file of the standard, whole or cut off anywhere, or a little noise."""
    whole = st.sampled_from([Path(FIXTURES, name).read_bytes() for name in names])
    cut = st.tuples(whole, st.floats(0, 1)).map(lambda pair: pair[0][: int(len(pair[0]) * pair[1])])
    return st.one_of(whole, cut, st.binary(max_size=256))


schemathesis.openapi.media_type("text/csv", _sample_files("360giving.csv"))
schemathesis.openapi.media_type(
    "application/xml",
    _sample_files("iati-2.01.xml", "iati-2.03.xml", "grantsgov.xml"),
    aliases=["text/xml"],
)


@pytest.fixture(scope="module")
def fuzz_target(it_env: None, emulator_hosts: Emulators, sink_url: str) -> Iterator[dict[str, Any]]:
    """A running ingest function of its own, a valid funder key and web session for it,
    and a listed project."""
    fs_port = int(emulator_hosts.firestore.rsplit(":", 1)[1])
    ps_port = int(emulator_hosts.pubsub.rsplit(":", 1)[1])
    sink_port = int(sink_url.rsplit(":", 1)[1])
    ports = Ports(fs_port, ps_port, sink_port, {name: procs.free_port() for name in FUNCTIONS})
    topics_only = {**load_topology(), "subscriptions": []}
    apply_topology(FUZZ_PROJECT, ports.functions, topics_only)
    env = stack_env(ports, FUZZ_PROJECT, GENEROUS_LIMITS)
    port = ports.functions["ingest"]
    process: subprocess.Popen = procs.start(
        function_command("ingest", port),
        f"http://127.0.0.1:{port}/healthz",
        ARTIFACTS / "logs" / "fuzz-ingest.log",
        env=env,
    )
    try:
        ad = on_firestore(
            settings=Settings(google_cloud_project=FUZZ_PROJECT),
            client=firestore.Client(project=FUZZ_PROJECT),
            publisher=PubSubPublisher(FUZZ_PROJECT, 5.0),
            sender=None,  # type: ignore[arg-type] - nothing is sent from here
        )
        url = f"http://127.0.0.1:{port}"
        funder = create_funder(ad, "Fuzz Foundation", email="fuzz@fund.example.org")
        key = funder.api_key
        signed_in = requests.post(
            f"{url}/forms/sign-in", data={"api_key": key}, allow_redirects=False, timeout=10
        )
        assert signed_in.status_code == 303, signed_in.text
        project = stored_project(ad, amount_needed=25000, currency="USD", visibility="funders")
        items = _items_of_each_kind(ad, funder.funder_id)
        yield {
            "url": url,
            "key": key,
            "session": signed_in.cookies[COOKIE],
            "project": project,
            "items": items,
        }
    finally:
        procs.stop(process)


def _items_of_each_kind(ad: Any, funder_id: str) -> dict[str, str]:
    """One stored training, event and tech offer of the fuzz funder, by API path, so a
    valid request naming an item names one of the right kind."""
    items = {}
    for kind, path in PATHS.items():
        submission = SUBMISSIONS[kind].model_validate(BODIES[kind]())
        items[path] = submit_item(ad, funder_id, submission, correlation_id="fuzz").id
    return items


def _item_for(path: str, items: dict[str, str]) -> str | None:
    return next((iid for prefix, iid in items.items() if path.startswith(prefix + "/")), None)


# Loaded at collection from the same builder the function serves (the lazy fixture
# loader of schemathesis does not run on this pytest); the first test checks the running
# function serves exactly this document.
schema = schemathesis.openapi.from_dict(openapi_document())


#: Hostile JSON values, each put where a field's value goes.
HOSTILE_VALUES = {"nested-1000-deep": "[" * 1000 + "]" * 1000, "number-of-5000-digits": "9" * 5000}
JSON_OPERATIONS = [
    (path, method.upper())
    for path, operations in openapi_document()["paths"].items()
    for method, operation in operations.items()
    if isinstance(operation, dict)  # a path's shared "parameters" are a list
    and "application/json" in operation.get("requestBody", {}).get("content", {})
]


def test_the_running_function_serves_the_document_under_test(fuzz_target):
    served = requests.get(f"{fuzz_target['url']}/openapi.json", timeout=10)
    assert served.status_code == 200 and served.json() == openapi_document()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples on every run: a failure can be reproduced
    database=None,
)
def test_ingest_never_fails_and_answers_as_documented(case, fuzz_target):
    headers = {}
    security = {
        name for option in case.operation.definition.raw.get("security", []) for name in option
    }
    valid = case.meta.generation.mode.is_positive
    # schemathesis makes up a bearer token itself: a valid request carries the real key,
    # an invalid one keeps the made-up token (the 401s).
    if "funderKey" in security and (valid or "Authorization" not in (case.headers or {})):
        headers["Authorization"] = f"Bearer {fuzz_target['key']}"
    if "funderSession" in security:
        headers["Cookie"] = f"{COOKIE}={fuzz_target['session']}"
    if valid and "project_id" in (case.path_parameters or {}):
        case.path_parameters["project_id"] = fuzz_target["project"]
    item = _item_for(case.operation.path, fuzz_target["items"])
    if valid and item and "item_id" in (case.path_parameters or {}):
        case.path_parameters["item_id"] = item
    case.call_and_validate(base_url=fuzz_target["url"], headers=headers, checks=CHECKS, timeout=30)


@pytest.mark.parametrize(("path", "method"), JSON_OPERATIONS)
@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_deep_or_huge_json_is_a_documented_400_on_every_json_operation(
    fuzz_target, path, method, value
):
    operation = schema[path][method]
    is_import = path == "/grants/import"
    case = operation.Case(
        path_parameters={
            "project_id": fuzz_target["project"],
            "grant_id": fuzz_target["project"],
            "item_id": _item_for(path, fuzz_target["items"]) or "g_" + "0" * 32,
        }
        if "{" in path
        else None,
        query={"format": "360giving"} if is_import else None,
        media_type="application/json",
    )
    field = f'"title": {value}'
    body = '{"grants": [{"id": "hostile-1", ' + field + "}]}" if is_import else "{" + field + "}"
    headers = {"Authorization": f"Bearer {fuzz_target['key']}", "Content-Type": "application/json"}
    response = requests.request(
        method,
        f"{fuzz_target['url']}{case.formatted_path}",
        params=case.query,
        data=body.encode(),
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 400, response.text[:300]
    case.validate_response(response, checks=CHECKS, headers=headers)
