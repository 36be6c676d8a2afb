"""Announcing a harvest run's change notices (on the fakes): only once the run is over,
once, and only to the recipients an email told about the changed call."""

from __future__ import annotations

from datetime import timedelta

from shared.adapters.ports import GrantWrite, alert_id
from shared.domain.events import EventName, GrantPublished, new_event
from shared.domain.recipients import EmailKind, RecipientKind
from shared.services.change_notices import announce_change_notices, change_record
from tests.builders import NOW, grant

PROFILE = RecipientKind.PROFILE


def _changed(ad, gid: str, run_id: str) -> None:
    old = grant(id=gid, deadline=NOW.date() + timedelta(days=30))
    event = new_event(
        GrantPublished(grant_id=gid, funder_id="f", revision=1), correlation_id="c", now=NOW
    )
    ad.grants.save([GrantWrite(old, "h1", event, None)])
    new = old.model_copy(update={"deadline": NOW.date() + timedelta(days=60), "revision": 2})
    event = new_event(
        GrantPublished(grant_id=gid, funder_id="f", revision=2), correlation_id="c", now=NOW
    )
    change = change_record("unpp", run_id, old, new, NOW)
    ad.grants.save([GrantWrite(new, "h2", event, ad.grants.version(gid), change)])


def _told(ad, recipient_id: str, gid: str) -> None:
    ad.alerts.add(PROFILE, recipient_id, f"m_{recipient_id}", gid, "c", NOW)
    ad.alerts.mark_sent([alert_id(PROFILE, f"m_{recipient_id}")], "alerts:x", NOW)


def _announced(ad) -> list[tuple[str, str, str]]:
    return sorted(
        (e.payload["recipient_id"], e.payload["kind"], e.payload["period"])
        for e in ad.publisher.events(EventName.NOTIFICATION_DUE)
    )


def test_a_run_in_progress_keeps_its_notices_until_it_is_over_then_announces_them_once(ad):
    _told(ad, "p_told", "g_1")
    ad.alerts.add(PROFILE, "p_pending", "m_pending", "g_1", "c", NOW)  # never emailed
    ad.harvest.start_run("unpp", "run-1", NOW)
    _changed(ad, "g_1", "run-1")
    assert announce_change_notices(ad, "unpp", "c") == 0  # the run may resume and add more
    ad.harvest.finish_run("unpp", "run-1", NOW)
    assert announce_change_notices(ad, "unpp", "c") == 1
    assert _announced(ad) == [("p_told", EmailKind.CHANGES.value, "run-1")]
    assert announce_change_notices(ad, "unpp", "c") == 0
    assert len(_announced(ad)) == 1


def test_a_finished_runs_owed_notices_are_announced_by_the_next_run_of_its_source(ad):
    _told(ad, "p_told", "g_2")
    _changed(ad, "g_2", "run-1")  # run-1 died after finishing, before announcing
    ad.harvest.start_run("unpp", "run-2", NOW)
    assert announce_change_notices(ad, "unpp", "c") == 1
    assert _announced(ad) == [("p_told", EmailKind.CHANGES.value, "run-1")]
    assert announce_change_notices(ad, "eu", "c") == 0
