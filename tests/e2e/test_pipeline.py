"""The whole chain: HTTP → Firestore → Pub/Sub push → match → Pub/Sub push → notify → sink."""

from __future__ import annotations

import time

import requests

from shared.events import GrantPublished, new_event
from shared.services.funders import create_funder
from tests.builders import grant_body, profile_body, project_body
from tests.conftest import sink_messages


def _post(stack, path: str, body: dict, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = requests.post(f"{stack.ingest_url}{path}", json=body, headers=headers, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _funder_key(stack) -> str:
    return create_funder(stack.ad, "E2E Foundation", stack.ad.now()).api_key


def test_posted_grant_reaches_the_matching_profile_by_email(e2e):
    _post(e2e, "/profiles", profile_body(email="fits@cso.example.org"))
    _post(e2e, "/profiles", profile_body(email="elsewhere@cso.example.org", countries=["TH"]))
    grant = _post(e2e, "/grants", grant_body(title="Phones for reporters"), _funder_key(e2e))

    [email] = e2e.wait_for_emails(lambda m: "Phones for reporters" in m["subject"])
    assert email["to"] == ["fits@cso.example.org"]
    assert email["subject"] == f"Grant match for {profile_body()['org_name']}: Phones for reporters"
    assert "Phones for reporters" in email["text"] and "5,000–40,000 USD" in email["text"]
    assert "applicant: unregistered group via fiscal sponsor" in email["html"]
    assert e2e.ad.repo.get_grant(grant["id"]) is not None

    time.sleep(2)  # give any duplicate or stray email the time to show up
    assert [m["to"] for m in sink_messages(e2e.sink_url)] == [["fits@cso.example.org"]]


def test_submitted_project_is_alerted_about_an_open_grant(e2e):
    _post(
        e2e,
        "/grants",
        grant_body(title="Open call for Lao media", countries=["LA"]),
        _funder_key(e2e),
    )
    _post(e2e, "/projects", project_body(contact_email="team@laomedia.example.org", country="LA"))
    [email] = e2e.wait_for_emails(lambda m: m["to"] == ["team@laomedia.example.org"])
    assert "Open call for Lao media" in email["subject"]


def test_event_delivered_three_times_sends_one_email(e2e):
    _post(e2e, "/profiles", profile_body(email="once@cso.example.org"))
    grant = _post(e2e, "/grants", grant_body(title="Only once"), _funder_key(e2e))
    e2e.wait_for_emails(lambda m: "Only once" in m["subject"])
    stored = e2e.ad.repo.get_grant(grant["id"])
    event = new_event(
        GrantPublished(grant_id=stored.id, funder_id=stored.funder_id, revision=stored.revision),
        correlation_id="replay-test-1",
        now=e2e.ad.now(),
    )
    for _ in range(3):
        e2e.ad.publisher.publish(event)
    time.sleep(3)
    assert len([m for m in sink_messages(e2e.sink_url) if "Only once" in m["subject"]]) == 1
    assert len(list(e2e.ad.repo._db.collection("matches").stream())) == 1


def test_poison_message_is_acked_and_parked_on_the_dead_letter_topic(e2e):
    from google.cloud import pubsub_v1

    e2e.ad.publisher.publish_raw("grant-published", b"this is not an event", {"source": "e2e"})
    subscriber = pubsub_v1.SubscriberClient()
    subscription = subscriber.subscription_path("grantmatch-e2e", "dead-letter-inbox")
    deadline = time.monotonic() + 20
    parked = []
    while time.monotonic() < deadline and not parked:
        response = subscriber.pull(
            request={"subscription": subscription, "max_messages": 50, "return_immediately": True}
        )
        parked = [
            m for m in response.received_messages if m.message.data == b"this is not an event"
        ]
        if response.received_messages:
            subscriber.acknowledge(
                subscription=subscription, ack_ids=[m.ack_id for m in response.received_messages]
            )
        time.sleep(0.2)
    subscriber.close()
    assert parked, "the poison message never reached the dead-letter inbox"
    attributes = parked[0].message.attributes
    assert attributes["dead_letter_consumer"] == "match"
    assert attributes["source"] == "e2e"
