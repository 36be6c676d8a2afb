"""The local stack for benchmarks: the same processes as `make dev`, on free ports, with
the alert window and the relay interval chosen per measurement.

The emulators and the sink start once; the functions and the relay are restarted for each
measurement (`restart_functions`), so every phase starts cold and each process's peak
memory (VmHWM) belongs to that phase alone. Nothing here depends on `make dev` running.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import requests

from dev import emulators, procs
from dev.services import (
    FUNCTIONS,
    REPO,
    Ports,
    function_command,
    relay_command,
    sink_command,
    stack_env,
)
from dev.topology import apply_topology

PROJECT = "grantmatch-bench"
LOGS = REPO / "test-artifacts" / "logs" / "bench"
SHARED_ENV = (
    "GOOGLE_CLOUD_PROJECT",
    "FIRESTORE_EMULATOR_HOST",
    "PUBSUB_EMULATOR_HOST",
    "SENDGRID_API_HOST",
    "SENDGRID_API_KEY",
    "LINK_SIGNING_SECRET",
    "PUBLIC_BASE_URL",
)


@dataclass(frozen=True)
class Timing:
    """How one phase runs the alert pipeline."""

    window_seconds: float  # ALERT_BATCH_WINDOW_SECONDS (2 locally, 60 in production)
    relay_every: float  # seconds between relay passes (2 locally, 60 in production)

    @property
    def label(self) -> str:
        """E.g. `window 2s, relay every 2s`."""
        return f"window {self.window_seconds:g}s, relay every {self.relay_every:g}s"


#: One funder key posts every grant of a run, far past the per-key limit (120 a minute):
#: the benchmark measures the chain, not the limiter. The limiter still runs and its
#: counter write is still paid on every request.
BENCH_LIMITS = {"RATE_LIMIT_KEY_REQUESTS": "1000000"}

#: As designed for the local stack (dev/services.py, dev/stack.py).
DESIGNED = Timing(window_seconds=2, relay_every=2.0)
#: The processing latency alone: no batching window and a relay that polls fast.
PROCESSING = Timing(window_seconds=0, relay_every=0.25)


@dataclass
class BenchStack:
    """The running stack: ports, environment, and the processes by name."""

    ports: Ports
    env: dict[str, str]
    infra: list[subprocess.Popen] = field(default_factory=list)
    functions: dict[str, subprocess.Popen] = field(default_factory=dict)
    relay: subprocess.Popen | None = None
    phase: str = "setup"

    @property
    def ingest_url(self) -> str:
        return self.ports.ingest_url

    @property
    def sink_url(self) -> str:
        return self.ports.sink_url

    def log_path(self, name: str) -> Path:
        """Where a process of the current phase writes its output."""
        return LOGS / f"{self.phase}-{name}.log"

    def restart_functions(self, phase: str, timing: Timing, traced: bool = False) -> None:
        """Stop the functions and the relay, empty the database and the mailbox, and start
        fresh processes with this timing (logs under test-artifacts/logs/bench/); `traced`
        times every I/O call (bench/traced.py)."""
        self.stop_functions()
        self.phase = phase
        emulators.reset_firestore(self.env["FIRESTORE_EMULATOR_HOST"], PROJECT)
        requests.delete(f"{self.sink_url}/api/messages", timeout=10).raise_for_status()
        env = {
            **self.env,
            **BENCH_LIMITS,
            "ALERT_BATCH_WINDOW_SECONDS": f"{timing.window_seconds:g}",
        }
        for name in FUNCTIONS:
            log = self.log_path(name)
            log.unlink(missing_ok=True)
            port = self.ports.functions[name]
            command = _traced(function_command(name, port), traced)
            self.functions[name] = procs.start(
                command, f"http://127.0.0.1:{port}/healthz", log, env=env
            )
        log = self.log_path("relay")
        log.unlink(missing_ok=True)
        with log.open("ab") as out:
            self.relay = subprocess.Popen(
                _traced(relay_command(every=timing.relay_every), traced),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    def stop_functions(self) -> None:
        """Stop the three functions and the relay (the emulators and sink keep running)."""
        for process in [*self.functions.values(), *([self.relay] if self.relay else [])]:
            procs.stop(process)
        self.functions.clear()
        self.relay = None

    def stop(self) -> None:
        """Stop everything this stack started."""
        self.stop_functions()
        for process in self.infra:
            procs.stop(process)
        self.infra.clear()


def _traced(command: list[str], traced: bool) -> list[str]:
    """`python -m MODULE ARGS` as `python -m bench.traced MODULE ARGS` when traced."""
    if not traced:
        return command
    assert command[1] == "-m", command
    return [command[0], "-m", "bench.traced", *command[2:]]


def start_stack() -> BenchStack:
    """Emulators and sink on free ports, the topology applied; functions not yet running."""
    emulators.check_installed()
    ports = Ports(
        procs.free_port(),
        procs.free_port(),
        procs.free_port(),
        {name: procs.free_port() for name in FUNCTIONS},
    )
    env = stack_env(ports, PROJECT)
    stack = BenchStack(ports, env)
    LOGS.mkdir(parents=True, exist_ok=True)
    try:
        for emulator in (emulators.firestore(ports.firestore), emulators.pubsub(ports.pubsub)):
            stack.infra.append(emulators.start(emulator, LOGS / f"{emulator.name}.log"))
        stack.infra.append(
            procs.start(
                sink_command(ports.sink, None), f"{stack.sink_url}/healthz", LOGS / "sink.log"
            )
        )
        use_stack(stack)
        apply_topology(PROJECT, ports.functions)
    except BaseException:
        stack.stop()
        raise
    return stack


def use_stack(stack: BenchStack) -> None:
    """Point this process's settings and clients at the stack (the benchmark seeds and
    inspects Firestore, publishes and reads the mailbox like any other process of it)."""
    from shared.runtime.bootstrap import adapters
    from shared.runtime.config import get_settings

    os.environ.update({key: stack.env[key] for key in SHARED_ENV})
    get_settings.cache_clear()
    adapters.cache_clear()
