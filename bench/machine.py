"""The machine a benchmark ran on, and how busy it was: figures mean nothing without it.

The machine is shared (other engineers run test suites on it), so every measurement
records the load average at its start and end, and a full run first waits for a quiet
machine.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from dev import emulators


def loadavg() -> list[float]:
    """The 1-, 5- and 15-minute load averages (/proc/loadavg)."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def wait_until_quiet(below: float, max_wait: float, every: float = 15.0) -> dict[str, Any]:
    """Wait (at most `max_wait` seconds) until the 1-minute load average is under `below`;
    returns how long it waited and the load it started from."""
    began, first = time.monotonic(), loadavg()
    while loadavg()[0] >= below and time.monotonic() - began < max_wait:
        print(f"  waiting for a quiet machine: load {loadavg()[0]:.2f} >= {below}", flush=True)
        time.sleep(every)
    return {
        "threshold": below,
        "waited_seconds": round(time.monotonic() - began),
        "load_before_wait": first,
        "load_after_wait": loadavg(),
        "quiet": loadavg()[0] < below,
    }


def cpu_model(cpuinfo: str) -> str:
    """The `model name` line of /proc/cpuinfo."""
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _component_version(sdk: Path, component: str) -> str | None:
    try:
        snapshot = json.loads((sdk / ".install" / f"{component}.snapshot.json").read_text())
    except (OSError, ValueError):
        return None
    for item in snapshot.get("components", []):
        if item.get("id") == component:
            return item["version"]["version_string"]
    return None


def _java_version() -> str:
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return (out.stderr.splitlines() or ["unknown"])[0]


def _git(*args: str) -> str:
    out = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def describe() -> dict[str, Any]:
    """CPU, cores, RAM, Python, emulators, Java, and the commit being measured."""
    sdk = emulators.sdk_root()
    meminfo = Path("/proc/meminfo").read_text().split()
    ram_kib = int(meminfo[meminfo.index("MemTotal:") + 1])
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "cpu": cpu_model(Path("/proc/cpuinfo").read_text()),
        "cores": os.cpu_count(),
        "ram_gib": round(ram_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "firestore_emulator": _component_version(sdk, "cloud-firestore-emulator"),
        "pubsub_emulator": _component_version(sdk, "pubsub-emulator"),
        "gcloud": (sdk / "VERSION").read_text().strip() if (sdk / "VERSION").exists() else None,
        "java": _java_version(),
        "commit": _git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else ""),
    }
