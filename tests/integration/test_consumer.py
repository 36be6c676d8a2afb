"""The Pub/Sub consumer wrapper: poison is dead-lettered and acked, duplicates skipped."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from shared.domain.events import (
    EventName,
    InterestAccepted,
    InterestExpressed,
    ProfileCreated,
    encode,
    new_event,
)
from shared.runtime.consumer import consume


def _cloud_event(data: bytes, attributes: dict | None = None) -> SimpleNamespace:
    message = {
        "data": base64.b64encode(data).decode(),
        "attributes": attributes or {},
        "messageId": "m-1",
    }
    return SimpleNamespace(data={"message": message})


def _recorder():
    calls = []

    def record(envelope, ad, payload: ProfileCreated) -> None:
        calls.append(envelope.id)

    return calls, {EventName.PROFILE_CREATED: record}


def test_poison_message_is_dead_lettered_with_its_payload_and_reason(ad, bus):
    calls, handlers = _recorder()
    outcome = consume(
        _cloud_event(b"{broken", {"k": "v"}), consumer="match", handlers=handlers, ad=ad
    )
    assert outcome == "dead-lettered" and calls == []
    [message] = bus.pull("dead-letter")
    assert message.message.data == b"{broken"
    assert message.message.attributes["dead_letter_consumer"] == "match"
    assert "not JSON" in message.message.attributes["dead_letter_reason"]
    assert message.message.attributes["k"] == "v"


def test_event_this_consumer_does_not_handle_is_dead_lettered(ad, bus):
    event = new_event(
        ProfileCreated(profile_id="a_1"), correlation_id="c-12345678", now=ad.clock.now()
    )
    outcome = consume(_cloud_event(*encode(event)), consumer="notify", handlers={}, ad=ad)
    assert outcome == "dead-lettered"
    assert (
        "does not handle profile.created"
        in bus.pull("dead-letter")[0].message.attributes["dead_letter_reason"]
    )


def test_event_whose_payload_is_not_the_handlers_model_is_dead_lettered_unhandled(ad, bus):
    calls = []

    def accepted_only(envelope, ad, payload: InterestAccepted) -> None:
        calls.append(payload)

    event = new_event(
        InterestExpressed(interest_id="i_1"), correlation_id="c-12345678", now=ad.clock.now()
    )
    handlers = {EventName.INTEREST_EXPRESSED: accepted_only}
    outcome = consume(_cloud_event(*encode(event)), consumer="notify", handlers=handlers, ad=ad)
    assert outcome == "dead-lettered" and calls == []
    [message] = bus.pull("dead-letter")
    assert message.message.attributes["dead_letter_consumer"] == "notify"
    assert (
        "takes InterestAccepted, not interest.expressed v1"
        in message.message.attributes["dead_letter_reason"]
    )
    assert not ad.processed.was_processed("notify", event.id)


def test_redelivered_event_runs_its_handler_once(ad):
    calls, handlers = _recorder()
    event = new_event(
        ProfileCreated(profile_id="a_1"), correlation_id="c-12345678", now=ad.clock.now()
    )
    pushed = _cloud_event(*encode(event))
    outcomes = [consume(pushed, consumer="match", handlers=handlers, ad=ad) for _ in range(3)]
    assert outcomes == ["handled", "duplicate", "duplicate"]
    assert calls == [event.id]


def test_same_event_is_handled_once_per_consumer(ad):
    calls, handlers = _recorder()
    event = new_event(
        ProfileCreated(profile_id="a_1"), correlation_id="c-12345678", now=ad.clock.now()
    )
    pushed = _cloud_event(*encode(event))
    consume(pushed, consumer="match", handlers=handlers, ad=ad)
    consume(pushed, consumer="other", handlers=handlers, ad=ad)
    assert calls == [event.id, event.id]


def test_failing_handler_is_not_marked_processed_so_redelivery_retries(ad):
    attempts = []

    def flaky(envelope, _ad, payload: ProfileCreated):
        attempts.append(envelope.id)
        if len(attempts) == 1:
            raise RuntimeError("Firestore hiccup")

    event = new_event(
        ProfileCreated(profile_id="a_1"), correlation_id="c-12345678", now=ad.clock.now()
    )
    pushed = _cloud_event(*encode(event))
    handlers = {EventName.PROFILE_CREATED: flaky}
    with pytest.raises(RuntimeError):
        consume(pushed, consumer="match", handlers=handlers, ad=ad)
    assert consume(pushed, consumer="match", handlers=handlers, ad=ad) == "handled"
    assert len(attempts) == 2
