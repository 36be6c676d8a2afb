"""Submission and outbox: a submission is stored with its event, announced at once, and
kept for the relay when Pub/Sub does not confirm it."""

from __future__ import annotations

from datetime import timedelta

from shared.adapters.ports import SaveOutcome
from shared.domain.events import EventName
from shared.domain.models import GrantSubmission, ProjectSubmission
from shared.services.outbox_relay import GRACE, relay_once
from shared.services.submissions import submit_grant, submit_project
from tests.builders import grant_body, project_body

FAR = timedelta(days=1)


def _submit_grant(ad, **overrides):
    submission = GrantSubmission(**grant_body(**overrides))
    return submit_grant(ad, "f_1", submission, correlation_id="c-1")


def _outbox(ad) -> list[str]:
    return [e.id for e in ad.outbox.pending(ad.clock.now() + FAR, 100)]


def test_a_grant_submission_stores_the_grant(ad):
    accepted = _submit_grant(ad)
    stored = ad.grants.get(accepted.id)
    assert accepted.outcome is SaveOutcome.CREATED
    assert (stored.title, stored.funder_id, stored.revision) == (grant_body()["title"], "f_1", 1)


def test_a_grant_submission_publishes_its_event_and_leaves_the_outbox_empty(ad):
    accepted = _submit_grant(ad)
    [event] = ad.publisher.events(EventName.GRANT_PUBLISHED)
    assert (event.id, event.parsed().grant_id) == (accepted.event_id, accepted.id)
    assert _outbox(ad) == []


def test_a_grant_whose_publish_fails_stays_in_the_outbox(ad):
    ad.publisher.down()
    accepted = _submit_grant(ad)
    assert ad.grants.get(accepted.id) is not None  # the submission is not lost
    assert ad.publisher.events() == []
    assert _outbox(ad) == [accepted.event_id]


def test_the_relay_publishes_an_outboxed_event_once(ad):
    ad.publisher.down()
    accepted = _submit_grant(ad)
    ad.publisher.up()
    ad.clock.advance(seconds=GRACE.total_seconds() * 2)
    assert relay_once(ad).published == 1
    assert relay_once(ad).published == 0
    assert [e.id for e in ad.publisher.events()] == [accepted.event_id]
    assert _outbox(ad) == []


def test_the_relay_leaves_fresh_events_to_the_request_that_wrote_them(ad):
    ad.publisher.down()
    _submit_grant(ad)
    ad.publisher.up()
    assert relay_once(ad).published == 0
    assert ad.publisher.events() == []


def test_an_unchanged_grant_repost_is_not_announced_again(ad):
    _submit_grant(ad)
    again = _submit_grant(ad)
    assert again.outcome is SaveOutcome.UNCHANGED
    assert len(ad.publisher.events(EventName.GRANT_PUBLISHED)) == 1


def test_a_repeated_project_request_is_replayed_without_a_second_event(ad):
    submission = ProjectSubmission(**project_body())
    first = submit_project(ad, submission, idempotency_key="k-1", correlation_id="c")
    again = submit_project(ad, submission, idempotency_key="k-1", correlation_id="c")
    assert (first.outcome, again.outcome) == (SaveOutcome.CREATED, SaveOutcome.REPLAYED)
    assert again.id == first.id
    assert len(ad.publisher.events(EventName.PROJECT_SUBMITTED)) == 1
