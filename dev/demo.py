"""Seed the local stack and show it working: a CSO creates an alert profile and confirms
its address from the confirmation email (double opt-in), a funder posts a grant, and the
alert arrives in the local mailbox. A second CSO, a registered NGO in Cambodia, waits
for the harvest the banner prints (`harvest_command`): a shipped sample replayed with its
dates moved to today, one of whose calls fits it.

Run by `python -m dev.stack`; with --smoke it exits (0 = the email arrived) and the stack
stops, which is what a fresh-clone check and CI-style runs use.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import requests

from dev import procs
from dev.services import FUNCTIONS, PROJECT, Ports, local_dir
from dev.topology import apply_topology

DEMO_EMAIL = "demo-cso@example.org"
DEMO_PROFILE = {
    "email": DEMO_EMAIL,
    "org_name": "Mekong Digital Rights Collective",
    "countries": ["LA", "KH"],
    "sectors": ["digital-security", "human-rights"],
    "applicant_type": "unregistered_group",
    "language": "en",
    "frequency": "instant",
    "keywords": ["digital security", "training"],
}
#: The CSO the printed harvest command alerts: a registered NGO (UN Partner Portal calls
#: are for registered CSOs; the first demo CSO is an unregistered group).
DEMO_HARVEST_EMAIL = "demo-ngo@example.org"
DEMO_HARVEST_PROFILE = {
    "email": DEMO_HARVEST_EMAIL,
    "org_name": "Battambang Child Protection Network",
    "countries": ["KH"],
    "sectors": ["human-rights"],
    "applicant_type": "registered_ngo",
    "language": "en",
    "frequency": "instant",
}
#: The UN Partner Portal sample (tests/fixtures/harvest/README.md: synthesised from the
#: portal's serializer, dated as of this day), and the call in it that fits that CSO.
HARVEST_SAMPLE = (
    "tests/fixtures/harvest/un_partner_portal/projects_page1.json",
    "tests/fixtures/harvest/un_partner_portal/projects_page2.json",
)
HARVEST_RECORDED_ON = "2019-06-01"
HARVEST_DEMO_TITLE = "Community-based child protection in Battambang and Siem Reap"
DEMO_GRANT = {
    "external_id": "demo-2026-digital-safety",
    "title": "Digital safety for grassroots groups in the Mekong",
    "description": "Small grants for digital security training and devices for community groups.",
    "sectors": ["digital-security", "tech-capacity"],
    "countries": ["LA", "KH", "MM", "TH", "VN"],
    "applicant_types": ["registered_ngo", "network"],
    "fiscal_sponsor_ok": True,
    "amount_min": 5000,
    "amount_max": 40000,
    "currency": "USD",
    "deadline": "2027-03-31",
    "languages": ["en", "lo", "km"],
    "url": "https://funder.example.org/calls/digital-safety",
}

#: What the ingest API takes, as the banner names it.
API_PATHS = "/grants, /trainings, /events, /tech-offers, /projects, /profiles"


def wait_for_stack(ports: Ports, timeout: float = 90.0) -> None:
    """Block until both emulators, the sink and the three functions answer."""
    urls = [
        f"http://127.0.0.1:{ports.firestore}",
        f"http://127.0.0.1:{ports.pubsub}",
        f"{ports.sink_url}/healthz",
        *(f"http://127.0.0.1:{ports.functions[name]}/healthz" for name in FUNCTIONS),
    ]
    for url in urls:
        procs.wait_until_up(url, timeout)


def demo_key_path() -> Path:
    """Where the demo funder's key is written."""
    return local_dir() / "demo-funder.key"


def create_demo_funder() -> dict[str, str]:
    """A funder with a fresh key, kept in .local/ (git-ignored, mode 600) so you can curl."""
    from shared.runtime.bootstrap import adapters
    from shared.services.funders import create_funder

    ad = adapters()
    # With a contact address, so the demo funder can also tell a project it is interested.
    funder = create_funder(ad, "Demo Foundation", email="demo-funder@example.org")
    path = demo_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(funder.api_key + "\n")
    return {"funder_id": funder.funder_id, "api_key": funder.api_key}


def mailbox_size(sink: str) -> int:
    """How many emails the sink holds (a kept mailbox already has some at the start)."""
    return len(requests.get(f"{sink}/api/messages", timeout=5).json()["messages"])


