"""What the kernel knows about a process tree: peak and current memory, CPU time.

Read from /proc (Linux), so a benchmark needs no extra dependency. A functions-framework
process is a gunicorn master and its worker: a function's footprint is the whole tree.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_status(text: str) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status (VmHWM, VmRSS, ...) as KiB integers."""
    figures = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            figures[key] = int(parts[0])
    return figures


def parse_stat(text: str) -> tuple[int, float]:
    """(parent pid, user+system CPU seconds) from /proc/<pid>/stat."""
    # The command name may contain spaces and parentheses: split after the last ')'.
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def tree(root: int) -> list[int]:
    """`root` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _read(entry / "stat")
        if stat is None:
            continue
        parent, _ = parse_stat(stat)
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if (PROC / str(pid)).exists():
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """User+system CPU seconds used so far by the live processes of a tree."""
    total = 0.0
    for pid in tree(root):
        stat = _read(PROC / str(pid) / "stat")
        if stat is not None:
            total += parse_stat(stat)[1]
    return total


def parse_cpu_line(text: str) -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine from /proc/stat's `cpu` line
    (idle and iowait are not busy; guest time is already counted in user time)."""
    for line in text.splitlines():
        if line.startswith("cpu "):
            ticks = [int(x) for x in line.split()[1:9]]
            idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
            return (sum(ticks) - idle) / CLOCK_TICKS, sum(ticks) / CLOCK_TICKS
    raise ValueError("no cpu line in /proc/stat")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot, all cores together."""
    return parse_cpu_line((PROC / "stat").read_text())[0]


def pss_kib(pid: int) -> int:
    """Proportional set size: shared pages split among their sharers, so the PSS of a
    gunicorn master and its forked worker add up to what they really occupy."""
    text = _read(PROC / str(pid) / "smaps_rollup")
    return parse_status(text).get("Pss", 0) if text else 0


def peak_rss_kib(pid: int) -> int:
    """The kernel's high-water mark of this process's resident memory (VmHWM)."""
    text = _read(PROC / str(pid) / "status")
    return parse_status(text).get("VmHWM", 0) if text else 0


@dataclass
class MemorySampler:
    """Samples each named tree's total PSS every `every` seconds in a thread, keeping the
    peak; VmHWM per process is read at the end (the kernel never misses a peak)."""

    roots: Callable[[], dict[str, int]]
    every: float = 0.5
    peak_pss_kib: dict[str, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        """Take one sample of every tree."""
        for name, root in self.roots().items():
            total = sum(pss_kib(pid) for pid in tree(root))
            self.peak_pss_kib[name] = max(self.peak_pss_kib.get(name, 0), total)

    def stop(self) -> dict[str, dict[str, float]]:
        """Stop sampling; per tree: peak PSS of the tree and the largest VmHWM in it, MiB."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()
        result = {}
        for name, root in self.roots().items():
            hwm = max((peak_rss_kib(pid) for pid in tree(root)), default=0)
            result[name] = {
                "peak_pss_mib": round(self.peak_pss_kib.get(name, 0) / 1024, 1),
                "max_process_hwm_mib": round(hwm / 1024, 1),
            }
        return result
