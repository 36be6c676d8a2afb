"""Hand-offs: a published event whose push is lost is published again by the relay until
every consumer recorded it (issue 17: pushes the emulator gave up on lost 77 of 160
alerts). Here a push is "lost" by taking it off the bus without delivering it."""

from __future__ import annotations

import itertools
import logging
from datetime import timedelta

from shared.domain.events import EventName
from shared.services.outbox_relay import relay_once
from tests.unit.services.pipeline import (
    confirmed_profile,
    deliver,
    emails,
    new_grant,
    pump,
)


def _grace(ad) -> timedelta:
    return timedelta(seconds=ad.settings.handoff_grace_seconds)


def _lose(ad, name: EventName) -> list:
    """Take every published event off the bus, delivering all but those named."""
    lost = []
    for envelope in ad.publisher.take_new():
        if envelope.name is name:
            lost.append(envelope)
        else:
            deliver(ad, envelope)
    return lost


def test_a_lost_match_found_is_published_again_after_the_grace_and_the_alert_goes_out_once(ad):
    confirmed_profile(ad)
    new_grant(ad, title="Digital safety")
    [published] = _lose(ad, EventName.GRANT_PUBLISHED)  # grant.published lost first...
    deliver(ad, published)  # ...then handed to match by hand, so match.found follows
    [lost] = _lose(ad, EventName.MATCH_FOUND)
    ad.clock.advance(seconds=ad.settings.alert_batch_window_seconds + 1)
    pump(ad)
    assert emails(ad, "alerts") == []  # nothing owed an alert yet: notify never heard of it

    ad.clock.advance(seconds=ad.settings.handoff_grace_seconds + 1)
    relay_once(ad)
    [again] = [e for e in ad.publisher.take_new() if e.name is EventName.MATCH_FOUND]
    assert again == lost  # the same event id: consumers that had it skip it
    deliver(ad, again)
    ad.clock.advance(seconds=ad.settings.alert_batch_window_seconds + 1)
    pump(ad)
    [alert] = emails(ad, "alerts")
    assert "Digital safety" in alert.text

    ad.clock.advance(seconds=10 * ad.settings.handoff_grace_seconds)
    relay_once(ad)
    pump(ad)
    assert len(emails(ad, "alerts")) == 1
    assert ad.outbox.awaiting(ad.clock.now() + timedelta(days=1), 10) == []  # retired


def test_a_lost_grant_published_is_matched_once_the_relay_announces_it_again(ad):
    confirmed_profile(ad)
    new_grant(ad, title="Community radio")
    [lost] = _lose(ad, EventName.GRANT_PUBLISHED)
    ad.clock.advance(seconds=ad.settings.handoff_grace_seconds + 1)
    relay_once(ad)
    assert [e for e in ad.publisher.take_new() if e.name is EventName.GRANT_PUBLISHED] == [lost]
    deliver(ad, lost)
    pump(ad)
    ad.clock.advance(seconds=ad.settings.alert_batch_window_seconds + 1)
    pump(ad)
    [alert] = emails(ad, "alerts")
    assert "Community radio" in alert.text


def test_an_event_every_consumer_recorded_is_retired_and_never_published_again(ad):
    confirmed_profile(ad)
    new_grant(ad, title="Water")
    pump(ad)
    ad.clock.advance(seconds=ad.settings.handoff_grace_seconds + 1)
    relay_once(ad)
    # Only the alert's own announcement (its window has passed): no hand-off published again.
    assert [e.name for e in ad.publisher.take_new()] == [EventName.NOTIFICATION_DUE]
    assert ad.outbox.awaiting(ad.clock.now() + timedelta(days=365), 10) == []


def test_an_event_still_unrecorded_is_published_again_with_a_growing_wait(ad):
    new_grant(ad, title="Forests")
    [lost] = _lose(ad, EventName.GRANT_PUBLISHED)
    grace = _grace(ad)
    announced_at = []
    for _ in range(200):
        ad.clock.advance(seconds=5)
        relay_once(ad)
        if any(e == lost for e in ad.publisher.take_new()):
            announced_at.append(ad.clock.now())
        if len(announced_at) == 3:
            break
    gaps = [b - a for a, b in itertools.pairwise(announced_at)]
    assert len(announced_at) == 3
    assert grace * 2 <= gaps[0] < grace * 2 + timedelta(seconds=10)
    assert grace * 4 <= gaps[1] < grace * 4 + timedelta(seconds=10)


def test_the_relay_logs_how_many_hand_offs_are_overdue_for_an_operator(ad, caplog):
    new_grant(ad, title="Overdue")
    _lose(ad, EventName.GRANT_PUBLISHED)
    caplog.set_level(logging.ERROR, logger="shared.services.handoffs")
    ad.clock.advance(minutes=ad.settings.handoff_alert_minutes - 1)
    relay_once(ad)
    assert [r for r in caplog.records if r.getMessage() == "hand-offs owed"] == []
    ad.clock.advance(minutes=2)
    relay_once(ad)
    [line] = [r for r in caplog.records if r.getMessage() == "hand-offs owed"]
    assert (line.owed, line.older_than_minutes) == (1, ad.settings.handoff_alert_minutes)
