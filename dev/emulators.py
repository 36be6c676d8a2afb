"""Google's official Firestore and Pub/Sub emulators: find, start, wait for, reset, stop.

Used by the local stack (`make dev`) and by the test session alike, so both run the
same binaries the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests

from dev import procs

INSTALL_HELP = """\
The Google Cloud emulators are required and were not found.
Install them (Debian/Ubuntu, from Google's apt repository):
    sudo apt-get install google-cloud-cli google-cloud-cli-firestore-emulator \\
        google-cloud-cli-pubsub-emulator openjdk-17-jre-headless
or with the gcloud installer:
    gcloud components install cloud-firestore-emulator pubsub-emulator beta
Java 17 or newer must be on PATH."""


class EmulatorsMissing(RuntimeError):
    """The emulators (or Java) are not installed; the message says how to install them."""


@dataclass(frozen=True)
class Emulator:
    """How to start one emulator and how to tell that it is ready."""

    name: str
    command: list[str]
    host_port: str

    @property
    def url(self) -> str:
        """Base URL of the emulator's REST endpoint."""
        return f"http://{self.host_port}"


def sdk_root() -> Path:
    """The Google Cloud SDK installation directory, or EmulatorsMissing."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        raise EmulatorsMissing(INSTALL_HELP + "\n(gcloud is not on PATH)")
    return Path(os.path.realpath(gcloud)).parent.parent


def check_installed() -> None:
    """Fail loudly, with install instructions, if an emulator or Java is missing."""
    root = sdk_root()
    missing = [
        name
        for name, path in {
            "cloud-firestore-emulator": root
            / "platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
            "pubsub-emulator": root / "platform/pubsub-emulator/bin/cloud-pubsub-emulator",
        }.items()
        if not path.exists()
    ]
    if missing:
        raise EmulatorsMissing(INSTALL_HELP + f"\n(missing under {root}: {', '.join(missing)})")
    java = shutil.which("java")
    if java is None:
        raise EmulatorsMissing(INSTALL_HELP + "\n(java is not on PATH)")
    version = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    major = _java_major(version)
    if major is not None and major < 17:
        raise EmulatorsMissing(INSTALL_HELP + f"\n(found Java {major}, need 17+)")


def _java_major(version_output: str) -> int | None:
    for token in version_output.replace('"', " ").split():
        head = token.split(".")[0]
        if head.isdigit() and token.count(".") >= 1:
            return int(head)
    return None


# The launchers that `gcloud emulators … start` runs, called directly: gcloud moves itself
# into a new process group, so stopping it leaves the Java emulator running and the port
# taken. Called directly, the launcher and its Java child share one group and stop together.
FIRESTORE_LAUNCHER = "platform/cloud-firestore-emulator/cloud_firestore_emulator"
PUBSUB_LAUNCHER = "platform/pubsub-emulator/bin/cloud-pubsub-emulator"


def firestore(port: int, import_data: Path | None = None) -> Emulator:
    """The Firestore emulator (native mode) on 127.0.0.1:port, seeded from an export's
    `.overall_export_metadata` file if one is given."""
    launcher = str(sdk_root() / FIRESTORE_LAUNCHER)
    command = [
        launcher,
        "start",
        "--host=127.0.0.1",
        f"--port={port}",
        "--database-mode=firestore-native",
    ]
    if import_data is not None:
        command.append(f"--import-data={import_data}")
    return Emulator("firestore", command, f"127.0.0.1:{port}")


def pubsub(port: int) -> Emulator:
    """The Pub/Sub emulator on 127.0.0.1:port (always pass the host: the default is IPv6)."""
    command = [str(sdk_root() / PUBSUB_LAUNCHER), "--host=127.0.0.1", f"--port={port}"]
    return Emulator("pubsub", command, f"127.0.0.1:{port}")


def start(emulator: Emulator, log_path: Path, timeout: float = 60.0) -> subprocess.Popen:
    """Start an emulator in its own process group and wait until it answers."""
    return procs.start(emulator.command, emulator.url, log_path, timeout=timeout)


def reset_firestore(host_port: str, project: str) -> None:
    """Delete every document in the emulator's default database."""
    url = f"http://{host_port}/emulator/v1/projects/{project}/databases/(default)/documents"
    requests.delete(url, timeout=10).raise_for_status()


# Keeping the Firestore emulator's data. Its own `--export-on-exit` does not work for the
# default database (emulator 1.19.9: "Database name projects/P/databases/ has invalid
# trailing /", and only on POST /shutdown, never on a signal), so the stack asks for an
# export itself (the emulator's REST export, as firebase-tools does) and starts the next
# emulator with `--import-data`.
SNAPSHOT = "snapshot"


def firestore_snapshot(folder: Path) -> Path | None:
    """The metadata file of the last complete export kept in `folder`, if there is one."""
    current, previous = folder / "current", folder / "previous"
    if not current.exists() and previous.exists():
        previous.rename(current)  # a save was cut off between its two renames
    metadata = current / f"{SNAPSHOT}.overall_export_metadata"
    return metadata if metadata.exists() else None


def export_firestore(host_port: str, project: str, folder: Path, timeout: float = 60.0) -> Path:
    """Export the project's default database to `folder/current`, replacing the last export
    only once the new one is complete; return its metadata file."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix="export-") as staging:
        url = f"http://{host_port}/emulator/v1/projects/{project}:export"
        body = {
            "database": f"projects/{project}/databases/(default)",
            "export_directory": staging,
            "export_name": SNAPSHOT,
        }
        requests.post(url, json=body, timeout=timeout).raise_for_status()
        current, previous = folder / "current", folder / "previous"
        shutil.rmtree(previous, ignore_errors=True)
        if current.exists():
            current.rename(previous)
        (Path(staging) / SNAPSHOT).rename(current)
        shutil.rmtree(previous, ignore_errors=True)
    return current / f"{SNAPSHOT}.overall_export_metadata"
