"""A toy stack for the supervisor's tests: small Python processes in place of the
functions, run by the same `dev.supervisor.Supervisor` that `make dev` uses, with short
delays so a crash loop plays out in seconds.

    python -m tests.e2e.toy_stack DIR [--crasher]

Each sleeper starts a child of its own in its group (as gunicorn's master starts a
worker) and appends "<pid> <child pid>" to DIR/<name>.pids at every start. `sleeper-c`
ignores SIGTERM, so stopping it needs the SIGKILL that follows. `--crasher` adds a
program that exits with code 3 as soon as it has written its pids.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dev.supervisor import Backoff, Program, Supervisor

# Not dev.services.REPO: that import pulls in the Pub/Sub client, seconds per child here.
REPO = Path(__file__).resolve().parents[2]

SLEEPERS = ("sleeper-a", "sleeper-b", "sleeper-c")
BACKOFF = Backoff(first=0.2, longest=1.0, give_up_after=3, stable=5.0)


def child(name: str, folder: Path, exit_code: int | None) -> None:
    """One supervised program: a grandchild in its group, its pids written, then sleep."""
    if name == "sleeper-c":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with (folder / f"{name}.pids").open("a") as pids:
        pids.write(f"{os.getpid()} {grandchild.pid}\n")
    print(f"{name} up", flush=True)
    if exit_code is not None:
        sys.exit(exit_code)
    time.sleep(600)


def programs(folder: Path, crasher: bool) -> list[Program]:
    """The sleepers (and the crasher), each restarted when it dies."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    base = [sys.executable, "-m", "tests.e2e.toy_stack", str(folder), "--child"]
    found = [Program(name, [*base, name], env) for name in SLEEPERS]
    if crasher:
        found.append(Program("crasher", [*base, "crasher", "--exit", "3"], env))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--crasher", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--exit", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder, args.exit)
        return
    supervisor = Supervisor(programs(args.folder, args.crasher), backoff=BACKOFF, stop_timeout=2)
    sys.exit(supervisor.run())


if __name__ == "__main__":
    main()
