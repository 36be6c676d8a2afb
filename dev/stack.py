"""The whole local stack in one command: both emulators, the three functions, the mail
sink, the outbox relay, and a demo that proves the chain works end to end.

    python -m dev.stack              # run until Ctrl-C (make dev)
    python -m dev.stack --smoke      # run the demo, then stop everything (exit code = result)
    python -m dev.stack --keep-data  # start from the data the last --keep-data run left
                                     # (make dev KEEP_DATA=1)

dev/supervisor.py runs each piece as its own process group. A function, the sink or the
relay that dies is restarted (with a growing delay, and given up after five quick crashes
in a row) while everything else keeps running; an emulator that dies, or the demo ending
(--smoke), stops the stack. Ctrl-C stops everything.

Without --keep-data every run starts empty, as the emulators do. With it, the Firestore
database is exported to `.local/kept/firestore/` when the stack stops (and every 30 s
while it runs) and imported when it starts; the mailbox and the link-signing secret are
kept beside it, so the links in kept emails still work. Pub/Sub keeps nothing: the demo
creates its topics at every start, and the outbox is in Firestore.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dev import emulators
from dev.services import (
    FUNCTIONS,
    PROJECT,
    Ports,
    function_command,
    local_dir,
    relay_command,
    sink_command,
    stack_env,
)
from dev.supervisor import OnExit, Periodic, Program, Supervisor

AUTOSAVE_SECONDS = 30.0


@dataclass(frozen=True)
class Layout:
    """Where one run keeps its files: everything a --keep-data run needs again is under
    `kept/` (delete that folder to start over)."""

    root: Path
    keep: bool

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def kept(self) -> Path:
        return self.root / "kept"

    @property
    def mailbox(self) -> Path:
        return (self.kept if self.keep else self.root) / "mail.jsonl"

    @property
    def firestore_data(self) -> Path:
        return self.kept / "firestore"

    @property
    def secret_file(self) -> Path:
        return self.kept / "link-signing-secret"


def kept_secret(layout: Layout) -> str:
    """The link-signing secret of the kept data (made once, mode 600), so a link in a kept
    email still opens after a restart."""
    path = layout.secret_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def build_programs(
    ports: Ports, smoke: bool, layout: Layout
) -> tuple[list[Program], list[Periodic]]:
    """Every process of the stack, wired to the same ports and project, and the autosave."""
    extra = {}
    if layout.keep and not os.environ.get("LINK_SIGNING_SECRET"):
        extra["LINK_SIGNING_SECRET"] = kept_secret(layout)
    env = stack_env(ports, extra=extra)
    snapshot = emulators.firestore_snapshot(layout.firestore_data) if layout.keep else None
    firestore = emulators.firestore(ports.firestore, snapshot)
    pubsub = emulators.pubsub(ports.pubsub)

    def save() -> str:
        emulators.export_firestore(firestore.host_port, PROJECT, layout.firestore_data)
        return f"Firestore data saved to {layout.firestore_data}"

    programs = [
        # Emulator chatter (stack traces for every expected AlreadyExists) goes to files.
        Program(
            "firestore",
            firestore.command,
            env,
            log=layout.logs / "firestore.log",
            on_exit=OnExit.FAIL,
            layer=0,
            before_stop=save if layout.keep else None,
        ),
        Program(
            "pubsub",
            pubsub.command,
            env,
            log=layout.logs / "pubsub.log",
            on_exit=OnExit.FAIL,
            layer=0,
        ),
        Program("sink", sink_command(ports.sink, layout.mailbox), env),
        *(Program(name, function_command(name, ports.functions[name]), env) for name in FUNCTIONS),
        Program("relay", relay_command(), env),
        Program(
            "demo",
            [sys.executable, "-m", "dev.demo", *(["--smoke"] if smoke else [])],
            env,
            on_exit=OnExit.STOP,
        ),
    ]
    periodic = [Periodic("Firestore autosave", AUTOSAVE_SECONDS, save)] if layout.keep else []
    return programs, periodic


def _kept_data_line(layout: Layout) -> str:
    snapshot = emulators.firestore_snapshot(layout.firestore_data)
    if snapshot is None:
        firestore = "Firestore starts empty (nothing saved yet)"
    else:
        saved = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(snapshot.stat().st_mtime))
        firestore = f"Firestore from the export of {saved}"
    return f"keeping data in {layout.kept}: {firestore}; the mailbox is kept too"


def main() -> None:
    """Start everything; exit with the demo's result in --smoke mode."""
    parser = argparse.ArgumentParser(description="Run the Grant Match local stack.")
    parser.add_argument("--smoke", action="store_true", help="run the demo once, then stop")
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="start from the Firestore data and mailbox the last --keep-data run left, "
        "and keep them when this one stops",
    )
    args = parser.parse_args()
    try:
        emulators.check_installed()
    except emulators.EmulatorsMissing as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    layout = Layout(local_dir(), args.keep_data)
    layout.logs.mkdir(parents=True, exist_ok=True)
    if not layout.keep:
        # The emulators start empty, so the mailbox does too; the sink keeps it across its
        # own restarts within one run.
        layout.mailbox.unlink(missing_ok=True)
    programs, periodic = build_programs(Ports(), args.smoke, layout)
    supervisor = Supervisor(programs, periodic=periodic)
    if layout.keep:
        supervisor.say(_kept_data_line(layout))
    sys.exit(supervisor.run())


if __name__ == "__main__":
    main()
