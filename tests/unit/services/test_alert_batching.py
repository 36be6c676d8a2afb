"""Alert batching: instant matches wait out the batching window, then go in one email."""

from __future__ import annotations

from shared.adapters.ports import AlertStatus
from shared.domain.events import EventName
from shared.domain.recipients import RecipientKind
from shared.services.alerts import announce_due_alerts
from tests.unit.services.pipeline import (
    confirm,
    confirmed_profile,
    deliver,
    emails,
    new_grant,
    new_profile,
    pump,
)

PROFILE = RecipientKind.PROFILE
TITLES = ("One", "Two", "Three")


def _window(ad) -> int:
    return ad.settings.alert_batch_window_seconds


def _three_matches(ad) -> str:
    pid = confirmed_profile(ad)
    for title in TITLES:
        new_grant(ad, title=title)
    pump(ad)
    return pid


def test_matches_are_not_sent_before_the_window_ends(ad):
    _three_matches(ad)
    ad.clock.advance(seconds=_window(ad) - 1)
    pump(ad)
    assert emails(ad, "alerts") == []


def test_several_matches_go_out_in_one_email_after_the_window(ad):
    _three_matches(ad)
    ad.clock.advance(seconds=_window(ad) + 1)
    pump(ad)
    [email] = emails(ad, "alerts")
    assert email.subject == "3 new grants for Delta Rights Network"
    assert all(title in email.text for title in TITLES)


def test_the_alerts_an_email_told_are_marked_sent(ad):
    pid = _three_matches(ad)
    ad.clock.advance(seconds=_window(ad) + 1)
    pump(ad)
    [email] = emails(ad, "alerts")
    told = ad.alerts.of_recipient(PROFILE, pid, tuple(AlertStatus))
    assert {(a.status, a.sent_in) for a in told} == {(AlertStatus.SENT, email.reference)}
    assert announce_due_alerts(ad) == 0


def test_a_redelivered_due_notification_sends_nothing_more(ad):
    _three_matches(ad)
    ad.clock.advance(seconds=_window(ad) + 1)
    pump(ad)
    [due] = ad.publisher.events(EventName.NOTIFICATION_DUE)
    ad.processed.forget_all()  # not even the ledger stops it: the sent record does
    deliver(ad, due)
    assert len(emails(ad, "alerts")) == 1


def test_an_unconfirmed_address_gets_only_its_confirmation(ad):
    new_profile(ad)
    new_grant(ad)
    pump(ad)
    ad.clock.advance(seconds=_window(ad) + 1)
    pump(ad)
    assert [e.category for e in emails(ad)] == ["confirmation"]


def test_confirming_sends_the_held_matches_in_one_email(ad):
    pid = new_profile(ad)
    for title in TITLES:
        new_grant(ad, title=title)
    pump(ad)
    confirm(ad, PROFILE, pid)
    pump(ad)
    [email] = emails(ad, "alerts")
    assert email.subject == "3 new grants for Delta Rights Network"
