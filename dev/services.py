"""The processes of the local stack, described once for `make dev` and for the tests:
ports, environment, and the command line of each function, the sink and the relay."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dev.topology import load_topology

REPO = Path(__file__).resolve().parent.parent
PROJECT = "grantmatch-local"
FUNCTIONS = ("ingest", "match", "notify", "harvest")
# Not a secret: the local sink accepts any bearer token. Production reads Secret Manager.
LOCAL_SENDGRID_KEY = "SG.local-sink-key"


def _offset() -> int:
    """GM_PORT_OFFSET shifts every default port, to run two stacks on one machine."""
    return int(os.environ.get("GM_PORT_OFFSET", "0"))


def local_dir() -> Path:
    """Where the local stack keeps its logs, mailbox, kept data and the demo key
    (`.local/`; GM_LOCAL_DIR moves it, so a second stack does not share the first's)."""
    return Path(os.environ.get("GM_LOCAL_DIR") or REPO / ".local")


@dataclass(frozen=True)
class Ports:
    """Where each piece listens on 127.0.0.1."""

    firestore: int = field(default_factory=lambda: 8681 + _offset())
    pubsub: int = field(default_factory=lambda: 8682 + _offset())
    sink: int = field(default_factory=lambda: 8710 + _offset())
    # Functions without a local port do not run as servers locally (the relay runs as
    # `grantmatch relay --loop` instead of behind a scheduler).
    functions: dict[str, int] = field(
        default_factory=lambda: {
            name: spec["local_port"] + _offset()
            for name, spec in load_topology()["functions"].items()
            if "local_port" in spec
        }
    )

    @property
    def ingest_url(self) -> str:
        """The ingest function's base URL (the API, the web form and the emailed links)."""
        return f"http://127.0.0.1:{self.functions['ingest']}"

    @property
    def sink_url(self) -> str:
        """The local SendGrid-compatible mail sink's base URL."""
        return f"http://127.0.0.1:{self.sink}"


def stack_env(
    ports: Ports, project: str = PROJECT, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment every process of the stack shares (same project everywhere)."""
    env = dict(os.environ)
    env.update(
        {
            "GOOGLE_CLOUD_PROJECT": project,
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{ports.firestore}",
            "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{ports.pubsub}",
            "SENDGRID_API_HOST": ports.sink_url,
            "SENDGRID_API_KEY": LOCAL_SENDGRID_KEY,
            "PUBLIC_BASE_URL": ports.ingest_url,
            # Links in emails are signed; each local stack (and test session) makes its
            # own secret unless one is given. Production reads Secret Manager.
            "LINK_SIGNING_SECRET": os.environ.get("LINK_SIGNING_SECRET")
            or secrets.token_urlsafe(32),
            # Instant alerts wait this long for more matches (production: 60 s).
            "ALERT_BATCH_WINDOW_SECONDS": os.environ.get("ALERT_BATCH_WINDOW_SECONDS", "2"),
            # A published event not yet recorded by its consumers is published again after
            # this (production: 120 s).
            "HANDOFF_GRACE_SECONDS": os.environ.get("HANDOFF_GRACE_SECONDS", "10"),
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def function_command(name: str, port: int) -> list[str]:
    """functions-framework serving one function from its folder, as Cloud Functions would."""
    entry_point = load_topology()["functions"][name]["entry_point"]
    return [
        sys.executable,
        "-m",
        "functions_framework",
        "--source",
        str(REPO / "functions" / name / "main.py"),
        "--target",
        entry_point,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def sink_command(port: int, store: Path | None) -> list[str]:
    """The local SendGrid-compatible sink."""
    command = [sys.executable, "-m", "dev.sendgrid_sink", "--port", str(port)]
    return [*command, "--store", str(store)] if store else command


def relay_command(every: float = 2.0) -> list[str]:
    """The outbox relay, looping."""
    return [sys.executable, "-m", "shared.cli", "relay", "--loop", "--every", str(every)]