def wait_for_email(
    sink: str, recipient: str, subject_part: str, since: int = 0, timeout: float = 60.0
) -> dict[str, Any]:
    """The first email to `recipient` whose subject (or, for an alert that gathers several
    grants under "N new grants", its text) contains `subject_part`, among the emails after
    the first `since`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        url = f"{sink}/api/messages?since={since}"
        for message in requests.get(url, timeout=5).json()["messages"]:
            said = f"{message['subject']}\n{message.get('text', '')}"
            if recipient in message["to"] and subject_part in said:
                return message
        time.sleep(0.3)
    raise TimeoutError(f"no email to {recipient} about {subject_part!r} within {timeout:.0f}s")


def confirm_from_email(sink: str, recipient: str, since: int = 0) -> None:
    """Do what the CSO does: open the confirmation email and press its button (a POST;
    the GET behind the link only shows the page)."""
    email = wait_for_email(sink, recipient, "confirm", since)
    match = re.search(r"https?://\S+/confirm\?token=\S+", email["text"])
    if match is None:
        raise RuntimeError("the confirmation email has no confirmation link")
    requests.post(match.group(0), timeout=10).raise_for_status()


def run_demo(ports: Ports) -> dict[str, Any]:
    """Seed a funder, a confirmed profile and a grant; return the alert the profile got."""
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    apply_topology(project, ports.functions)
    ingest = ports.ingest_url
    sink = ports.sink_url
    # Only this run's emails count: with --keep-data the mailbox holds the last run's.
    since = mailbox_size(sink)
    funder = create_demo_funder()
    for profile in (DEMO_PROFILE, DEMO_HARVEST_PROFILE):
        response = requests.post(f"{ingest}/profiles", json=profile, timeout=10)
        response.raise_for_status()
        confirm_from_email(sink, str(profile["email"]), since)
    started = time.monotonic()
    response = requests.post(
        f"{ingest}/grants",
        json=DEMO_GRANT,
        headers={"Authorization": f"Bearer {funder['api_key']}"},
        timeout=10,
    )
    response.raise_for_status()
    email = wait_for_email(sink, DEMO_EMAIL, DEMO_GRANT["title"], since)
    email["seconds"] = round(time.monotonic() - started, 2)
    return email


def schedule_commands(ports: Ports, project: str | None = None) -> list[str]:
    """The commands that trigger the weekly digest and the deadline reminders now, as
    the banner prints them: each works pasted as is in another terminal, at the root of
    the repository (the CLI builds its Firestore client too, so it needs both
    emulators' addresses, not only Pub/Sub's)."""
    env = emulator_env(ports, project)
    return [f"{env} .venv/bin/grantmatch schedule {job}" for job in ("digest", "reminders")]


def harvest_command(ports: Ports, project: str | None = None) -> str:
    """The command that harvests the UN Partner Portal sample into the running stack, as
    the banner prints it: one line (the stack prefixes every line it prints), that works
    pasted as is at the repository root; the sample replayed as if recorded today, so
    its calls are open."""
    pages = " ".join(f"--from-file {page}" for page in HARVEST_SAMPLE)
    return (
        f"{emulator_env(ports, project)} .venv/bin/grantmatch harvest unpp "
        f"--recorded-on {HARVEST_RECORDED_ON} {pages}"
    )


def emulator_env(ports: Ports, project: str | None = None) -> str:
    """The environment a `grantmatch` command needs to reach the local emulators."""
    project = project or os.environ.get("GOOGLE_CLOUD_PROJECT", PROJECT)
    return (
        f"FIRESTORE_EMULATOR_HOST=127.0.0.1:{ports.firestore} "
        f"PUBSUB_EMULATOR_HOST=127.0.0.1:{ports.pubsub} GOOGLE_CLOUD_PROJECT={project}"
    )


def main() -> None:
    """Wait for the stack, run the demo, print where to look."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    ports = Ports()
    try:
        wait_for_stack(ports)
        email = run_demo(ports)
    except Exception as exc:
        print(f"DEMO FAILED: {type(exc).__name__}: {exc}", flush=True)
        sys.exit(1)
    ingest = ports.ingest_url
    digest, reminders = schedule_commands(ports)
    key = demo_key_path()
    if key.is_relative_to(Path.cwd()):
        key = key.relative_to(Path.cwd())
    print(
        f"""
==================== Grant Match is running ====================
 Demo: a CSO confirmed its address (double opt-in), a grant was posted, and the
 matching CSO got its alert {email["seconds"]}s later (alerts wait
 {os.environ.get("ALERT_BATCH_WINDOW_SECONDS", "60")}s for more matches, then go out together):
   "{email["subject"]}"
 Web form (project, alerts):     {ingest}/
 Projects that need funding:     {ingest}/projects   (funders: sign in with the key below)
 Mailbox (local SendGrid sink):  {ports.sink_url}/
 Ingest API:                     {ingest}   (POST {API_PATHS})
 Weekly digest now (paste in another terminal, here):
   {digest}
 Deadline reminders now:
   {reminders}
 Harvest open calls (a shipped sample, its dates moved to today; paste here too):
   {harvest_command(ports)}
   then {DEMO_HARVEST_EMAIL} (a registered NGO in Cambodia) gets an alert about
   "{HARVEST_DEMO_TITLE}"
 Demo funder key:                {key}
 Post another grant:
   export GM_KEY=$(cat {key})
   curl -X POST {ingest}/grants -H "Authorization: Bearer $GM_KEY" \\
        -H 'Content-Type: application/json' -d @dev/examples/grant.json
 Ctrl-C stops everything.
================================================================""",
        flush=True,
    )
    if args.smoke:
        return
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
