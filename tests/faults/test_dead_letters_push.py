"""Dead letters through the real push path: a message a function keeps failing is
forwarded by its subscription's dead-letter policy after five deliveries and replayed by
`grantmatch dead-letters replay` once the cause is gone; a poison message is acknowledged
and parked once, never retried."""

from __future__ import annotations

import json
import secrets
import time

import pytest
import requests

from shared.domain.events import GrantPublished, encode, new_event
from tests.builders import profile_body

pytestmark = pytest.mark.faults


def _parked(stack, predicate) -> list[dict]:
    letters = [json.loads(line) for line in stack.grantmatch("dead-letters", "list").splitlines()]
    return [letter for letter in letters if predicate(letter)]


def _send_calls(stack) -> int:
    return requests.get(f"{stack.sink_url}/api/messages", timeout=5).json()["requests"]


def test_a_message_failing_every_delivery_is_dead_lettered_and_replayed_once(faults):
    address = f"dead-letter-{secrets.token_hex(3)}@cso.example.org"
    # The provider fails the next five sends: exactly the five deliveries Pub/Sub makes.
    requests.post(
        f"{faults.sink_url}/api/faults", json={"responses": [{"status": 500}] * 5}, timeout=5
    )
    created = faults.post("/profiles", profile_body(email=address, language="en"))
    profile_id = created.json()["id"]

    def parked() -> list[dict]:
        return _parked(faults, lambda letter: letter["event"] == "profile.created")

    faults.wait_until(lambda: parked(), 60, "the confirmation's event in the dead-letter inbox")
    [letter] = parked()
    assert letter["source_subscription"].split("/")[-1] == "notify-on-profile-created"
    assert letter["reason"] == "failed its maximum delivery attempts"
    assert _send_calls(faults) == 5 and faults.emails() == []

    report = json.loads(faults.grantmatch("dead-letters", "replay", letter["message_id"]))
    assert report["replayed"] == [letter["message_id"]]
    faults.wait_until(lambda: faults.emails(), 30, "the confirmation email after the replay")
    time.sleep(3)  # match also got the replay: it had handled it, so it does nothing
    [email] = faults.emails()
    assert email["to"] == [address] and email["categories"] == ["confirmation"]
    assert _parked(faults, lambda m: m["message_id"] == letter["message_id"]) == []
    assert faults.ad.subscribers.get_profile(profile_id) is not None


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("bad-json", "not JSON"), ("unknown-version", "unknown event version grant.published v99")],
    ids=["bad-json", "unknown-version"],
)
def test_poison_pushed_to_a_function_is_acknowledged_and_parked_once(faults, kind, reason):
    marker = secrets.token_hex(4)
    if kind == "bad-json":
        data = f"{{not json {marker}".encode()
    else:  # a well-formed envelope of a version nobody knows
        event = new_event(
            GrantPublished(grant_id="g", funder_id="f", revision=1),
            correlation_id=f"poison-{marker}",
            now=faults.ad.clock.now(),
        )
        data = encode(event)[0].replace(b'"version":1', b'"version":99')
    faults.publish_raw("grant-published", data, {})

    def copies() -> list[dict]:
        return _parked(faults, lambda m: marker in (m["data_preview"] or ""))

    faults.wait_until(copies, 30, "the poison message in the dead-letter inbox")
    time.sleep(5)  # several retry intervals (1-2 s): a retried message would be parked again
    [letter] = copies()
    assert reason in letter["reason"] and letter["consumer"] == "match"
    assert letter["replay_topic"] is None
