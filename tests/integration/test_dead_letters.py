"""Dead letters on the real Pub/Sub emulator: a message that fails its maximum delivery
attempts is forwarded by the subscription's dead-letter policy with its payload, and
`grantmatch dead-letters list|replay` shows it and sends it back to its topic."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from click.testing import CliRunner
from google.api_core import exceptions as gexc

from shared.cli import main
from shared.domain.events import GrantPublished, encode, new_event
from shared.runtime.consumer import consume
from tests.conftest import IT_PROJECT
from tests.integration.pipeline import cloud_event

SOURCE = "it-dead-letter-source"
INBOX = "dead-letter-inbox"
MAX_ATTEMPTS = 5  # the smallest Pub/Sub allows


@pytest.fixture
def inbox(ad, bus):
    """An empty dead-letter inbox, and a pull subscription on grant-published that
    dead-letters after MAX_ATTEMPTS failed deliveries, as the push subscriptions do."""
    subscriber = bus.subscriber
    paths = {name: subscriber.subscription_path(IT_PROJECT, name) for name in (SOURCE, INBOX)}
    for path in paths.values():
        with contextlib.suppress(gexc.NotFound):
            subscriber.delete_subscription(subscription=path)
    subscriber.create_subscription(name=paths[INBOX], topic=bus.topic("dead-letter"))
    subscriber.create_subscription(
        request={
            "name": paths[SOURCE],
            "topic": bus.topic("grant-published"),
            "ack_deadline_seconds": 10,
            "dead_letter_policy": {
                "dead_letter_topic": bus.topic("dead-letter"),
                "max_delivery_attempts": MAX_ATTEMPTS,
            },
        }
    )
    yield paths
    for path in paths.values():
        with contextlib.suppress(gexc.NotFound):
            subscriber.delete_subscription(subscription=path)


def _fail_every_delivery(bus, subscription: str, timeout: float = 30.0) -> int:
    """Pull and refuse (nack) until Pub/Sub stops delivering; returns the deliveries."""
    deliveries = 0
    quiet_since = time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 2.0:
        response = bus.subscriber.pull(
            request={"subscription": subscription, "max_messages": 10, "return_immediately": True}
        )
        if response.received_messages:
            deliveries += len(response.received_messages)
            quiet_since = time.monotonic()
            bus.subscriber.modify_ack_deadline(
                subscription=subscription,
                ack_ids=[m.ack_id for m in response.received_messages],
                ack_deadline_seconds=0,
            )
        time.sleep(0.1)
    return deliveries


def _cli(*args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["dead-letters", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_a_message_failing_every_attempt_is_parked_with_its_payload(ad, bus, inbox):
    event = new_event(
        GrantPublished(grant_id="g_1", funder_id="f_1", revision=1),
        correlation_id="dead-letter-test",
        now=ad.clock.now(),
    )
    data, attributes = encode(event)
    bus.publisher.publish(bus.topic("grant-published"), data, **attributes).result(timeout=10)
    assert _fail_every_delivery(bus, inbox[SOURCE]) == MAX_ATTEMPTS

    [listed] = _cli("list")
    assert listed["event"] == "grant.published" and listed["event_id"] == event.id
    assert listed["correlation_id"] == "dead-letter-test"
    assert listed["replay_topic"] == "grant-published"
    assert listed["reason"] == "failed its maximum delivery attempts"
    assert listed["source_subscription"].endswith(SOURCE)
    assert _cli("list") == [listed]  # listing leaves it in the inbox

    bus.events("grant-published")  # forget the original publish
    [report] = _cli("replay", "--all")
    assert report == {"replayed": [listed["message_id"]], "not_replayable": [], "failed": []}
    [replayed] = bus.events("grant-published")
    assert replayed == event  # same id: consumers that handled it already skip it
    assert _cli("list") == []


def test_poison_is_listed_with_its_reason_and_never_replayed(ad, bus, inbox):
    pushed = cloud_event(
        new_event(
            GrantPublished(grant_id="g", funder_id="f", revision=1),
            correlation_id="c-poison-1",
            now=ad.clock.now(),
        )
    )
    pushed.data["message"]["data"] = "bm90IGpzb24="  # base64 of "not json"
    assert consume(pushed, consumer="match", handlers={}, ad=ad) == "dead-lettered"

    [listed] = _cli("list")
    assert listed["replay_topic"] is None and listed["consumer"] == "match"
    assert "not JSON" in listed["reason"] and listed["data_preview"] == "not json"
    [report] = _cli("replay", "--all")
    assert report["not_replayable"] == [listed["message_id"]] and report["replayed"] == []
    assert [m["message_id"] for m in _cli("list")] == [listed["message_id"]]


def test_replay_takes_only_the_named_messages(ad, bus, inbox):
    for n in range(2):
        event = new_event(
            GrantPublished(grant_id=f"g_{n}", funder_id="f", revision=1),
            correlation_id="c-named-1",
            now=ad.clock.now(),
        )
        ad.publisher.dead_letter(*encode(event), "handler failed", "match")
    first, second = _cli("list")
    [report] = _cli("replay", first["message_id"])
    assert report["replayed"] == [first["message_id"]]
    assert [m["message_id"] for m in _cli("list")] == [second["message_id"]]
