"""Notify sends each match once, through the real sink, and survives provider faults."""

from __future__ import annotations

import pytest
import requests

from shared.adapters.sendgrid_sender import TransientSendError
from shared.events import MatchFound, ProfileCreated, new_event
from shared.models import GrantSubmission, ProfileSubmission
from shared.services.matching import on_profile_created
from shared.services.notifications import on_match_found
from shared.services.submissions import submit_grant, submit_profile
from tests.builders import grant_body, profile_body
from tests.conftest import sink_messages


@pytest.fixture
def match_event(ad):
    """A stored grant, a stored profile that fits it, their match, and its announcement."""
    submit_grant(
        ad, "f_1", GrantSubmission(**grant_body()), correlation_id="c-12345678", now=ad.now()
    )
    profile = submit_profile(
        ad,
        ProfileSubmission(**profile_body()),
        idempotency_key=None,
        correlation_id="c-12345678",
        now=ad.now(),
    )
    created = new_event(
        ProfileCreated(profile_id=profile.id), correlation_id="c-12345678", now=ad.now()
    )
    [match] = on_profile_created(created, ad)
    payload = MatchFound(
        match_id=match.id,
        grant_id=match.grant_id,
        target_kind=match.target_kind,
        target_id=match.target_id,
    )
    return new_event(payload, correlation_id="c-12345678", now=ad.now())


def _faults(sink_url: str, *responses: dict) -> None:
    requests.post(
        f"{sink_url}/api/faults", json={"responses": list(responses)}, timeout=5
    ).raise_for_status()


def test_match_alert_is_sent_to_the_profile_email(ad, sink_url, match_event):
    assert on_match_found(match_event, ad) == "sent"
    [email] = sink_messages(sink_url)
    assert email["to"] == [profile_body()["email"]]
    assert (
        email["subject"] == f"Grant match for {profile_body()['org_name']}: {grant_body()['title']}"
    )
    assert "applicant: unregistered group via fiscal sponsor" in email["text"]
    assert email["tracking_settings"]["open_tracking"]["enable"] is False
    record = ad.repo.get_notification(f"match_alert:{match_event.parsed().match_id}")
    assert record["status"] == "sent" and record["message_id"] == email["message_id"]
    assert record["sent_by_event"] == match_event.id


def test_same_match_is_never_sent_twice(ad, sink_url, match_event):
    on_match_found(match_event, ad)
    again = new_event(match_event.parsed(), correlation_id="c-12345678", now=ad.now())
    assert on_match_found(again, ad) == "done"
    assert on_match_found(match_event, ad) == "done"
    assert len(sink_messages(sink_url)) == 1


def test_provider_500_then_202_sends_once(ad, sink_url, match_event):
    _faults(sink_url, {"status": 500})
    assert on_match_found(match_event, ad) == "sent"
    assert len(sink_messages(sink_url)) == 1


def test_rate_limit_waits_for_reset_then_sends_once(ad, sink_url, match_event):
    _faults(sink_url, {"status": 429, "reset_in": 1})
    assert on_match_found(match_event, ad) == "sent"
    assert len(sink_messages(sink_url)) == 1


def test_provider_down_for_every_attempt_releases_the_claim_for_redelivery(
    ad, sink_url, match_event
):
    _faults(sink_url, *[{"status": 503}] * 3)  # SENDGRID_MAX_ATTEMPTS=3 in tests
    with pytest.raises(TransientSendError):
        on_match_found(match_event, ad)
    record = ad.repo.get_notification(f"match_alert:{match_event.parsed().match_id}")
    assert record["status"] == "retrying"
    # Pub/Sub redelivers: this time the provider is back.
    assert on_match_found(match_event, ad) == "sent"
    assert len(sink_messages(sink_url)) == 1


def test_permanent_refusal_is_recorded_and_not_retried(ad, sink_url, match_event):
    _faults(sink_url, {"status": 400})
    assert on_match_found(match_event, ad) == "failed"
    record = ad.repo.get_notification(f"match_alert:{match_event.parsed().match_id}")
    assert record["status"] == "failed" and record["provider_status"] == 400
    assert on_match_found(match_event, ad) == "done"
    assert sink_messages(sink_url) == []


def test_match_for_a_deleted_profile_sends_nothing(ad, sink_url, match_event):
    ad.repo._db.collection("profiles").document(match_event.parsed().target_id).delete()
    assert on_match_found(match_event, ad) == "gone"
    assert sink_messages(sink_url) == []
