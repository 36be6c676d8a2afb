"""The whole chain: HTTP → Firestore → Pub/Sub push → match → Pub/Sub push → notify → sink,
with the relay announcing due alerts, all as separate processes."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from shared.adapters.ports import GrantWrite
from shared.domain.events import GrantPublished, encode, new_event
from shared.domain.ids import grant_id
from shared.domain.models import Grant, GrantSubmission
from shared.services.funders import create_funder
from shared.services.submissions import fingerprint
from tests.builders import grant_body, profile_body, project_body
from tests.conftest import sink_messages
from tests.real_adapters import client_of


def _post(stack, path: str, body: dict, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = requests.post(f"{stack.ingest_url}{path}", json=body, headers=headers, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _funder_key(stack) -> str:
    return create_funder(stack.ad, "E2E Foundation").api_key


def _alerts_to(stack, address: str) -> list[dict]:
    return [
        m
        for m in sink_messages(stack.sink_url)
        if m["to"] == [address] and m["categories"] != ["confirmation"]
    ]


def test_confirm_alert_unsubscribe_then_nothing_more(e2e):
    address = "fits@cso.example.org"
    _post(e2e, "/profiles", profile_body(email=address, language="en"))
    _post(e2e, "/profiles", profile_body(email="elsewhere@cso.example.org", countries=["TH"]))
    key = _funder_key(e2e)
    _post(e2e, "/grants", grant_body(title="Held until confirmed", external_id="g-1"), key)

    confirmation = e2e.confirm(address)  # the only email before the link is followed
    assert confirmation["subject"] == "Please confirm your grant alerts from Grant Match"
    [alert] = e2e.wait_for_emails(lambda m: "Held until confirmed" in m["subject"])
    assert alert["subject"] == "New grant for Delta Rights Network: Held until confirmed"
    assert "$5,000 – $40,000" in alert["text"]
    assert "Applicant: unregistered group, through a fiscal sponsor" in alert["html"]

    unsubscribe = alert["headers"]["List-Unsubscribe"].strip("<>")
    assert alert["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = requests.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}, timeout=10)
    assert one_click.status_code == 200

    _post(e2e, "/grants", grant_body(title="After unsubscribing", external_id="g-2"), key)
    time.sleep(3)  # window (1 s) + relay passes + delivery: what would have arrived by now
    assert [m["subject"] for m in _alerts_to(e2e, address)] == [alert["subject"]]
    # The other profile never confirmed and does not fit: only its confirmation went out.
    assert [m["categories"] for m in sink_messages(e2e.sink_url) if "elsewhere" in m["to"][0]] == [
        ["confirmation"]
    ]


def test_submitted_project_is_alerted_about_an_open_grant_once_confirmed(e2e):
    _post(
        e2e,
        "/grants",
        grant_body(title="Open call for Lao media", countries=["LA"]),
        _funder_key(e2e),
    )
    _post(e2e, "/projects", project_body(contact_email="team@laomedia.example.org", country="LA"))
    e2e.confirm("team@laomedia.example.org")
    [email] = e2e.wait_for_emails(lambda m: "Open call for Lao media" in m["subject"])
    assert email["to"] == ["team@laomedia.example.org"]


def test_event_delivered_three_times_sends_one_email(e2e):
    _post(e2e, "/profiles", profile_body(email="once@cso.example.org", language="en"))
    e2e.confirm("once@cso.example.org")
    grant = _post(e2e, "/grants", grant_body(title="Only once"), _funder_key(e2e))
    e2e.wait_for_emails(lambda m: "Only once" in m["subject"])
    stored = e2e.ad.grants.get(grant["id"])
    event = new_event(
        GrantPublished(grant_id=stored.id, funder_id=stored.funder_id, revision=stored.revision),
        correlation_id="replay-test-1",
        now=e2e.ad.clock.now(),
    )
    for _ in range(3):
        e2e.ad.publisher.publish(event)
    time.sleep(3)
    assert len([m for m in sink_messages(e2e.sink_url) if "Only once" in m["subject"]]) == 1
    assert len(list(client_of(e2e.ad).collection("matches").stream())) == 1


def test_weekly_digest_is_triggered_by_the_schedule_command(e2e):
    address = "weekly@cso.example.org"
    _post(e2e, "/profiles", profile_body(email=address, language="vi", frequency="weekly"))
    e2e.confirm(address)
    _post(e2e, "/grants", grant_body(title="Weekly news"), _funder_key(e2e))
    command = [sys.executable, "-m", "shared.cli", "schedule", "digest"]
    for _ in range(2):  # the same tick twice in one week
        subprocess.run(command, env=e2e.env, check=True, capture_output=True, timeout=60)
    [digest] = e2e.wait_for_emails(lambda m: m["categories"] == ["digest"])
    assert digest["to"] == [address]
    assert digest["subject"] == "Tài trợ trong tuần của bạn: 1 kết quả phù hợp"
    time.sleep(1.5)
    assert len([m for m in sink_messages(e2e.sink_url) if m["categories"] == ["digest"]]) == 1


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


def test_the_same_push_arriving_three_times_at_once_makes_one_match_and_one_email(e2e):
    """Pub/Sub may push one message to several instances at the same moment: three
    concurrent pushes of one grant.published to the running match function."""
    _post(e2e, "/profiles", profile_body(email="pushed@cso.example.org", language="en"))
    e2e.confirm("pushed@cso.example.org")
    # Stored with its outbox entry but not published: only the pushes below announce it.
    submission = GrantSubmission(**grant_body(title="Pushed at once"))
    now = e2e.ad.clock.now()
    grant = Grant(
        **submission.model_dump(),
        id=grant_id("f_push", submission.external_id),
        funder_id="f_push",
        created_at=now,
        updated_at=now,
    )
    event = new_event(
        GrantPublished(grant_id=grant.id, funder_id="f_push", revision=1),
        correlation_id="push-at-once-1",
        now=now,
    )
    e2e.ad.grants.save([GrantWrite(grant, fingerprint(submission), event, None)])
    data, attributes = encode(event)
    body = {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": attributes,
            "messageId": "push-at-once",
            "publishTime": now.isoformat(),
        },
        "subscription": "projects/grantmatch-e2e/subscriptions/match-on-grant-published",
    }
    url = f"http://127.0.0.1:{e2e.ports.functions['match']}/projects/grantmatch-e2e/topics/grant-published"
    start = threading.Barrier(3)

    def push() -> int:
        start.wait()
        return requests.post(url, json=body, timeout=30).status_code

    with ThreadPoolExecutor(3) as pool:
        statuses = [f.result() for f in [pool.submit(push) for _ in range(3)]]
    assert statuses == [200, 200, 200]
    e2e.wait_for_emails(lambda m: "Pushed at once" in m["subject"])
    time.sleep(3)  # window (1 s) + relay passes + delivery: any duplicate would be here
    assert len([m for m in sink_messages(e2e.sink_url) if "Pushed at once" in m["subject"]]) == 1
    assert len(list(client_of(e2e.ad).collection("matches").stream())) == 1


def _send_alert_form(stack, **fields: str | list[str]) -> None:
    """Fill and send the site's alert form, as a person does (a fresh form each time)."""
    session = requests.Session()
    home = session.get(f"{stack.ingest_url}/?lang=en", timeout=10)
    token = re.findall(r'name="form_token" value="([^"]+)"', home.text)[0]
    data = {"form_token": token, **fields}
    sent = session.post(f"{stack.ingest_url}/forms/profile", data=data, timeout=10)
    assert sent.status_code == 200 and "/forms/sent" in sent.url, sent.text


