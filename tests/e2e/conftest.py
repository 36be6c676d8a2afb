"""End-to-end: the three functions as real functions-framework processes, fed by real
Pub/Sub push subscriptions, sending through the real sink, on project grantmatch-e2e.

Browser tests drive Debian's Chromium (`apt-get install -y chromium`) with Playwright
for Python; Playwright's own browser download is never used. Without Chromium they fail
and say how to install it: a skipped browser test would hide a broken web form.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from google.cloud import firestore
from pytest_httpserver import HTTPServer

from dev import emulators, procs
from dev.services import FUNCTIONS, Ports, function_command, relay_command, stack_env
from dev.topology import apply_topology
from shared.adapters.pubsub_publisher import PubSubPublisher
from shared.runtime.bootstrap import Adapters, on_firestore
from shared.runtime.config import Settings
from tests.conftest import ARTIFACTS, Emulators, artifacts_dir, clear_sink, sink_messages

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
        return self.ports.ingest_url

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
def sources() -> Iterator[HTTPServer]:
    """A real local HTTP server standing in for the public sources the harvest function
    reads (the stack's harvest settings point at it); each test says what it serves."""
    server = HTTPServer(host="127.0.0.1", port=procs.free_port())
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(scope="session")
def stack(
    it_env: None, emulator_hosts: Emulators, sink_url: str, sources: HTTPServer
) -> Iterator[Stack]:
    """Start the functions on free ports and wire the push subscriptions."""
    fs_port = int(emulator_hosts.firestore.rsplit(":", 1)[1])
    ps_port = int(emulator_hosts.pubsub.rsplit(":", 1)[1])
    sink_port = int(sink_url.rsplit(":", 1)[1])
    ports = Ports(fs_port, ps_port, sink_port, {name: procs.free_port() for name in FUNCTIONS})
    harvest_from = {"HARVEST_UNPP_BASE_URL": sources.url_for("/").rstrip("/")}
    extra = {"ALERT_BATCH_WINDOW_SECONDS": "1", **GENEROUS_LIMITS, **harvest_from}
    env = stack_env(ports, E2E_PROJECT, extra)
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
        ad = on_firestore(
            settings=settings,
            client=firestore.Client(project=E2E_PROJECT),
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


# -- the browser ---------------------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    f"{CHROMIUM} not found: the browser tests drive Debian's Chromium. Install it with "
    "`apt-get install -y chromium` (as root; .ci/run does it). Do not run `playwright "
    "install`: its browser download does not work here."
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (each test gets its own fresh context)."""
    if not CHROMIUM.exists():
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives the browser a fresh temporary profile (user data dir) every time.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Browsing:
    """A browser context for one person, that records what it tried to load elsewhere."""

    context: Any
    page: Any
    shots: Path
    name: str
    elsewhere: list[str]

    def shot(self, step: str, page: Any = None) -> None:
        """Save a full-page screenshot under test-artifacts/screenshots/."""
        (page or self.page).screenshot(path=self.shots / f"{self.name}-{step}.png", full_page=True)

    def new_person(self) -> Any:
        """A page in a separate context: another person, with no cookies of this one."""
        return _context(self.context.browser, self.elsewhere).new_page()


def _context(chromium: Any, elsewhere: list[str]) -> Any:
    # JavaScript off: the pages must work without it (they have none; this proves it).
    context = chromium.new_context(
        locale="en-GB", viewport={"width": 1000, "height": 800}, java_script_enabled=False
    )

    def only_the_stack(route: Any) -> None:
        # The pages must load nothing from other hosts: record and refuse any attempt.
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_stack)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def browsing(browser: Any, e2e: Stack, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    """A fresh browser context on the e2e stack (empty database and mailbox)."""
    elsewhere: list[str] = []
    context = _context(browser, elsewhere)
    name = request.node.name.removeprefix("test_")[:60]
    yield Browsing(context, context.new_page(), artifacts_dir("screenshots"), name, elsewhere)
    for other in browser.contexts:
        other.close()
    assert elsewhere == [], f"pages tried to load from other hosts: {elsewhere}"
