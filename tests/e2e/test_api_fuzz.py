"""schemathesis against the running ingest function: for generated requests, valid and
invalid, no 5xx and every response as the OpenAPI document says (status, content type,
headers, body schema).

A dedicated ingest process on its own project (`grantmatch-fuzz`) takes the traffic: its
topics exist but nothing subscribes, so fuzzed submissions never reach the match and
notify functions of the other end-to-end tests.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from google.cloud import firestore
from hypothesis import HealthCheck, settings
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
from shared.adapters.firestore_repo import FirestoreRepository
from shared.adapters.pubsub_publisher import PubSubPublisher
from shared.bootstrap import Adapters
from shared.config import Settings
from shared.services.funders import create_funder
from shared.web.openapi import openapi_document
from tests.conftest import ARTIFACTS, Emulators
from tests.e2e.conftest import GENEROUS_LIMITS

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


@pytest.fixture(scope="module")
def fuzz_target(it_env: None, emulator_hosts: Emulators, sink_url: str) -> Iterator[dict[str, Any]]:
    """A running ingest function of its own, and a valid funder key for it."""
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
        ad = Adapters(
            settings=Settings(google_cloud_project=FUZZ_PROJECT),
            repo=FirestoreRepository(firestore.Client(project=FUZZ_PROJECT)),
            publisher=PubSubPublisher(FUZZ_PROJECT, 5.0),
            sender=None,  # type: ignore[arg-type] - nothing is sent from here
        )
        key = create_funder(ad, "Fuzz Foundation", ad.now()).api_key
        yield {"url": f"http://127.0.0.1:{port}", "key": key}
    finally:
        procs.stop(process)


# Loaded at collection from the same builder the function serves (the lazy fixture
# loader of schemathesis does not run on this pytest); the first test checks the running
# function serves exactly this document.
schema = schemathesis.openapi.from_dict(openapi_document())


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
    if case.operation.definition.raw.get("security") and "Authorization" not in (
        case.headers or {}
    ):
        headers["Authorization"] = f"Bearer {fuzz_target['key']}"
    case.call_and_validate(base_url=fuzz_target["url"], headers=headers, checks=CHECKS, timeout=30)
