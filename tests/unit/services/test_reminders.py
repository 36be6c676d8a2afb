"""Deadline reminders: matched grants closing within seven days, each reminded once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.events import NotificationDue, ScheduleTick, new_event
from shared.domain.recipients import EmailKind, RecipientKind
from shared.domain.schedule import REMINDER_DAYS, Job, period_of, region_date
from tests.unit.services.pipeline import confirmed_profile, deliver, emails, new_grant, pump


def _tick(ad):
    tick = ScheduleTick(job=Job.DEADLINE_REMINDERS)
    return new_event(tick, correlation_id="scheduler", now=ad.clock.now(), event_id="daily")


@pytest.fixture
def matched(ad) -> str:
    """A confirmed profile told about three grants: closing in 5 days, on the last day of
    the reminder window, and in a month."""
    pid = confirmed_profile(ad)
    today = region_date(ad.clock.now())
    windows = [("Closing soon", 5), ("Last day", REMINDER_DAYS), ("Closing next month", 30)]
    for title, days in windows:
        new_grant(ad, title=title, deadline=(today + timedelta(days=days)).isoformat())
    pump(ad)
    ad.clock.advance(seconds=ad.settings.alert_batch_window_seconds + 1)
    pump(ad)
    assert len(emails(ad, "alerts")) == 1
    return pid


def test_a_reminder_names_the_grants_closing_within_seven_days(ad, matched):
    deliver(ad, _tick(ad))
    pump(ad)
    [reminder] = emails(ad, "reminder")
    assert "Closing soon" in reminder.text and "Last day" in reminder.text
    assert "Closing next month" not in reminder.text


def test_a_grant_is_reminded_once(ad, matched):
    deliver(ad, _tick(ad))
    pump(ad)
    ad.clock.advance(days=1)
    deliver(ad, _tick(ad))
    pump(ad)
    assert len(emails(ad, "reminder")) == 1


def test_a_due_reminder_leaves_out_grants_already_reminded(ad, matched):
    deliver(ad, _tick(ad))
    pump(ad)
    ad.clock.advance(days=1)
    # Announced for the next day before the first reminder was recorded (a fan-out that
    # raced it): the email itself must still not name the same grants again.
    due = NotificationDue(
        kind=EmailKind.REMINDER,
        recipient_kind=RecipientKind.PROFILE,
        recipient_id=matched,
        period=period_of(Job.DEADLINE_REMINDERS, ad.clock.now()),
    )
    deliver(ad, new_event(due, correlation_id="c", now=ad.clock.now()))
    assert len(emails(ad, "reminder")) == 1
