"""End-to-end: the three functions as real functions-framework processes, fed by real
Pub/Sub push subscriptions, sending through the real sink, on project grantmatch-e2e."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from google.cloud import firestore

from dev import emulators, procs
from dev.services import FUNCTIONS, Ports, function_command, relay_command, stack_env
from dev.topology import apply_topology
from shared.adapters.firestore_repo import FirestoreRepository
from shared.adapters.pubsub_publisher import PubSubPublisher
from shared.bootstrap import Adapters
from shared.config import Settings
from tests.conftest import ARTIFACTS, Emulators, clear_sink, sink_messages

pytestmark = pytest.mark.e2e
E2E_PROJECT = "grantmatch-e2e"
# Every test request comes from 127.0.0.1; the limits are tested on their own.
GENEROUS_LIMITS = {
    name: "100000"
    for name in ("RATE_LIMIT_IP_READS", "RATE_LIMIT_IP_WRITES", "RATE_LIMIT_KEY_REQUESTS")
}


@dataclass
class Stack:
    """The running stack: where to reach it and adapters to look inside it."""

    ports: Ports
    sink_url: str
    ad: Adapters
    env: dict[str, str]

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.functions['ingest']}"

    def wait_for_emails(
        self, predicate: Callable[[dict[str, Any]], bool], count: int = 1, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Emails matching `predicate`, once at least `count` of them arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in sink_messages(self.sink_url) if predicate(m)]
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise TimeoutError(f"fewer than {count} matching email(s) after {timeout:.0f}s")

    def confirm(self, address: str) -> dict[str, Any]:
        """Read the confirmation email sent to `address` and press its button (POST)."""
        [email] = self.wait_for_emails(
            lambda m: m["to"] == [address] and m["categories"] == ["confirmation"]
        )
        [url] = re.findall(r"https?://\S+/confirm\?token=\S+", email["text"])
        response = requests.post(url, timeout=10)
        assert response.status_code == 200, response.text
        return email


@pytest.fixture(scope="session")
def stack(it_env: None, emulator_hosts: Emulators, sink_url: str) -> Iterator[Stack]:
    """Start ingest, match and notify on free ports and wire the push subscriptions."""
    fs_port = int(emulator_hosts.firestore.rsplit(":", 1)[1])
    ps_port = int(emulator_hosts.pubsub.rsplit(":", 1)[1])
    sink_port = int(sink_url.rsplit(":", 1)[1])
    ports = Ports(fs_port, ps_port, sink_port, {name: procs.free_port() for name in FUNCTIONS})
    env = stack_env(ports, E2E_PROJECT, {"ALERT_BATCH_WINDOW_SECONDS": "1", **GENEROUS_LIMITS})
    started: list[subprocess.Popen] = []
    try:
        for name in FUNCTIONS:
            port = ports.functions[name]
            started.append(
                procs.start(
                    function_command(name, port),
                    f"http://127.0.0.1:{port}/healthz",
                    ARTIFACTS / "logs" / f"e2e-{name}.log",
                    env=env,
                )
            )
        apply_topology(E2E_PROJECT, ports.functions)
        # The relay publishes the outbox and announces due alerts, as in the local stack.
        started.append(_start_relay(env))
        settings = Settings(google_cloud_project=E2E_PROJECT)
        ad = Adapters(
            settings=settings,
            repo=FirestoreRepository(firestore.Client(project=E2E_PROJECT)),
            publisher=PubSubPublisher(E2E_PROJECT, 5.0),
            sender=None,  # type: ignore[arg-type] - the stack's notify function sends
        )
        yield Stack(ports, sink_url, ad, env)
    finally:
        for process in started:
            procs.stop(process)


def _start_relay(env: dict[str, str]) -> subprocess.Popen:
    with (ARTIFACTS / "logs" / "e2e-relay.log").open("ab") as log:
        return subprocess.Popen(
            relay_command(every=0.5),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


@pytest.fixture
def e2e(stack: Stack, emulator_hosts: Emulators) -> Stack:
    """The stack, with an empty database and mailbox."""
    emulators.reset_firestore(emulator_hosts.firestore, E2E_PROJECT)
    clear_sink(stack.sink_url)
    return stack
