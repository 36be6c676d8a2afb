"""The hand-off rule: who must record each event, and when the relay looks again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dev.topology import load_topology
from shared.domain.events import TOPIC_FOR_EVENT, EventName
from shared.domain.handoffs import (
    CONSUMERS,
    MAX_BACKOFF,
    is_overdue,
    missing_consumers,
    next_check,
)

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_consumers_are_exactly_the_push_subscriptions_of_each_events_topic():
    topology = load_topology()
    pushed: dict[str, set[str]] = {}
    for spec in topology["subscriptions"]:
        if "push_to" in spec:
            pushed.setdefault(spec["topic"], set()).add(spec["push_to"])
    scheduled = {s["topic"] for s in topology["schedules"] if "topic" in s}
    for name, topic in TOPIC_FOR_EVENT.items():
        if topic in scheduled:
            # Cloud Scheduler publishes ticks and harvest requests, not an outbox.
            assert name not in CONSUMERS, name
            continue
        assert CONSUMERS[name] == pushed[topic], name


def test_an_event_is_owed_to_the_consumers_that_have_not_recorded_it():
    assert missing_consumers(EventName.PROFILE_CREATED, {"match"}) == {"notify"}
    assert missing_consumers(EventName.PROFILE_CREATED, {"match", "notify"}) == set()
    assert missing_consumers(EventName.MATCH_FOUND, set()) == {"notify"}


def test_the_relay_looks_again_after_the_grace_then_backs_off_to_an_hour():
    grace = timedelta(seconds=30)
    assert next_check(NOW, grace, 0) == NOW + grace
    assert next_check(NOW, grace, 1) == NOW + 2 * grace
    assert next_check(NOW, grace, 3) == NOW + 8 * grace
    assert next_check(NOW, grace, 50) == NOW + MAX_BACKOFF


def test_overdue_means_published_longer_ago_than_the_operator_accepts():
    ten = timedelta(minutes=10)
    assert not is_overdue(NOW - ten, NOW, ten)
    assert is_overdue(NOW - ten - timedelta(seconds=1), NOW, ten)
