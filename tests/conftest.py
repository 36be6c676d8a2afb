"""Test session fixtures: the real emulators and the real mail sink, started once.

Integration tests run the services in-process against project `grantmatch-it`; the
end-to-end stack runs as separate processes against project `grantmatch-e2e`, so the
functions of one never see the data of the other even though they share emulators.
Unit tests use none of this.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from dev import emulators, procs
from dev.services import REPO, sink_command

ARTIFACTS = REPO / "test-artifacts"
IT_PROJECT = "grantmatch-it"


@dataclass(frozen=True)
class Emulators:
    """Where the session's emulators listen."""

    firestore: str
    pubsub: str


@pytest.fixture(scope="session")
def emulator_hosts() -> Iterator[Emulators]:
    """Start both official emulators on free ports; fail loudly if they are missing."""
    try:
        emulators.check_installed()
    except emulators.EmulatorsMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    started: list[subprocess.Popen] = []
    try:
        fs = emulators.firestore(procs.free_port())
        ps = emulators.pubsub(procs.free_port())
        for emulator in (fs, ps):
            started.append(emulators.start(emulator, ARTIFACTS / "logs" / f"{emulator.name}.log"))
        yield Emulators(fs.host_port, ps.host_port)
    finally:
        for process in started:
            procs.stop(process)


@pytest.fixture(scope="session")
def sink_url() -> Iterator[str]:
    """The local SendGrid-compatible sink, as a process (in-memory mailbox)."""
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    process = procs.start(
        sink_command(port, None), f"{url}/healthz", ARTIFACTS / "logs" / "sink.log"
    )
    yield url
    procs.stop(process)


@pytest.fixture(scope="session")
def it_env(emulator_hosts: Emulators, sink_url: str) -> Iterator[None]:
    """Point this process's settings and clients at the emulators and the sink."""
    from shared.runtime.bootstrap import adapters
    from shared.runtime.config import get_settings

    saved = dict(os.environ)
    os.environ.update(
        {
            "GOOGLE_CLOUD_PROJECT": IT_PROJECT,
            "FIRESTORE_EMULATOR_HOST": emulator_hosts.firestore,
            "PUBSUB_EMULATOR_HOST": emulator_hosts.pubsub,
            "SENDGRID_API_HOST": sink_url,
            "SENDGRID_API_KEY": "SG.test-key",
            # Retries wait for real; keep them short in tests.
            "SENDGRID_MAX_ATTEMPTS": "3",
            # Generated per session, as the local stack does; never a value in the repo.
            "LINK_SIGNING_SECRET": secrets.token_urlsafe(32),
            # In-process tests decide when alerts are due; the window is tested apart.
            "ALERT_BATCH_WINDOW_SECONDS": "0",
            "PUBLIC_BASE_URL": "https://gm.example.org",
        }
    )
    get_settings.cache_clear()
    adapters.cache_clear()
    yield
    os.environ.clear()
    os.environ.update(saved)
    get_settings.cache_clear()
    adapters.cache_clear()


def clear_sink(sink_url: str) -> None:
    """Forget every email and queued fault."""
    requests.delete(f"{sink_url}/api/messages", timeout=5).raise_for_status()


def sink_messages(sink_url: str) -> list[dict]:
    """Every email the sink received, oldest first."""
    return requests.get(f"{sink_url}/api/messages", timeout=5).json()["messages"]


def artifacts_dir(name: str) -> Path:
    """A folder under test-artifacts/ for files a test leaves for people to look at."""
    path = ARTIFACTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path
