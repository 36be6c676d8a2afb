"""The relay function Cloud Scheduler calls: one relay pass per call, and a failed run
shows as a failure (503) so the scheduler's log tells someone."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.test import EnvironBuilder

from shared.adapters.firestore.ledgers import OUTBOX
from shared.domain.models import GrantSubmission
from shared.services.submissions import submit_grant
from tests.builders import grant_body
from tests.function_loader import load_function
from tests.real_adapters import at, client_of


def _call_relay():
    relay = load_function("relay").relay
    return relay(EnvironBuilder(method="POST", path="/").get_request())


def _stale_grant_left_in_outbox(ad, bus):
    bus.delete_topic("grant-published")  # Pub/Sub refuses: the event stays in the outbox
    result = submit_grant(
        at(ad, ad.clock.now() - timedelta(minutes=5)),
        "f_1",
        GrantSubmission(**grant_body()),
        correlation_id="corr-relay-1",
    )
    assert len(list(client_of(ad).collection(OUTBOX).stream())) == 1
    return result


def test_relay_function_publishes_what_ingest_could_not(ad, bus):
    result = _stale_grant_left_in_outbox(ad, bus)
    bus.reset()  # Pub/Sub is back
    body, status = _call_relay()
    assert (status, body) == (200, {"published": 1, "failed": 0, "revived": 0})
    assert [e.id for e in bus.events("grant-published")] == [result.event_id]
    assert list(client_of(ad).collection(OUTBOX).stream()) == []


def test_relay_function_reports_a_failed_run_and_keeps_the_event(ad, bus):
    _stale_grant_left_in_outbox(ad, bus)
    body, status = _call_relay()
    assert status == 503 and body["failed"] == 1 and body["published"] == 0
    assert len(list(client_of(ad).collection(OUTBOX).stream())) == 1
