"""What goes out when: batched instant alerts, weekly digests, reminders, funders' email."""

from __future__ import annotations

import json
from datetime import timedelta

from shared.adapters.ports import AlertStatus
from shared.domain.events import Envelope, NotificationDue, ScheduleTick, new_event
from shared.domain.recipients import EmailKind, RecipientKind
from shared.domain.schedule import Job, region_date
from shared.services import digests
from shared.services.alerts import announce_due_alerts
from shared.services.digests import on_schedule_tick
from shared.services.funders import create_funder
from shared.services.notifications import on_notification_due
from tests.conftest import sink_messages
from tests.integration.pipeline import (
    confirm,
    deliver_event,
    new_grant,
    new_profile,
    new_project,
    pump,
)
from tests.real_adapters import FixedClock, at, client_of

PROFILE = RecipientKind.PROFILE
PENDING, SENT = AlertStatus.PENDING, AlertStatus.SENT
SCHEDULER_DIGEST = json.loads(
    '{"name": "schedule.tick", "version": 1, "id": "scheduler-weekly-digest",'
    ' "occurred_at": "2026-01-05T01:00:00Z", "correlation_id": "scheduler-weekly-digest",'
    ' "payload": {"job": "weekly_digest"}}'
)


def _confirmed_profile(ad, bus, **overrides) -> str:
    pid = new_profile(ad, language="en", **overrides)
    pump(ad, bus)
    confirm(ad, PROFILE, pid)
    pump(ad, bus)
    return pid


def _kinds(sink_url: str) -> list[str]:
    return [m["categories"][0] for m in sink_messages(sink_url)]


def _later(ad, days: int, monkeypatch) -> None:
    """The same adapters, living `days` later (for this test only)."""
    monkeypatch.setattr(ad, "clock", FixedClock(ad.clock.now() + timedelta(days=days)))


def test_matches_arriving_within_the_window_share_one_email(ad, bus, sink_url):
    pid = _confirmed_profile(ad, bus)
    for title in ("One", "Two", "Three"):
        new_grant(ad, title=title)
    pump(ad, bus, relay=False)  # matched and recorded; the window has not been swept
    assert _kinds(sink_url) == ["confirmation"]
    assert announce_due_alerts(ad) == 1  # one recipient, one announcement
    [due] = bus.events("notification-due")
    assert on_notification_due(due, ad, due.parsed()) == "sent"
    # Redelivered: all three were already told.
    assert on_notification_due(due, ad, due.parsed()) == "nothing"
    [_, alert] = sink_messages(sink_url)
    assert alert["subject"] == "3 new grants for Delta Rights Network"
    statuses = {a.status for a in ad.alerts.of_recipient(PROFILE, pid, (PENDING, SENT))}
    assert statuses == {"sent"}
    assert announce_due_alerts(ad) == 0


def test_two_flushes_of_one_batch_send_one_email(ad, bus, sink_url):
    pid = _confirmed_profile(ad, bus)
    new_grant(ad, title="Contended")
    pump(ad, bus, relay=False)
    event = new_event(
        NotificationDue(kind=EmailKind.ALERTS, recipient_kind=PROFILE, recipient_id=pid),
        correlation_id="c-12345678",
        now=ad.clock.now(),
    )
    other = new_event(event.parsed(), correlation_id="c-12345678", now=ad.clock.now())
    assert [on_notification_due(e, ad, e.parsed()) for e in (event, other)] == ["sent", "nothing"]
    assert _kinds(sink_url) == ["confirmation", "alerts"]


def test_weekly_digest_goes_out_once_per_week_with_only_new_matches(ad, bus, sink_url, monkeypatch):
    monkeypatch.setattr(digests, "DIGEST_MAX_ITEMS", 2)
    _confirmed_profile(ad, bus, frequency="weekly")
    for title in ("Alpha", "Beta", "Gamma"):
        new_grant(ad, title=title)
    pump(ad, bus)
    assert _kinds(sink_url) == ["confirmation"]  # weekly: nothing until the digest
    tick = Envelope.model_validate(SCHEDULER_DIGEST)  # the scheduler's fixed message
    for _ in range(2):  # the same tick delivered twice in one week
        deliver_event(ad, tick)
        pump(ad, bus)
    [_, digest] = sink_messages(sink_url)
    assert digest["subject"] == "Your weekly grants: 2 matches"
    assert "1 more match will be in your next digest." in digest["text"]
    _later(ad, 7, monkeypatch)
    deliver_event(ad, tick)  # next week: a new run, with the match that did not fit
    pump(ad, bus)
    [_, _, second] = sink_messages(sink_url)
    assert second["subject"] == "Your weekly grants: 1 match"


def test_deadline_reminder_is_sent_once_and_only_for_grants_closing_soon(
    ad, bus, sink_url, monkeypatch
):
    pid = _confirmed_profile(ad, bus)
    soon = (region_date(ad.clock.now()) + timedelta(days=5)).isoformat()  # the region's today
    new_grant(ad, title="Closing soon", deadline=soon)
    new_grant(ad, title="Closing later", deadline="2099-01-01")
    pump(ad, bus)
    assert _kinds(sink_url) == ["confirmation", "alerts"]
    tick = new_event(
        ScheduleTick(job=Job.DEADLINE_REMINDERS), correlation_id="c" * 8, now=ad.clock.now()
    )
    assert on_schedule_tick(tick, ad, tick.parsed()) == 1
    pump(ad, bus)
    on_schedule_tick(tick, ad, tick.parsed())  # again the same day
    pump(ad, bus)
    _later(ad, 1, monkeypatch)
    assert on_schedule_tick(tick, ad, tick.parsed()) == 0  # next day: already reminded
    reminders = [m for m in sink_messages(sink_url) if m["categories"] == ["reminder"]]
    assert len(reminders) == 1
    assert reminders[0]["subject"] == "Closing within a week: 1 grant that fits you"
    assert "Closing soon" in reminders[0]["text"] and "Closing later" not in reminders[0]["text"]
    assert "closes in 5 days" in reminders[0]["text"]
    assert {a.reminded_in for a in ad.alerts.of_recipient(PROFILE, pid, (SENT,)) if a.reminded_in}


