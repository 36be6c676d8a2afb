"""SendGrid misbehaving, end to end: the running notify function meets the sink's faults
and the email still goes out exactly once."""

from __future__ import annotations

import time

import requests

from shared.services.funders import create_funder
from tests.builders import grant_body, profile_body
from tests.conftest import sink_messages


def _confirmed_profile(e2e, address: str) -> None:
    response = requests.post(
        f"{e2e.ingest_url}/profiles", json=profile_body(email=address, language="en"), timeout=10
    )
    assert response.status_code == 201
    e2e.confirm(address)


def _send_requests(e2e) -> int:
    return requests.get(f"{e2e.sink_url}/api/messages", timeout=5).json()["requests"]


def _post_grant_and_count(e2e, faults: list[dict], title: str) -> tuple[int, int]:
    """Queue `faults`, post a grant, wait for its alert; (emails about it, send calls)."""
    key = create_funder(e2e.ad, "Fault Foundation").api_key
    before = _send_requests(e2e)
    requests.post(f"{e2e.sink_url}/api/faults", json={"responses": faults}, timeout=5)
    response = requests.post(
        f"{e2e.ingest_url}/grants",
        json=grant_body(title=title, external_id=title),
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 201
    e2e.wait_for_emails(lambda m: title in m["subject"])
    time.sleep(2)  # time for a duplicate to show up, were there one
    emails = [m for m in sink_messages(e2e.sink_url) if title in m["subject"]]
    return len(emails), _send_requests(e2e) - before


def test_provider_answering_500_then_202_sends_the_alert_once(e2e):
    _confirmed_profile(e2e, "flaky@cso.example.org")
    emails, calls = _post_grant_and_count(e2e, [{"status": 500}], "Survives a 500")
    assert (emails, calls) == (1, 2)


def test_provider_rate_limit_with_a_reset_time_is_waited_out_and_sends_once(e2e):
    _confirmed_profile(e2e, "limited@cso.example.org")
    started = time.monotonic()
    emails, calls = _post_grant_and_count(e2e, [{"status": 429, "reset_in": 2}], "Survives a 429")
    assert (emails, calls) == (1, 2)
    assert time.monotonic() - started >= 1.0  # it waited for X-RateLimit-Reset
