"""`make dev` survives a crashed function and, when asked, keeps its data.

The supervisor (dev/supervisor.py) is tested with small Python processes
(tests/e2e/toy_stack.py): a killed process group is restarted alone, a crash loop backs
off and is given up, and Ctrl-C or SIGTERM leave no process behind. Then the real
`python -m dev.stack` runs on ports and a `.local` folder of its own: notify's master is
killed as in issue 17 and the stack carries on, with `--keep-data` a Firestore
document, the mailbox and the emailed links survive a restart, and the harvest command
the banner prints, pasted as is, brings a harvested call to the demo NGO's mailbox.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from dev.demo import (
    DEMO_EMAIL,
    DEMO_GRANT,
    DEMO_HARVEST_EMAIL,
    HARVEST_DEMO_TITLE,
    harvest_command,
)
from dev.services import PROJECT, REPO, Ports
from dev.supervisor import Periodic, Program, Supervisor
from tests.conftest import ARTIFACTS
from tests.e2e.toy_stack import SLEEPERS

pytestmark = pytest.mark.e2e
STARTED = re.compile(r"\| started (\S+) \(pid (\d+)")


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it returns something truthy; fail saying `what` never came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout:.0f}s")


def gone(pid: int) -> bool:
    """True once no process has this pid (a zombie awaiting its reaper counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return True


def kill_leftovers(pgids: set[int]) -> None:
    """After a failed test: no process of ours may outlive it."""
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


# -- the supervisor, with toy processes ------------------------------------------------
class Toy:
    """The toy stack running under the supervisor, and what it wrote."""

    def __init__(self, folder: Path, crasher: bool = False) -> None:
        self.folder = folder
        self.console = folder / "console.log"
        args = [str(folder), *(["--crasher"] if crasher else [])]
        with self.console.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.e2e.toy_stack", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )

    def pids(self, name: str) -> list[tuple[int, int]]:
        """(pid, its child's pid) for each start of `name`, oldest first."""
        path = self.folder / f"{name}.pids"
        if not path.exists():
            return []
        lines = [line.split() for line in path.read_text().splitlines()]
        return [(int(pid), int(child)) for pid, child in lines]

    def every_pid(self) -> set[int]:
        return {
            pid
            for path in self.folder.glob("*.pids")
            for pid, child in self.pids(path.stem)
            for pid in (pid, child)
        }

    def output(self) -> str:
        return self.console.read_text()

    def wait_until_up(self) -> dict[str, int]:
        wait_for(lambda: all(self.pids(name) for name in SLEEPERS), 30, "sleepers never started")
        return {name: self.pids(name)[0][0] for name in SLEEPERS}


@pytest.fixture
def toy(tmp_path: Path) -> Iterator[Callable[..., Toy]]:
    started: list[Toy] = []

    def start(crasher: bool = False) -> Toy:
        started.append(Toy(tmp_path, crasher))
        return started[-1]

    yield start
    for stack in started:
        if stack.process.poll() is None:
            stack.process.kill()
            stack.process.wait()
        kill_leftovers(
            {pid for path in tmp_path.glob("*.pids") for pid, _ in stack.pids(path.stem)}
        )


@pytest.mark.parametrize(
    "kill",
    [lambda pid: os.killpg(pid, signal.SIGKILL), lambda pid: os.kill(pid, signal.SIGKILL)],
    ids=["its-group", "its-leader-only"],  # the second as gunicorn's master dies alone
)
def test_a_function_whose_group_is_killed_is_restarted_and_the_others_keep_their_pids(toy, kill):
    stack = toy()
    before = stack.wait_until_up()
    killed, its_child = stack.pids("sleeper-b")[0]

    kill(killed)

    wait_for(lambda: len(stack.pids("sleeper-b")) == 2, 15, "sleeper-b was not restarted")
    line = f"sleeper-b (pid {killed}) exited with code -9 (SIGKILL); restarting in 0.2s (restart 1)"
    assert line in stack.output()
    restarted, new_child = stack.pids("sleeper-b")[1]
    assert not gone(restarted) and not gone(new_child)
    # What the dead leader left in its group (a worker holding the port) went with it.
    wait_for(lambda: gone(killed) and gone(its_child), 5, "the old group was left running")
    for name in ("sleeper-a", "sleeper-c"):
        assert [pid for pid, _ in stack.pids(name)] == [before[name]], f"{name} was restarted"
        assert not gone(before[name])
    assert stack.process.poll() is None, "the stack stopped"


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_stops_every_process_and_leaves_none_behind(toy, stop_with):
    stack = toy()
    stack.wait_until_up()
    os.killpg(stack.pids("sleeper-a")[0][0], signal.SIGKILL)  # one restart on the way
    wait_for(lambda: len(stack.pids("sleeper-a")) == 2, 15, "sleeper-a was not restarted")
    everything = stack.every_pid()
    assert len(everything) == 8

    stack.process.send_signal(stop_with)

    assert stack.process.wait(timeout=20) == 0
    assert f"{signal.Signals(stop_with).name} received: stopping every process" in stack.output()
    # sleeper-c ignores SIGTERM: only the supervisor's SIGKILL after it ends its group.
    wait_for(lambda: all(gone(pid) for pid in everything), 5, "processes were left behind")


def test_a_crash_loop_backs_off_then_gives_up_while_the_rest_keeps_running(toy):
    stack = toy(crasher=True)
    before = stack.wait_until_up()

    output = wait_for(
        lambda: "not restarting it again" in stack.output() and stack.output(),
        30,
        "the supervisor never gave up on the crasher",
    )

    restarts = re.findall(r"crasher \(pid \d+\) exited with code 3; restarting in (\S+)s", output)
    assert restarts == ["0.2", "0.4", "0.8"]  # doubling, then given up after 3 in a row
    assert "exited with code 3, crash 4 in a row: not restarting it again" in output
    time.sleep(1.5)  # longer than the longest delay: no further start
    assert len(stack.pids("crasher")) == 4
    assert {name: [pid for pid, _ in stack.pids(name)] for name in SLEEPERS} == {
        name: [pid] for name, pid in before.items()
    }
    assert stack.process.poll() is None, "the stack stopped"


def test_the_autosave_runs_on_its_interval_and_a_failed_one_does_not_stop_the_stack():
    calls: list[float] = []

    def autosave() -> None:
        calls.append(time.monotonic())
        if len(calls) == 2:
            raise ConnectionError("emulator busy")

    sleeper = Program("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    console = io.StringIO()
    supervisor = Supervisor([sleeper], periodic=[Periodic("autosave", 0.3, autosave)], out=console)
    threading.Timer(1.65, supervisor.request_stop).start()

    assert supervisor.run() == 0

    # Due at 0.3, 0.6, ... s (later on a busy machine): never sooner, and on after the failure.
    assert 3 <= len(calls) <= 5
    assert all(later - earlier >= 0.3 for earlier, later in itertools.pairwise(calls))
    assert "autosave failed: ConnectionError: emulator busy" in console.getvalue()


# -- the real stack --------------------------------------------------------------------
def ports_at(offset: int) -> Ports:
    """The stack's ports under GM_PORT_OFFSET=offset."""
    saved = os.environ.get("GM_PORT_OFFSET")
    os.environ["GM_PORT_OFFSET"] = str(offset)
    try:
        return Ports()
    finally:
        os.environ.pop("GM_PORT_OFFSET")
        if saved is not None:
            os.environ["GM_PORT_OFFSET"] = saved


def free_offset() -> int:
    """A GM_PORT_OFFSET under which every port of the stack is free."""
    for _ in range(50):
        offset = random.randrange(10_000, 50_000, 100)
        ports = ports_at(offset)
        if all(
            _bindable(port)
            for port in (ports.firestore, ports.pubsub, ports.sink, *ports.functions.values())
        ):
            return offset
    raise AssertionError("no free port offset found")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class RealStack:
    """`python -m dev.stack` as `make dev` runs it, on ports and a folder of its own."""

    def __init__(self, local: Path, offset: int, *args: str) -> None:
        self.local = local
        self.env = {
            **os.environ,
            "GM_PORT_OFFSET": str(offset),
            "GM_LOCAL_DIR": str(local),
            "PYTHONPATH": str(REPO),
        }
        self.env.pop("LINK_SIGNING_SECRET", None)
        self.ports = ports_at(offset)
        local.mkdir(parents=True, exist_ok=True)
        self.console = local / f"console-{time.monotonic_ns()}.log"
        with self.console.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dev.stack", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=self.env,
            )

    def output(self) -> str:
        return self.console.read_text()

    def pids(self) -> dict[str, list[int]]:
        """Each program's pids, one per start, oldest first."""
        found: dict[str, list[int]] = {}
        for name, pid in STARTED.findall(self.output()):
            found.setdefault(name, []).append(int(pid))
        return found

    def wait_until_demo_done(self, timeout: float = 150) -> None:
        def done() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the stack stopped:\n{self.output()[-3000:]}")
            return "Grant Match is running" in self.output()

        wait_for(done, timeout, "the demo did not finish")

    def stop(self) -> int:
        """SIGTERM, as a terminal's Ctrl-C would stop it; the stack's exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def messages(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.ports.sink_url}/api/messages", timeout=5).json()["messages"]

    def document_url(self, path: str) -> str:
        root = f"http://127.0.0.1:{self.ports.firestore}/v1/projects/{PROJECT}"
        return f"{root}/databases/(default)/documents/{path}"


@pytest.fixture
def real_stack(tmp_path: Path) -> Iterator[Callable[..., RealStack]]:
    started: list[RealStack] = []
    offset = free_offset()

    def start(*args: str) -> RealStack:
        started.append(RealStack(tmp_path / "local", offset, *args))
        return started[-1]

    yield start
    for stack in started:
        if stack.process.poll() is None:
            stack.process.kill()
            stack.process.wait()
        kill_leftovers({pid for pids in stack.pids().values() for pid in pids})
        (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "logs" / f"dev-stack-{stack.console.name}").write_text(stack.output())


def test_make_dev_restarts_a_killed_notify_and_keeps_the_emulators_and_their_data(real_stack):
    stack = real_stack()
    stack.wait_until_demo_done()
    before = stack.pids()
    [notify] = before["notify"]

    os.kill(notify, signal.SIGKILL)  # its master only, as in issue 17: the worker lingers

    line = f"notify (pid {notify}) exited with code -9 (SIGKILL); restarting in 1s (restart 1)"
    wait_for(lambda: line in stack.output(), 15, "the crash was not reported")
    wait_for(lambda: len(stack.pids()["notify"]) == 2, 15, "notify was not restarted")
    after = stack.pids()
    del before["notify"], after["notify"]
    assert after == before  # nothing else was restarted
    assert not any(gone(pid) for [pid] in after.values())
    # The restarted notify has the port (the old worker was killed with its group), and
    # the data the demo stored is still there: a new grant reaches the demo's profile.
    key = (stack.local / "demo-funder.key").read_text().strip()
    grant = {**DEMO_GRANT, "external_id": "after-restart", "title": "Grant after notify died"}
    response = requests.post(
        f"{stack.ports.ingest_url}/grants",
        json=grant,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    wait_for(
        lambda: any(grant["title"] in m["subject"] for m in stack.messages()),
        60,
        "no alert after notify was restarted",
    )

    assert stack.stop() == 0
    every = {pid for pids in stack.pids().values() for pid in pids}
    wait_for(lambda: all(gone(pid) for pid in every), 5, "processes were left behind")


def test_keep_data_brings_firestore_the_mailbox_and_working_links_back_after_a_restart(
    real_stack,
):
    first = real_stack("--keep-data")
    first.wait_until_demo_done()
    marker = uuid.uuid4().hex
    written = requests.patch(
        first.document_url("kept-check/one"),
        json={"fields": {"marker": {"stringValue": marker}}},
        timeout=10,
    )
    assert written.status_code == 200, written.text
    mailbox = first.messages()
    [confirmation] = [
        m for m in mailbox if m["categories"] == ["confirmation"] and m["to"] == [DEMO_EMAIL]
    ]
    [link] = re.findall(r"https?://\S+/confirm\?token=\S+", confirmation["text"])
    assert first.stop() == 0
    assert "Firestore data saved to" in first.output()
    every = {pid for pids in first.pids().values() for pid in pids}
    wait_for(lambda: all(gone(pid) for pid in every), 5, "processes were left behind")

    second = real_stack("--keep-data")
    second.wait_until_demo_done()  # the demo runs again on the kept data

    read = requests.get(second.document_url("kept-check/one"), timeout=10)
    assert read.status_code == 200, read.text
    assert read.json()["fields"]["marker"]["stringValue"] == marker
    kept = second.messages()
    assert [m["id"] for m in kept[: len(mailbox)]] == [m["id"] for m in mailbox]
    assert len(kept) > len(mailbox)  # and this run's demo emails came after them
    # The kept email's link still opens: the link-signing secret was kept with the data.
    assert requests.get(link, timeout=10).status_code == 200
    assert second.stop() == 0


def test_the_harvest_command_the_banner_prints_brings_a_call_to_the_demo_ngo(real_stack):
    """Pasted as printed into a fresh terminal (no emulator variables) at the repository
    root, the command harvests the shipped sample and its fitting call is emailed."""
    stack = real_stack()
    stack.wait_until_demo_done()
    command = harvest_command(stack.ports, PROJECT)
    assert command in stack.output()
    clean = {k: v for k, v in os.environ.items() if "EMULATOR_HOST" not in k}
    clean.pop("GOOGLE_CLOUD_PROJECT", None)
    done = subprocess.run(
        ["bash", "-c", command], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "harvest un_partner_portal" in done.stdout

    def alert() -> list[dict[str, Any]]:
        return [
            m
            for m in stack.messages()
            if m["to"] == [DEMO_HARVEST_EMAIL] and m["categories"] == ["alerts"]
        ]

    [email] = wait_for(alert, 60, "no alert about the harvested call")
    assert HARVEST_DEMO_TITLE in f"{email['subject']}\n{email['text']}"
    assert stack.stop() == 0
