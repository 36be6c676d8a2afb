"""Sending through the real sink: once per notification, whatever the provider does."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
import requests

from shared.adapters.sendgrid_sender import (
    PermanentSendError,
    SendGridSender,
    TransientSendError,
)
from shared.domain.events import ProfileCreated, new_event
from shared.domain.recipients import RecipientKind
from shared.services.alerts import announce_due_alerts
from shared.services.notifications import on_notification_due
from shared.services.outbox_relay import relay_once
from shared.services.subscriptions import on_subscriber_created
from tests.conftest import sink_messages
from tests.integration.pipeline import confirm, new_grant, new_profile, pump
from tests.real_adapters import at

PROFILE = RecipientKind.PROFILE


@pytest.fixture
def created(ad):
    """A new profile and the event that announced it (its confirmation is due)."""
    pid = new_profile(ad, language="en")
    return new_event(
        ProfileCreated(profile_id=pid), correlation_id="c-12345678", now=ad.clock.now()
    )


def _record(ad, created):
    return ad.notifications.get(f"confirmation:profile:{created.parsed().profile_id}")


def _faults(sink_url: str, *responses: dict) -> None:
    requests.post(
        f"{sink_url}/api/faults", json={"responses": list(responses)}, timeout=5
    ).raise_for_status()


def _requests(sink_url: str) -> int:
    return requests.get(f"{sink_url}/api/messages", timeout=5).json()["requests"]


def test_sent_email_records_provider_message_id_and_event_id(ad, sink_url, created):
    assert on_subscriber_created(created, ad, created.parsed()) == "sent"
    [email] = sink_messages(sink_url)
    record = _record(ad, created)
    assert record.status == "sent" and record.message_id == email["message_id"]
    assert record.sent_by_event == created.id and record.provider_status == 202
    assert email["tracking_settings"]["open_tracking"]["enable"] is False
    assert email["tracking_settings"]["click_tracking"]["enable"] is False
    assert on_subscriber_created(created, ad, created.parsed()) == "done"
    assert len(sink_messages(sink_url)) == 1


def test_provider_500_then_202_sends_once(ad, sink_url, created):
    _faults(sink_url, {"status": 500})
    assert on_subscriber_created(created, ad, created.parsed()) == "sent"
    assert len(sink_messages(sink_url)) == 1 and _requests(sink_url) == 2


def test_rate_limit_is_retried_after_the_reset_time(ad, sink_url, created):
    _faults(sink_url, {"status": 429, "reset_in": 1})
    assert on_subscriber_created(created, ad, created.parsed()) == "sent"
    assert len(sink_messages(sink_url)) == 1 and _requests(sink_url) == 2


def test_provider_down_for_every_attempt_releases_the_claim_for_redelivery(ad, sink_url, created):
    _faults(sink_url, *[{"status": 503}] * 3)  # SENDGRID_MAX_ATTEMPTS=3 in tests
    with pytest.raises(TransientSendError):
        on_subscriber_created(created, ad, created.parsed())
    assert _record(ad, created).status == "retrying"
    assert (
        on_subscriber_created(created, ad, created.parsed()) == "sent"
    )  # Pub/Sub redelivers; provider back
    assert len(sink_messages(sink_url)) == 1


def test_other_4xx_is_recorded_failed_and_not_retried(ad, sink_url, created):
    _faults(sink_url, {"status": 400})
    assert on_subscriber_created(created, ad, created.parsed()) == "failed"
    record = _record(ad, created)
    assert record.status == "failed" and record.provider_status == 400
    assert _requests(sink_url) == 1  # no retry
    assert on_subscriber_created(created, ad, created.parsed()) == "done"
    assert sink_messages(sink_url) == []


def test_sandbox_200_is_success(ad, sink_url, created):
    _faults(sink_url, {"status": 200})
    assert on_subscriber_created(created, ad, created.parsed()) == "sent"
    assert _record(ad, created).provider_status == 200
    assert sink_messages(sink_url) == []  # sandbox mode delivers nothing


def test_every_call_has_a_timeout(ad, sink_url):
    slow = SendGridSender(
        api_key=ad.settings.sendgrid_api_key,
        host=sink_url,
        timeout_seconds=0.3,
        max_attempts=1,
        mail_from="alerts@grantmatch.example",
        from_name="Grant Match",
    )
    _faults(sink_url, {"status": 202, "delay": 1.5})
    with pytest.raises(TransientSendError, match="unreachable"):
        slow.send(_any_email())
    # The slow provider still takes the email once its delay is over (so may SendGrid):
    # wait for it here, or it lands in the mailbox of whichever test runs next.
    deadline = time.monotonic() + 10
    while not sink_messages(sink_url) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["to"] for m in sink_messages(sink_url)] == [["to@example.org"]]


def test_api_key_never_reaches_the_logs_or_the_errors(ad, sink_url, created, caplog):
    caplog.set_level(logging.DEBUG)
    _faults(sink_url, {"status": 403})
    assert on_subscriber_created(created, ad, created.parsed()) == "failed"
    _faults(sink_url, {"status": 401})
    with pytest.raises(PermanentSendError) as caught:
        ad.sender.send(_any_email())
    key = ad.settings.sendgrid_api_key.get_secret_value()
    assert key not in caplog.text
    assert key not in str(caught.value) and key not in repr(caught.value.__cause__)
    assert key not in repr(ad.settings)


def _any_email():
    from shared.email.rendering import Email

    return Email("to@example.org", "s", "t", "<p>h</p>", "test", "ref")


def test_crash_between_send_and_record_sends_nothing_more_within_the_lease(
    ad, sink_url, created, monkeypatch
):
    real_send = ad.sender.send

    def send_then_crash(email):
        real_send(email)
        raise SystemExit("notify died after SendGrid accepted the email")

    monkeypatch.setattr(ad.sender, "send", send_then_crash)
    with pytest.raises(SystemExit):
        on_subscriber_created(created, ad, created.parsed())
    monkeypatch.setattr(ad.sender, "send", real_send)
    assert (
        on_subscriber_created(created, ad, created.parsed()) == "busy"
    )  # Pub/Sub redelivers: nothing sent
    assert len(sink_messages(sink_url)) == 1
    # The residue the README states: once the lease expires, the relay re-announces the
    # cause and a second copy can go out, because SendGrid cannot tell it is a repeat.
    later = ad.clock.now() + timedelta(seconds=ad.settings.notification_lease_seconds + 1)
    assert relay_once(at(ad, later)).revived_notifications == 1


def test_crash_after_record_finishes_marking_alerts_on_redelivery(ad, bus, sink_url, monkeypatch):
    pid = new_profile(ad, language="en")
    pump(ad, bus)
    confirm(ad, PROFILE, pid)
    new_grant(ad, title="Marked late")
    pump(ad, bus, relay=False)
    announce_due_alerts(ad)
    [due] = bus.events("notification-due")
    real_mark = ad.alerts.mark_sent

    def crash_on_marking(ids, notification_id, now):
        raise SystemExit("died before marking")

    monkeypatch.setattr(ad.alerts, "mark_sent", crash_on_marking)
    with pytest.raises(SystemExit):
        on_notification_due(due, ad, due.parsed())
    monkeypatch.setattr(ad.alerts, "mark_sent", real_mark)
    assert [a.status for a in ad.alerts.of_recipient(PROFILE, pid)] == ["pending"]
    assert on_notification_due(due, ad, due.parsed()) == "done"  # redelivered: no second email...
    assert ad.alerts.of_recipient(PROFILE, pid) == []  # ...and the marking is finished
    assert [m["categories"] for m in sink_messages(sink_url)] == [["confirmation"], ["alerts"]]