def test_funder_hears_of_projects_shown_to_funders_never_their_contact(
    ad, bus, sink_url, monkeypatch, ingest_app
):
    funder = create_funder(ad, "Mekong Fund", email="grants@fund.example.org")
    grant_id = new_grant(ad, funder_id=funder.funder_id, title="Community radio", countries=["LA"])
    shown = new_project(ad, title="Shown project", contact_email="a@cso.example.org")
    new_project(
        ad, title="Private project", contact_email="b@cso.example.org", visibility="private"
    )
    pump(ad, bus)
    confirm(ad, RecipientKind.PROJECT, shown)
    pump(ad, bus)
    tick = Envelope.model_validate(SCHEDULER_DIGEST)
    deliver_event(ad, tick)
    pump(ad, bus)
    [email] = [m for m in sink_messages(sink_url) if m["to"] == ["grants@fund.example.org"]]
    assert email["subject"] == "1 project fits your grants"
    assert "Shown project" in email["text"] and "Private project" not in email["text"]
    # The link opens the projects page for this grant (a browser cannot send the API's
    # Bearer header); the funder signs in there with its key.
    page = f"https://gm.example.org/projects?grant={grant_id}&sort=best&lang=en"
    assert page in email["text"] and page.replace("&", "&amp;") in email["html"]
    assert f"/grants/{grant_id}/projects" not in email["text"] + email["html"]
    everything = email["text"] + email["html"] + json.dumps(email["headers"])
    assert "@cso.example.org" not in everything
    funder_doc = client_of(ad).collection("funders").document(funder.funder_id).get()
    assert "grants@fund.example.org" not in str(funder_doc.to_dict())  # kept apart, private
    # The funder unsubscribes with one click: next week brings nothing.
    client = ingest_app.test_client()
    unsubscribe = email["headers"]["List-Unsubscribe"].strip("<>").split("/", 3)[3]
    assert client.post(f"/{unsubscribe}").status_code == 200
    another = new_project(ad, title="Another project", contact_email="c@cso.example.org")
    pump(ad, bus)
    confirm(ad, RecipientKind.PROJECT, another)
    _later(ad, 7, monkeypatch)
    deliver_event(ad, tick)
    pump(ad, bus)
    assert len([m for m in sink_messages(sink_url) if m["to"] == [email["to"][0]]]) == 1


def test_an_alert_already_sent_is_never_announced_again(ad, bus):
    pid = _confirmed_profile(ad, bus)
    new_grant(ad, title="Raced")
    pump(ad, bus)
    [alert] = ad.alerts.of_recipient(PROFILE, pid, (SENT,))
    # A due time written just after the flush marked the alert sent (a lost race).
    ad.alerts.set_due([alert.id], ad.clock.now(), ad.clock.now())
    assert announce_due_alerts(at(ad, ad.clock.now() + timedelta(seconds=1))) == 0
    assert ad.alerts.get(alert.id).due_at is None


def test_a_batch_over_the_cap_goes_out_in_two_emails(ad, bus, sink_url, monkeypatch):
    from shared.services import alerts

    monkeypatch.setattr(alerts, "ALERT_BATCH_MAX", 2)
    _confirmed_profile(ad, bus)
    for title in ("One", "Two", "Three"):
        new_grant(ad, title=title)
    pump(ad, bus)
    subjects = [m["subject"] for m in sink_messages(sink_url)][1:]
    assert subjects == [
        "2 new grants for Delta Rights Network",
        "New grant for Delta Rights Network: Three",
    ]


def test_a_grant_narrowed_while_its_alert_waits_is_not_sent_to_whom_it_no_longer_fits(
    ad, bus, sink_url
):
    _confirmed_profile(ad, bus, frequency="weekly")  # in KH
    new_grant(ad, title="Stays", countries=["KH"])
    new_grant(ad, title="Narrows", countries=["KH", "LA"])
    pump(ad, bus)
    new_grant(ad, title="Narrows", countries=["LA"])  # the funder edits it during the week
    pump(ad, bus)
    deliver_event(ad, Envelope.model_validate(SCHEDULER_DIGEST))
    pump(ad, bus)
    [_, digest] = sink_messages(sink_url)
    assert digest["subject"] == "Your weekly grants: 1 match"
    assert "Stays" in digest["text"] and "Narrows" not in digest["text"]


def test_an_alert_puts_grants_closing_within_a_week_first_and_says_so(ad, bus, sink_url):
    from shared.matching.screening import deadline_today

    _confirmed_profile(ad, bus)
    today = deadline_today(ad.clock.now())
    new_grant(ad, title="Closes in two months", deadline=str(today + timedelta(days=60)))
    new_grant(ad, title="Closes in three days", deadline=str(today + timedelta(days=3)))
    pump(ad, bus)
    [alert] = [m for m in sink_messages(sink_url) if m["categories"] == ["alerts"]]
    for part in (alert["text"], alert["html"]):
        assert part.index("Closes in three days") < part.index("Closes in two months")
        assert "closes in 3 days" in part
