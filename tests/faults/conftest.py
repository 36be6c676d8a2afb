"""A whole stack of its own for fault injection (project `grantmatch-faults`): its own
Firestore and Pub/Sub emulators, mail sink, functions and relay, so killing or freezing
a piece never disturbs the other tests.

What each fault simulates:
- Pub/Sub outage (`pubsub_outage`): the service becomes unreachable (a TCP gate refuses
  connections and cuts open ones) and its emulator process is killed. It comes back with
  its topics and subscriptions, re-applied before the gate reopens, because Pub/Sub's are
  durable and the emulator's are not. The emulator also loses the messages it held; Pub/Sub
  would not, so this outage starts when nothing is in flight and traffic arrives during it.
- Pub/Sub or Firestore freeze (`frozen`): SIGSTOP, then SIGCONT. The service stops answering
  mid-flow (calls hang, publishes time out) and comes back with every byte it had: a
  partition or brown-out without data loss. (Killing the Firestore emulator would lose the
  database, which Firestore never does.)
- Mail provider down (`sink_down`): the SendGrid-compatible sink process is killed and
  restarted; its mailbox is kept in a file, as SendGrid keeps what it accepted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from google.cloud import firestore

from dev import emulators, procs
from dev.services import FUNCTIONS, Ports, function_command, relay_command, sink_command, stack_env
from dev.topology import apply_topology, load_topology
from shared.adapters.pubsub_publisher import PubSubPublisher
from shared.runtime.bootstrap import Adapters, on_firestore
from shared.runtime.config import Settings
from tests.conftest import ARTIFACTS, clear_sink, sink_messages
from tests.faults.tcp_gate import TcpGate

PROJECT = "grantmatch-faults"
LOGS = ARTIFACTS / "logs"
ENV = {
    "ALERT_BATCH_WINDOW_SECONDS": "1",
    "PUBLISH_TIMEOUT_SECONDS": "1",  # a request must not hang on a dead Pub/Sub
    "SENDGRID_MAX_ATTEMPTS": "1",  # one try per delivery: Pub/Sub's retries are under test
    "NOTIFICATION_LEASE_SECONDS": "10",
    "RATE_LIMIT_IP_WRITES": "100000",
    "RATE_LIMIT_IP_READS": "100000",
    "RATE_LIMIT_KEY_REQUESTS": "100000",
    # The relay asks whether each published event was recorded 30 s after its publish:
    # after a message failing every delivery has reached the dead-letter inbox (5 attempts
    # at 1-2 s), so the dead-letter test sees that path alone, and before the notify-down
    # test's patience runs out.
    "HANDOFF_GRACE_SECONDS": "30",
}


def fast_topology() -> dict[str, Any]:
    """The real topology with retries a test can wait for (Pub/Sub retries after 1-2 s
    instead of 10-600 s); dead-lettering after 5 attempts, as in production."""
    topology = load_topology()
    for spec in topology["subscriptions"]:
        if spec.get("dead_letter_topic"):
            spec.update(min_backoff_seconds=1, max_backoff_seconds=2, ack_deadline_seconds=30)
    return topology


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the clients created inside the block only (the
    Google clients read the emulator hosts when they are constructed)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class FaultStack:
    """The stack, its processes, and the faults a test can inject."""

    ports: Ports
    env: dict[str, str]
    gate: TcpGate
    ad: Adapters
    firestore_host: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    pubsub_backend: int = 0

    @property
    def ingest_url(self) -> str:
        return self.ports.ingest_url

    @property
    def sink_url(self) -> str:
        return self.ports.sink_url

    # -- starting pieces -------------------------------------------------------------
    def start_pubsub(self) -> None:
        """A fresh Pub/Sub emulator behind the gate, its topology applied first."""
        self.pubsub_backend = procs.free_port()
        emulator = emulators.pubsub(self.pubsub_backend)
        self.processes["pubsub"] = emulators.start(emulator, LOGS / "faults-pubsub.log")
        with _environment(PUBSUB_EMULATOR_HOST=emulator.host_port):
            apply_topology(PROJECT, self.ports.functions, fast_topology())
        self.gate.open(self.pubsub_backend)

    def start_sink(self) -> None:
        store = ARTIFACTS / "faults" / "mail.jsonl"
        store.parent.mkdir(parents=True, exist_ok=True)
        self.processes["sink"] = procs.start(
            sink_command(self.ports.sink, store),
            f"{self.sink_url}/healthz",
            LOGS / "faults-sink.log",
        )

    # -- faults ------------------------------------------------------------------------
    def pubsub_down(self) -> None:
        """Pub/Sub unreachable, its emulator killed."""
        self.gate.close()
        procs.stop(self.processes.pop("pubsub"))

    def pubsub_up(self) -> None:
        """Pub/Sub back, with its topology."""
        self.start_pubsub()

    def freeze(self, name: str) -> None:
        """SIGSTOP every process of `name` (firestore, pubsub)."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGCONT)

    def start_function(self, name: str) -> None:
        """Start (again) one function's process, as `make dev`'s supervisor does."""
        port = self.ports.functions[name]
        self.processes[name] = procs.start(
            function_command(name, port),
            f"http://127.0.0.1:{port}/healthz",
            LOGS / f"faults-{name}.log",
            env=self.env,
        )

    def kill_function(self, name: str) -> None:
        """Kill one function's whole process group (its port refuses connections)."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def sink_down(self) -> None:
        procs.stop(self.processes.pop("sink"))

    def sink_up(self) -> None:
        self.start_sink()

    # -- looking -----------------------------------------------------------------------
    def post(
        self, path: str, body: dict, key: str | None = None, timeout: float = 30
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return requests.post(
            f"{self.ingest_url}{path}", json=body, headers=headers, timeout=timeout
        )

    def grantmatch(self, *args: str) -> str:
        """Run the `grantmatch` command against this stack; its standard output."""
        command = [sys.executable, "-m", "shared.cli", *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str]) -> None:
        """Publish bytes as any client could (through the gate, like the functions)."""
        with _environment(PUBSUB_EMULATOR_HOST=f"127.0.0.1:{self.ports.pubsub}"):
            # The client is created on the first publish: inside the block.
            PubSubPublisher(PROJECT, 5.0).publish_raw(topic, data, attributes)

    def emails(self) -> list[dict[str, Any]]:
        return sink_messages(self.sink_url)

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if condition():
                    return
            time.sleep(0.25)
        raise TimeoutError(f"{what}: not after {timeout:.0f}s")


@pytest.fixture(scope="session")
def fault_stack(it_env: None) -> Iterator[FaultStack]:
    """Start everything on free ports; stop everything at the end, whatever happened."""
    gate_port = procs.free_port()
    ports = Ports(
        procs.free_port(),
        gate_port,
        procs.free_port(),
        {name: procs.free_port() for name in FUNCTIONS},
    )
    env = stack_env(ports, PROJECT, ENV)
    stack: FaultStack | None = None
    started: dict[str, subprocess.Popen] = {}
    try:
        firestore_emulator = emulators.firestore(ports.firestore)
        started["firestore"] = emulators.start(firestore_emulator, LOGS / "faults-firestore.log")
        with _environment(FIRESTORE_EMULATOR_HOST=firestore_emulator.host_port):
            client = firestore.Client(project=PROJECT)
        ad = on_firestore(
            settings=Settings(google_cloud_project=PROJECT),
            client=client,
            publisher=None,  # type: ignore[arg-type] - the test publishes nothing itself
            sender=None,  # type: ignore[arg-type] - the stack's notify function sends
        )
        stack = FaultStack(
            ports, env, TcpGate(gate_port, 0), ad, firestore_emulator.host_port, started
        )
        stack.start_pubsub()
        stack.start_sink()
        for name in FUNCTIONS:
            stack.start_function(name)
        with (LOGS / "faults-relay.log").open("ab") as log:
            stack.processes["relay"] = subprocess.Popen(
                relay_command(every=0.5),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        yield stack
    finally:
        if stack is not None:
            stack.gate.close()
        for process in started.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGCONT)  # a frozen process cannot stop
            procs.stop(process)


@pytest.fixture
def faults(fault_stack: FaultStack) -> FaultStack:
    """The fault stack with an empty database and mailbox."""
    emulators.reset_firestore(fault_stack.firestore_host, PROJECT)
    clear_sink(fault_stack.sink_url)
    return fault_stack
