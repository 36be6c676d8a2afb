"""A small process supervisor for the local stack (what honcho did, minus its habit of
stopping everything when one process dies).

Each program runs in its own process group. When a function, the mail sink or the relay
dies, the supervisor kills what is left of its group (gunicorn's worker outlives a
killed master and keeps the port), says so in one line, and starts it again after a
delay that doubles with each quick crash in a row, up to a cap; after too many quick
crashes it leaves that program down and keeps the rest running. The emulators hold the
stack's data, so their exit stops the stack; the demo's exit ends it too (`--smoke`).
Ctrl-C, SIGTERM or SIGHUP stop every group, newest layer first, and leave nothing behind.
"""

from __future__ import annotations

import contextlib
import enum
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


class OnExit(enum.Enum):
    """What the stack does when a program exits on its own."""

    RESTART = "restart"  # a function, the sink, the relay: start it again
    STOP = "stop"  # the demo: the stack ends, with the program's exit code
    FAIL = "fail"  # an emulator: the stack cannot work without it, it ends with an error


@dataclass(frozen=True)
class Program:
    """One process of the stack and how to treat it."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str] | None = None
    # Its output goes to this file instead of the console (the emulators are chatty).
    log: Path | None = None
    on_exit: OnExit = OnExit.RESTART
    # Lower layers start first and stop last: the emulators (0) outlive the functions,
    # so `before_stop` can still read the database once nothing writes to it any more.
    layer: int = 1
    # Run while the program still runs, just before it is stopped; what it returns (if
    # anything) is said on the console.
    before_stop: Callable[[], str | None] | None = None


@dataclass(frozen=True)
class Backoff:
    """How long to wait before a restart, and when to stop trying."""

    first: float = 1.0
    longest: float = 30.0
    # Crashes in a row, each after less than `stable` seconds of running, before the
    # supervisor gives up on the program.
    give_up_after: int = 5
    stable: float = 30.0

    def delay(self, streak: int) -> float:
        """The wait before the restart that follows the `streak`-th quick crash in a row."""
        return min(self.first * 2 ** (streak - 1), self.longest)


@dataclass(frozen=True)
class Periodic:
    """Something to do every `every` seconds while the stack runs (an autosave)."""

    name: str
    every: float
    action: Callable[[], object]


@dataclass
class _Run:
    program: Program
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    streak: int = 0
    restart_at: float | None = None
    reader: threading.Thread | None = None


def describe_exit(code: int) -> str:
    """`1`, or `-9 (SIGKILL)` for a process ended by a signal."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"{code} ({signal.Signals(-code).name})"
    return str(code)