def test_alert_form_sent_twice_then_unsubscribe_stops_every_email(e2e):
    """Issue 14: the form sent twice (the natural way to change one's settings) gave two
    profiles, two alerts per grant, and an alert after unsubscribing."""
    address = "twice@cso.example.org"
    form = {
        "email": address,
        "org_name": "Delta Rights Network",
        "countries": ["KH"],
        "applicant_type": "registered_ngo",
        "language": "en",
    }
    _send_alert_form(e2e, **form)
    e2e.confirm(address)
    _send_alert_form(e2e, **{**form, "org_name": "Delta Rights Network (new settings)"})
    [_, second] = e2e.wait_for_emails(
        lambda m: m["to"] == [address] and m["categories"] == ["confirmation"], count=2
    )
    [url] = re.findall(r"https?://\S+/confirm\?token=\S+", second["text"])
    assert requests.post(url, timeout=10).status_code == 200

    key = _funder_key(e2e)
    _post(e2e, "/grants", grant_body(title="First call after two forms", external_id="t-1"), key)
    e2e.wait_for_emails(lambda m: "First call after two forms" in m["subject"])
    time.sleep(3)  # window + relay + delivery: a second alert would have arrived by now
    [alert] = _alerts_to(e2e, address)
    assert "(new settings)" in alert["subject"]  # the newest form is the subscription

    unsubscribe = alert["headers"]["List-Unsubscribe"].strip("<>")
    one_click = requests.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}, timeout=10)
    assert one_click.status_code == 200
    _post(e2e, "/grants", grant_body(title="Second call after unsubscribe", external_id="t-2"), key)
    time.sleep(3)
    assert [m["subject"] for m in _alerts_to(e2e, address)] == [alert["subject"]]


def test_the_schedule_commands_the_banner_prints_work_as_written(e2e):
    """Pasted into a fresh terminal (no emulator variables set) at the repository root,
    each printed command publishes its tick, and the digest it triggers arrives."""
    from dev.demo import schedule_commands
    from dev.services import REPO

    address = "banner@cso.example.org"
    _post(e2e, "/profiles", profile_body(email=address, language="en", frequency="weekly"))
    e2e.confirm(address)
    _post(e2e, "/grants", grant_body(title="Printed command news"), _funder_key(e2e))
    clean = {k: v for k, v in e2e.env.items() if "EMULATOR_HOST" not in k}
    clean.pop("GOOGLE_CLOUD_PROJECT", None)
    for command in schedule_commands(e2e.ports, "grantmatch-e2e"):
        done = subprocess.run(
            ["bash", "-c", command], cwd=REPO, env=clean, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("published "), done.stdout
    [digest] = e2e.wait_for_emails(lambda m: m["categories"] == ["digest"])
    assert digest["to"] == [address]
