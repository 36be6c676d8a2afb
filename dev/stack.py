"""The whole local stack in one command: both emulators, the three functions, the mail
sink, the outbox relay, and a demo that proves the chain works end to end.

    python -m dev.stack            # run until Ctrl-C (make dev)
    python -m dev.stack --smoke    # run the demo, then stop everything (exit code = result)

honcho runs each piece as its own process group and stops them all on Ctrl-C, or when
one of them exits (which is how --smoke ends).
"""

from __future__ import annotations

import argparse
import shlex
import sys

from honcho.manager import Manager

from dev import emulators
from dev.services import (
    FUNCTIONS,
    REPO,
    Ports,
    function_command,
    relay_command,
    sink_command,
    stack_env,
)

LOGS = REPO / ".local" / "logs"
MAILBOX = REPO / ".local" / "mail.jsonl"


def _join(command: list[str]) -> str:
    return shlex.join(command)


def build_manager(ports: Ports, smoke: bool) -> Manager:
    """Every process of the stack, wired to the same ports and project."""
    env = stack_env(ports)
    manager = Manager()
    # Emulator chatter (stack traces for every expected AlreadyExists) goes to log files.
    for emulator in (emulators.firestore(ports.firestore), emulators.pubsub(ports.pubsub)):
        log = LOGS / f"{emulator.name}.log"
        manager.add_process(emulator.name, f"exec {_join(emulator.command)} >>{log} 2>&1", env=env)
    manager.add_process("sink", _join(sink_command(ports.sink, MAILBOX)), env=env)
    for name in FUNCTIONS:
        manager.add_process(name, _join(function_command(name, ports.functions[name])), env=env)
    manager.add_process("relay", _join(relay_command()), env=env)
    demo = [sys.executable, "-m", "dev.demo", *(["--smoke"] if smoke else [])]
    manager.add_process("demo", _join(demo), env=env)
    return manager


def main() -> None:
    """Start everything; exit with the demo's result in --smoke mode."""
    parser = argparse.ArgumentParser(description="Run the Grant Match local stack.")
    parser.add_argument("--smoke", action="store_true", help="run the demo once, then stop")
    args = parser.parse_args()
    try:
        emulators.check_installed()
    except emulators.EmulatorsMissing as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    LOGS.mkdir(parents=True, exist_ok=True)
    # The emulators start empty, so the mailbox does too; the sink keeps it across its
    # own restarts within one run.
    MAILBOX.unlink(missing_ok=True)
    manager = build_manager(Ports(), args.smoke)
    manager.loop()
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
