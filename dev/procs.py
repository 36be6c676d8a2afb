"""Start and stop background processes (each in its own process group) for tests and
tools that start pieces one by one (`make dev` uses dev/supervisor.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import requests


def free_port() -> int:
    """A TCP port nobody listens on right now (so tests can run beside the dev stack)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers HTTP at all; fail early if `process` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"{url}: process exited with {process.returncode} before it was ready"
            )
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up within {timeout:.0f}s")


def start(
    command: list[str],
    ready_url: str,
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> subprocess.Popen:
    """Start `command` in a new process group, logging to `log_path`; wait for `ready_url`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(env) if env is not None else None,
        )
    try:
        wait_until_up(ready_url, timeout, process)
    except BaseException:
        stop(process)
        raise
    return process


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop a process and everything in its group (gcloud starts a Java child, which
    may outlive its parent)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        process.poll()
        return
    try:
        process.wait(timeout)
        time.sleep(0.2)
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group, if any
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)
