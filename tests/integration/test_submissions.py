"""Accepting submissions: stored, announced once, and never lost when Pub/Sub fails."""

from __future__ import annotations

import pytest

from shared.adapters.firestore.ledgers import OUTBOX
from shared.adapters.ports import SaveOutcome
from shared.domain.errors import Conflict
from shared.domain.models import GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.services.outbox_relay import GRACE, relay_once
from shared.services.submissions import submit_grant, submit_profile, submit_project
from tests.builders import grant_body, profile_body, project_body
from tests.real_adapters import at, client_of


def _grant(ad, funder="f_1", **overrides):
    return submit_grant(
        ad,
        funder,
        GrantSubmission(**grant_body(**overrides)),
        correlation_id="corr-test-1",
    )


def _outbox(ad) -> list:
    return list(client_of(ad).collection(OUTBOX).stream())


def test_new_grant_is_stored_and_announced(ad, bus):
    result = _grant(ad)
    assert result.outcome is SaveOutcome.CREATED
    stored = ad.grants.get(result.id)
    assert stored is not None and stored.title == grant_body()["title"] and stored.revision == 1
    events = bus.events("grant-published")
    assert [e.parsed().grant_id for e in events] == [result.id]
    assert events[0].correlation_id == "corr-test-1"
    assert _outbox(ad) == []  # published at once, so nothing left for the relay


def test_posting_the_same_grant_twice_updates_never_duplicates(ad, bus):
    first = _grant(ad, title="Old title")
    second = _grant(ad, title="New title")
    assert second.id == first.id and second.outcome is SaveOutcome.UPDATED
    grants = list(client_of(ad).collection("grants").stream())
    assert len(grants) == 1
    assert ad.grants.get(first.id).title == "New title"
    assert ad.grants.get(first.id).revision == 2
    assert [e.parsed().revision for e in bus.events("grant-published")] == [1, 2]


def test_unchanged_repost_is_not_announced_again(ad, bus):
    _grant(ad)
    again = _grant(ad)
    assert again.outcome is SaveOutcome.UNCHANGED
    assert len(bus.events("grant-published")) == 1


def test_two_funders_can_use_the_same_external_id(ad):
    assert _grant(ad, funder="f_a").id != _grant(ad, funder="f_b").id


def test_update_keeps_created_at(ad):
    first = ad.grants.get(_grant(ad, title="a").id)
    second = ad.grants.get(_grant(ad, title="b").id)
    assert second.created_at == first.created_at
    assert second.updated_at >= first.updated_at


def test_grant_whose_publish_fails_is_kept_in_the_outbox_and_relayed(ad, bus):
    bus.delete_topic("grant-published")  # Pub/Sub refuses the publish: NotFound
    result = _grant(ad)
    assert result.outcome is SaveOutcome.CREATED
    assert ad.grants.get(result.id) is not None  # the write was not lost
    assert len(_outbox(ad)) == 1

    bus.reset()  # Pub/Sub is back
    report = relay_once(at(ad, ad.clock.now() + GRACE * 2))
    assert report.published == 1
    events = bus.events("grant-published")
    assert [e.id for e in events] == [result.event_id]
    assert _outbox(ad) == []


def test_relay_leaves_fresh_entries_to_the_request_that_wrote_them(ad, bus):
    bus.delete_topic("grant-published")
    _grant(ad)
    bus.reset()
    assert relay_once(ad).published == 0
    assert len(_outbox(ad)) == 1


def test_relay_keeps_events_while_pubsub_is_still_down(ad, bus):
    bus.delete_topic("grant-published")
    _grant(ad)
    report = relay_once(at(ad, ad.clock.now() + GRACE * 2))
    assert report.published == 0 and report.failed == 1
    assert len(_outbox(ad)) == 1


def test_project_is_stored_and_announced(ad, bus):
    result = submit_project(
        ad,
        ProjectSubmission(**project_body()),
        idempotency_key=None,
        correlation_id="c-123456",
    )
    assert result.outcome is SaveOutcome.CREATED
    assert ad.subscribers.get_project(result.id).contact_email == project_body()["contact_email"]
    assert [e.parsed().project_id for e in bus.events("project-submitted")] == [result.id]


def test_profile_retry_with_same_idempotency_key_is_replayed_not_duplicated(ad, bus):
    submission = ProfileSubmission(**profile_body())
    first = submit_profile(ad, submission, idempotency_key="k-1", correlation_id="c-123456")
    again = submit_profile(ad, submission, idempotency_key="k-1", correlation_id="c-123456")
    assert again.id == first.id and again.outcome is SaveOutcome.REPLAYED
    assert len(list(client_of(ad).collection("profiles").stream())) == 1
    assert len(bus.events("profile-created")) == 1


def test_idempotency_key_reused_for_a_different_body_is_a_conflict(ad):
    submit_profile(
        ad,
        ProfileSubmission(**profile_body()),
        idempotency_key="k-2",
        correlation_id="c-123456",
    )
    with pytest.raises(Conflict):
        submit_profile(
            ad,
            ProfileSubmission(**profile_body(org_name="Someone else")),
            idempotency_key="k-2",
            correlation_id="c-123456",
        )
