"""`grantmatch schedule digest|reminders`: publish what Cloud Scheduler publishes.

The message is read from `infra/scheduler.json`, byte for byte the body the production
scheduler sends, so the local stack exercises the same path (including its fixed id).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from shared.runtime.bootstrap import adapters

SCHEDULER_JOBS = Path(__file__).resolve().parents[2] / "infra" / "scheduler.json"


def scheduler_jobs(path: Path = SCHEDULER_JOBS) -> dict[str, dict]:
    """The Cloud Scheduler jobs: name -> {schedule, time_zone, topic, message}."""
    return json.loads(path.read_text())["jobs"]


@click.command()
@click.argument("job", type=click.Choice(sorted(scheduler_jobs())))
def schedule(job: str) -> None:
    """Trigger a scheduled job now (weekly digest or deadline reminders)."""
    spec = scheduler_jobs()[job]
    data = json.dumps(spec["message"]).encode("utf-8")
    message_id = adapters().publisher.publish_raw(spec["topic"], data, {})
    click.echo(f"published {job} tick to {spec['topic']} (message {message_id})")
