"""The envelope round-trips, and every kind of poison is recognised as poison."""

from __future__ import annotations

import base64
import json

import pytest

from shared.domain.errors import PoisonMessage
from shared.domain.events import (
    Envelope,
    EventName,
    GrantPublished,
    decode,
    decode_push,
    encode,
    new_event,
)
from tests.builders import NOW


def _event() -> Envelope:
    payload = GrantPublished(grant_id="g_1", funder_id="f_1", revision=2)
    return new_event(payload, correlation_id="corr-12345678", now=NOW)


def test_envelope_round_trips_through_pubsub_encoding():
    event = _event()
    data, attributes = encode(event)
    assert decode(data, attributes) == event
    assert attributes["event_name"] == "grant.published"
    assert event.topic == "grant-published"


def test_push_message_is_decoded_from_base64():
    data, attributes = encode(_event())
    message = {"data": base64.b64encode(data).decode(), "attributes": attributes}
    assert decode_push(message).name is EventName.GRANT_PUBLISHED


def test_payload_is_typed():
    parsed = _event().parsed()
    assert isinstance(parsed, GrantPublished) and parsed.revision == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"name": "grant.published"}', "not an event envelope"),
        (b'{"name": "grant.deleted", "version": 1}', "not an event envelope"),
    ],
)
def test_malformed_messages_are_poison(data: bytes, reason: str):
    with pytest.raises(PoisonMessage, match=reason):
        decode(data)


def test_unknown_version_is_poison():
    raw = json.loads(_event().model_dump_json())
    raw["version"] = 7
    with pytest.raises(PoisonMessage, match=r"unknown event version grant\.published v7"):
        decode(json.dumps(raw).encode())


def test_payload_that_does_not_fit_its_event_is_poison():
    raw = json.loads(_event().model_dump_json())
    raw["payload"] = {"grant_id": "g_1"}
    with pytest.raises(PoisonMessage, match=r"bad grant\.published payload"):
        decode(json.dumps(raw).encode())


def test_non_base64_push_data_is_poison():
    with pytest.raises(PoisonMessage, match="not base64"):
        decode_push({"data": "%%%", "attributes": {}})


def test_events_carry_ids_not_personal_data():
    # Payload models list their fields: none of them may be an email or a name.
    from shared.domain.events import PAYLOADS

    for model in PAYLOADS.values():
        assert not {"email", "contact_email", "org_name"} & set(model.model_fields)
