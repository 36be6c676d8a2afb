"""A cold start pays only for what the function uses: importing a function's main.py in a
fresh interpreter creates no client and loads no library it does not need at once.

Measured by `make bench` (BENCHMARKS.md); these tests keep it true.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

from dev.services import REPO
from shared.adapters.pubsub_publisher import BATCH_MAX_LATENCY_SECONDS, PubSubPublisher
from shared.importers import PARSERS

LOAD_MAIN = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("main", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
if sys.argv[2:] == ["--build-app"]:
    module.app()  # what the first request does before its route runs
from shared.runtime.bootstrap import adapters
print(json.dumps({"modules": sorted(sys.modules), "adapters": adapters.cache_info().currsize}))
"""
# Clients are created on first use; their libraries load then (publish, send).
NEVER_AT_IMPORT = {"google.cloud.pubsub_v1", "sendgrid", "myanmartools", "tqdm"}
# Libraries a function loads only when it does the work that needs them.
NOT_NEEDED = {
    # The plan's export (fpdf2, HarfBuzz, python-docx) loads on the first export.
    "ingest": {
        *("lxml", "ijson", "shared.importers.iati", "shared.importers.threesixtygiving"),
        *("fpdf", "uharfbuzz", "docx", "shared.export.pdf", "shared.export.word"),
    },
    "match": {"shared.email.rendering", "babel.support", "lxml"},
    # The relay announces due alerts through shared.services.alerts, which also renders
    # them: it loads the templates' libraries, once a minute, off the users' path.
    "relay": {"lxml", "ijson"},
    "notify": {"lxml", "ijson"},
}


def _loaded(function: str, *extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "GOOGLE_CLOUD_PROJECT": "grantmatch-unit"}
    path = str(REPO / "functions" / function / "main.py")
    done = subprocess.run(
        [sys.executable, "-c", LOAD_MAIN, path, *extra], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("function", sorted(NOT_NEEDED))
def test_importing_a_function_creates_no_client_and_loads_only_what_it_needs(function):
    loaded = _loaded(function)
    assert loaded["adapters"] == 0, "adapters (clients) must be created on first use"
    unexpected = (NEVER_AT_IMPORT | NOT_NEEDED[function]) & set(loaded["modules"])
    assert not unexpected, f"{function} imports {sorted(unexpected)} at start-up"


def test_building_the_ingest_app_creates_no_client_and_loads_no_importer():
    # The app is built on the first request: that too must leave the clients and the
    # importers' libraries to the routes that use them.
    loaded = _loaded("ingest", "--build-app")
    assert loaded["adapters"] == 0, "building the app must not create the adapters"
    unexpected = (NEVER_AT_IMPORT | NOT_NEEDED["ingest"]) & set(loaded["modules"])
    assert not unexpected, f"building the ingest app imports {sorted(unexpected)}"


def test_every_import_format_names_the_module_that_reads_it():
    for fmt, module in PARSERS.items():
        parser = importlib.import_module(module)
        assert fmt == parser.FORMAT
        assert callable(parser.read)


def test_the_publisher_sends_at_once_and_still_batches_a_burst(monkeypatch):
    # Creating the client opens no connection; the emulator host only avoids credentials.
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:9")
    settings = PubSubPublisher("grantmatch-unit", 5.0)._publisher().batch_settings
    assert settings.max_latency == BATCH_MAX_LATENCY_SECONDS <= 0.001
    assert settings.max_messages >= 100  # a publish_many burst still goes in few requests
