"""Scheduled runs are named by period; the scheduler's fixed messages are valid ticks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dev.topology import load_topology
from shared.cli.schedule import scheduler_jobs
from shared.domain.events import (
    TOPIC_FOR_EVENT,
    Envelope,
    HarvestRequested,
    ScheduleTick,
    decode,
    new_event,
)
from shared.domain.schedule import Job, period_of, run_id
from shared.runtime.consumer import _ledger_id

MONDAY_MORNING = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 08:00 in Bangkok


def test_digest_period_is_the_iso_week_in_region_time():
    assert period_of(Job.WEEKLY_DIGEST, MONDAY_MORNING) == "2026-W49"
    # Sunday 18:00 UTC is already Monday 01:00 in the region: the new week.
    assert period_of(Job.WEEKLY_DIGEST, datetime(2026, 11, 29, 18, 0, tzinfo=UTC)) == "2026-W49"
    assert period_of(Job.WEEKLY_DIGEST, datetime(2026, 11, 29, 16, 0, tzinfo=UTC)) == "2026-W48"


def test_reminder_period_is_the_region_date():
    assert period_of(Job.DEADLINE_REMINDERS, MONDAY_MORNING) == "2026-11-30"


def test_scheduler_messages_are_fixed_valid_ticks_on_the_right_topic():
    jobs = scheduler_jobs()
    harvests = {"harvest-eu-funding-tenders", "harvest-un-partner-portal"}
    harvests |= {"harvest-simpler-grants-gov", "harvest-reliefweb-training"}
    assert set(jobs) == {"digest", "reminders", *harvests}
    for name, spec in jobs.items():
        envelope = decode(json.dumps(spec["message"]).encode())
        expected = HarvestRequested if name.startswith("harvest-") else ScheduleTick
        assert isinstance(envelope.parsed(), expected)
        assert spec["topic"] == envelope.topic


def test_a_harvest_request_is_remembered_per_source_and_hour_not_per_fixed_id():
    request = Envelope.model_validate(scheduler_jobs()["harvest-eu-funding-tenders"]["message"])
    later_that_hour = MONDAY_MORNING.replace(minute=59)
    next_hour = MONDAY_MORNING.replace(hour=MONDAY_MORNING.hour + 1)
    assert _ledger_id(request, MONDAY_MORNING) == _ledger_id(request, later_that_hour)
    assert _ledger_id(request, MONDAY_MORNING) != _ledger_id(request, next_hour)
    assert "eu_funding_tenders@" in _ledger_id(request, MONDAY_MORNING)


def test_a_tick_is_remembered_per_period_not_per_fixed_envelope_id():
    tick = Envelope.model_validate(scheduler_jobs()["digest"]["message"])
    same_week = MONDAY_MORNING.replace(hour=5)
    next_week = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert _ledger_id(tick, MONDAY_MORNING) == _ledger_id(tick, same_week)
    assert _ledger_id(tick, MONDAY_MORNING) != _ledger_id(tick, next_week)
    assert run_id(Job.WEEKLY_DIGEST, MONDAY_MORNING) in _ledger_id(tick, MONDAY_MORNING)
    other = new_event(
        ScheduleTick(job=Job.WEEKLY_DIGEST), correlation_id="c" * 8, now=MONDAY_MORNING
    )
    assert _ledger_id(other, MONDAY_MORNING).startswith(other.id)


def test_topology_declares_every_event_topic():
    topology = load_topology()
    assert topology["events"] == {name.value: topic for name, topic in TOPIC_FOR_EVENT.items()}
    assert set(TOPIC_FOR_EVENT.values()) <= set(topology["topics"])
    pushed = {s["topic"] for s in topology["subscriptions"] if not s.get("pull")}
    assert set(TOPIC_FOR_EVENT.values()) <= pushed