def _signal_group(pgid: int, sig: int) -> bool:
    """Send `sig` to a whole process group; False if the group is already gone."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class Supervisor:
    """Start programs, restart the ones that die, stop them all on request."""

    def __init__(
        self,
        programs: Sequence[Program],
        *,
        backoff: Backoff | None = None,
        periodic: Sequence[Periodic] = (),
        out: TextIO | None = None,
        stop_timeout: float = 10.0,
        tick: float = 0.1,
    ) -> None:
        self._runs = [_Run(program) for program in sorted(programs, key=lambda p: p.layer)]
        self._backoff = backoff or Backoff()
        self._periodic = [(task, time.monotonic() + task.every) for task in periodic]
        self._out = out or sys.stdout
        self._stop_timeout = stop_timeout
        self._tick = tick
        self._lock = threading.Lock()
        self._stop_code: int | None = None
        self._signal: int | None = None
        self._width = max((len(p.name) for p in programs), default=0)
        self._width = max(self._width, len("supervisor"))

    # -- the console -------------------------------------------------------------------
    def say(self, message: str, source: str = "supervisor") -> None:
        """One line on the console, prefixed with the time and who says it."""
        with self._lock:
            stamp = time.strftime("%H:%M:%S")
            self._out.write(f"{stamp} {source:<{self._width}} | {message}\n")
            self._out.flush()

    def _relay_output(self, name: str, stream: TextIO) -> None:
        for line in stream:
            self.say(line.rstrip("\n"), name)
        stream.close()

    # -- running -------------------------------------------------------------------------
    def request_stop(self, code: int = 0) -> None:
        """Stop the stack at the next tick (safe from a signal handler or a thread)."""
        if self._stop_code is None:
            self._stop_code = code

    def run(self) -> int:
        """Run until asked to stop (Ctrl-C, SIGTERM, SIGHUP) or a STOP/FAIL program ends;
        return the stack's exit code."""
        previous = {
            sig: signal.signal(sig, self._on_signal)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        try:
            for run in self._runs:
                self._start(run)
            while self._stop_code is None:
                self._check()
                time.sleep(self._tick)
        finally:
            if self._signal is not None:
                self.say(f"{signal.Signals(self._signal).name} received: stopping every process")
            self._stop_all()
            self.say("every process stopped")
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self._stop_code or 0

    def _on_signal(self, signum: int, _frame: object) -> None:
        # Only note it: the main thread may be holding the console lock right now.
        if self._stop_code is None:
            self._signal = signum
        self.request_stop(0)

    def _start(self, run: _Run) -> None:
        program = run.program
        log = None
        if program.log is not None:
            program.log.parent.mkdir(parents=True, exist_ok=True)
            log = program.log.open("ab")
        try:
            process = subprocess.Popen(
                list(program.command),
                stdin=subprocess.DEVNULL,
                stdout=log if log is not None else subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=dict(program.env) if program.env is not None else None,
                # Its own session and group: Ctrl-C reaches only the supervisor, which
                # then stops each group on purpose, and a group can be killed whole.
                start_new_session=True,
                text=log is None,
                encoding="utf-8" if log is None else None,
                errors="replace" if log is None else None,
            )
        finally:
            if log is not None:
                log.close()
        run.process, run.started_at, run.restart_at = process, time.monotonic(), None
        if process.stdout is not None:
            run.reader = threading.Thread(
                target=self._relay_output, args=(program.name, process.stdout), daemon=True
            )
            run.reader.start()
        where = f", output in {program.log}" if program.log else ""
        self.say(f"started {program.name} (pid {process.pid}{where})")

    def _check(self) -> None:
        now = time.monotonic()
        for run in self._runs:
            if run.process is not None and run.process.poll() is not None:
                self._exited(run, now)
                if self._stop_code is not None:
                    return
            if run.restart_at is not None and now >= run.restart_at:
                self._start(run)
        for index, (task, due) in enumerate(self._periodic):
            if now >= due:
                self._attempt(task.name, task.action)
                self._periodic[index] = (task, time.monotonic() + task.every)

    def _exited(self, run: _Run, now: float) -> None:
        process = run.process
        assert process is not None
        program, code = run.program, process.returncode
        _signal_group(process.pid, signal.SIGKILL)  # what the dead process left behind
        run.process = None
        what = f"{program.name} (pid {process.pid}) exited with code {describe_exit(code)}"
        if program.on_exit is OnExit.STOP:
            self.say(f"{what}: stopping the stack")
            self.request_stop(code if code >= 0 else 128 - code)
            return
        if program.on_exit is OnExit.FAIL:
            log = f" (its log: {program.log})" if program.log else ""
            self.say(f"{what}; the stack cannot run without it: stopping everything{log}")
            self.request_stop(code if code > 0 else 1)
            return
        run.streak = run.streak + 1 if now - run.started_at < self._backoff.stable else 1
        if run.streak > self._backoff.give_up_after:
            self.say(
                f"{what}, crash {run.streak} in a row: not restarting it again "
                f"(the rest of the stack keeps running; fix it, then restart the stack)"
            )
            return
        delay = self._backoff.delay(run.streak)
        run.restarts += 1
        run.restart_at = now + delay
        self.say(f"{what}; restarting in {delay:g}s (restart {run.restarts})")

    def _attempt(self, name: str, action: Callable[[], object]) -> object:
        try:
            return action()
        except Exception as exc:  # a failed autosave must not stop the stack
            self.say(f"{name} failed: {type(exc).__name__}: {exc}")
            return None

    # -- stopping ------------------------------------------------------------------------
    def _stop_all(self) -> None:
        """Stop the newest layer first; within a layer, every group at once."""
        for layer in sorted({run.program.layer for run in self._runs}, reverse=True):
            self._stop_layer([run for run in self._runs if run.program.layer == layer])

    def _stop_layer(self, runs: list[_Run]) -> None:
        for run in runs:
            run.restart_at = None
            if run.program.before_stop is not None and _alive(run):
                said = self._attempt(f"{run.program.name}: before stop", run.program.before_stop)
                if isinstance(said, str):
                    self.say(said)
        live = [run.process for run in runs if run.process is not None]
        for process in live:
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self._stop_timeout
        for process in live:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.0, deadline - time.monotonic()))
        for process in live:
            # Anything that ignored SIGTERM, and children that outlived their leader.
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        for run in runs:
            if run.reader is not None:
                run.reader.join(timeout=1.0)
            run.process = None


def _alive(run: _Run) -> bool:
    return run.process is not None and run.process.poll() is None
