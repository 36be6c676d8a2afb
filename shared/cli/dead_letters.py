"""`grantmatch dead-letters list|replay`: what waits in the dead-letter inbox, and sending
it back to its topic once the cause is fixed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from shared.runtime.config import get_settings

if TYPE_CHECKING:
    from shared.adapters.pubsub_inbox import PubSubDeadLetterInbox


@click.group("dead-letters")
def dead_letters() -> None:
    """The dead-letter inbox (pull subscription `dead-letter-inbox`)."""


def _inbox() -> PubSubDeadLetterInbox:
    # Imported here: every other command starts without loading the Pub/Sub client.
    from shared.adapters.pubsub_inbox import PubSubDeadLetterInbox

    return PubSubDeadLetterInbox(get_settings().google_cloud_project)


@dead_letters.command("list")
@click.option("--max", "limit", default=1000, show_default=True, help="At most this many.")
def list_command(limit: int) -> None:
    """Print one JSON line per parked message (they all stay in the inbox)."""
    from shared.services.dead_letters import list_dead_letters

    inbox = _inbox()
    try:
        for letter in list_dead_letters(inbox, limit):
            click.echo(json.dumps(letter.as_json(), ensure_ascii=False))
    finally:
        inbox.close()


@dead_letters.command("replay")
@click.argument("message_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every replayable message.")
@click.option("--max", "limit", default=1000, show_default=True, help="At most this many.")
def replay_command(message_ids: tuple[str, ...], replay_all: bool, limit: int) -> None:
    """Republish the given messages (or --all) to the topics their events name."""
    from shared.adapters.pubsub_publisher import PubSubPublisher
    from shared.services.dead_letters import replay_dead_letters

    if not message_ids and not replay_all:
        raise click.UsageError("name the message ids to replay, or pass --all")
    settings = get_settings()
    inbox = _inbox()
    try:
        report = replay_dead_letters(
            inbox,
            PubSubPublisher(settings.google_cloud_project, settings.publish_timeout_seconds),
            message_ids=None if replay_all else set(message_ids),
            limit=limit,
        )
    finally:
        inbox.close()
    click.echo(
        json.dumps(
            {
                "replayed": report.replayed,
                "not_replayable": report.not_replayable,
                "failed": report.failed,
            }
        )
    )
    if report.failed:
        raise SystemExit(1)
