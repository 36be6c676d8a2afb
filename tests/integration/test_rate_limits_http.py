"""Rate limits through the real ingest app and Firestore: 429 with Retry-After, counted
per key and per client address, the address read safely from X-Forwarded-For, the
count kept in Firestore so every instance sees the same one, and the site's routes
counted where shared/web/rate_limit/hook.py says."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from shared.adapters.firestore.ledgers import RATE_LIMITS
from shared.adapters.firestore.subscribers import PROFILES
from shared.runtime.config import get_settings
from shared.services.funders import create_funder
from shared.web.app import create_app
from tests.builders import NOW, grant_body, profile_body
from tests.integration.records import stored_project
from tests.real_adapters import FixedClock, client_of


@pytest.fixture
def client(ingest_app):
    return ingest_app.test_client()


@pytest.fixture
def limits(ad, monkeypatch):
    """Small limits, one trusted proxy in front (as in production). Windows are fixed and
    aligned to the clock: a day-long one cannot reset in the middle of a test, as a
    minute-long one can whenever a test straddles a minute."""

    def set_limits(**values):
        update = {"trusted_proxy_hops": 1, "rate_limit_window_seconds": 86_400, **values}
        monkeypatch.setattr(ad, "settings", ad.settings.model_copy(update=update))

    return set_limits


def _from(ip: str, client_written: str = "") -> dict[str, str]:
    """Headers as Google's front end forwards them: whatever the client wrote, then the
    address it connected from."""
    return {"X-Forwarded-For": f"{client_written}, {ip}" if client_written else ip}


def test_writes_over_the_limit_are_429_with_retry_after_and_not_stored(client, ad, limits):
    limits(rate_limit_ip_writes=3)
    statuses = [
        client.post("/profiles", json=profile_body(), headers=_from("198.51.100.7")).status_code
        for _ in range(5)
    ]
    assert statuses == [201, 201, 201, 429, 429]
    limited = client.post("/profiles", json=profile_body(), headers=_from("198.51.100.7"))
    assert limited.json["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= ad.settings.rate_limit_window_seconds
    assert len(list(client_of(ad).collection(PROFILES).stream())) == 3


def test_each_client_address_has_its_own_allowance(client, limits):
    limits(rate_limit_ip_writes=1)
    assert (
        client.post("/profiles", json=profile_body(), headers=_from("198.51.100.7")).status_code
        == 201
    )
    assert (
        client.post("/profiles", json=profile_body(), headers=_from("198.51.100.7")).status_code
        == 429
    )
    assert (
        client.post("/profiles", json=profile_body(), headers=_from("198.51.100.8")).status_code
        == 201
    )


def test_a_client_cannot_escape_its_limit_by_writing_x_forwarded_for(client, limits):
    limits(rate_limit_ip_writes=1)
    headers = _from("198.51.100.7", client_written="203.0.113.1")
    assert client.post("/profiles", json=profile_body(), headers=headers).status_code == 201
    spoofed = _from("198.51.100.7", client_written="203.0.113.99")
    assert client.post("/profiles", json=profile_body(), headers=spoofed).status_code == 429


def test_reads_and_writes_have_separate_allowances(client, limits):
    limits(rate_limit_ip_writes=1, rate_limit_ip_reads=2)
    ip = _from("198.51.100.7")
    assert client.post("/profiles", json=profile_body(), headers=ip).status_code == 201
    assert [client.get("/projects", headers=ip).status_code for _ in range(3)] == [200, 200, 429]


def test_a_funder_key_has_its_own_allowance(client, ad, limits):
    limits(rate_limit_key_requests=2, rate_limit_ip_writes=1)
    key = create_funder(ad, "Busy Foundation").api_key
    headers = {**_from("198.51.100.7"), "Authorization": f"Bearer {key}"}
    statuses = [
        client.post("/grants", json=grant_body(external_id=f"g-{i}"), headers=headers).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]
    other = create_funder(ad, "Quiet Foundation").api_key
    other_headers = {**_from("198.51.100.7"), "Authorization": f"Bearer {other}"}
    assert client.post("/grants", json=grant_body(), headers=other_headers).status_code == 201
    # The key's traffic did not use up the address's own allowance.
    assert (
        client.post("/profiles", json=profile_body(), headers=_from("198.51.100.7")).status_code
        == 201
    )


def test_a_burst_straddling_the_turn_of_the_minute_gets_the_limit_not_twice_it(
    client, ad, limits, monkeypatch
):
    limits(rate_limit_key_requests=3, rate_limit_window_seconds=60)
    key = create_funder(ad, "Burst Foundation").api_key
    headers = {**_from("198.51.100.7"), "Authorization": f"Bearer {key}"}

    def post_at(second: int):
        monkeypatch.setattr(ad, "clock", FixedClock(NOW + timedelta(seconds=second)))
        body = grant_body(external_id=f"burst-{second}")
        return client.post("/grants", json=body, headers=headers)

    # Three posts just before 12:01 and three just after: a fixed window took all six.
    responses = [post_at(second) for second in (50, 55, 59, 61, 65, 70)]
    assert [r.status_code for r in responses] == [201, 201, 201, 429, 429, 429]
    assert responses[3].headers["Retry-After"] == "50"  # when the post of :50 is a minute old
    assert post_at(110).status_code == 429
    assert post_at(111).status_code == 201


def test_health_checks_are_never_limited(client, limits):
    limits(rate_limit_ip_reads=1)
    assert {
        client.get("/healthz", headers=_from("198.51.100.7")).status_code for _ in range(3)
    } == {200}


def test_the_count_lives_in_firestore_so_another_instance_sees_it(client, ad, limits):
    limits(rate_limit_ip_writes=2)
    assert (
        client.post("/profiles", json=profile_body(), headers=_from("198.51.100.7")).status_code
        == 201
    )
    # A second, separately built app: nothing shared but Firestore.
    other = create_app(get_settings(), lambda: ad).test_client()
    assert (
        other.post("/profiles", json=profile_body(), headers=_from("198.51.100.7")).status_code
        == 201
    )
    assert (
        other.post("/profiles", json=profile_body(), headers=_from("198.51.100.7")).status_code
        == 429
    )
    [counter] = list(client_of(ad).collection(RATE_LIMITS).stream())
    assert counter.get("count") == 3
    assert "198.51.100.7" not in counter.id  # addresses are hashed, never stored


# -- which allowance the site's routes use ---------------------------------------------
HTTPS = "https://localhost"  # the funder session cookie is Secure on an https site
HTML = {"Accept": "text/html"}
MADE_UP_KEY = "gm_0123456789abcdef_" + "A" * 43


def test_web_form_posts_are_writes_of_the_address_even_with_a_made_up_key(client, ad, limits):
    limits(rate_limit_ip_writes=2)
    office = _from("198.51.100.7")
    made_up = {**office, "Authorization": f"Bearer {MADE_UP_KEY}"}
    statuses = [
        client.post("/forms/project", data={}, headers=headers).status_code
        for headers in (office, made_up, made_up)
    ]
    assert statuses == [422, 422, 429]  # the made-up key opened no allowance of its own
    limited = client.post("/forms/profile", data={}, headers=office)
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= ad.settings.rate_limit_window_seconds


def test_a_signed_in_funder_counts_against_its_key_not_the_address_it_shares(
    ad, limits, ingest_app
):
    limits(rate_limit_ip_writes=1, rate_limit_ip_reads=1)
    office = _from("198.51.100.7")
    funder = create_funder(ad, "Mekong Fund", email="grants@fund.example.org")
    project = stored_project(ad)
    app = ingest_app
    browser, colleague = app.test_client(), app.test_client()
    signed = browser.post(
        "/forms/sign-in", data={"api_key": funder.api_key}, headers=office, base_url=HTTPS
    )
    assert signed.status_code == 303  # the address's one write
    assert colleague.post("/forms/sign-out", headers=office).status_code == 429
    assert [colleague.get("/projects", headers={**office, **HTML}).status_code for _ in "ab"] == [
        200,
        429,
    ]
    # The signed-in funder's pages count against its key: the office cannot lock it out.
    assert browser.get("/projects", headers={**office, **HTML}, base_url=HTTPS).status_code == 200
    form = browser.get(f"/forms/interest/{project}", headers=office, base_url=HTTPS)
    [csrf] = re.findall(r'name="csrf" value="([^"]+)"', form.get_data(as_text=True))
    told = browser.post(
        f"/forms/interest/{project}", data={"csrf": csrf}, headers=office, base_url=HTTPS
    )
    assert told.status_code == 303


def test_an_import_counts_against_the_funder_key_not_the_address(client, ad, limits):
    limits(rate_limit_ip_writes=1, rate_limit_key_requests=2)
    key = create_funder(ad, "Open Data Fund").api_key
    headers = {**_from("198.51.100.7"), "Authorization": f"Bearer {key}"}
    statuses = [
        client.post(
            "/grants/import?format=360giving", data=b"", content_type="text/csv", headers=headers
        ).status_code
        for _ in range(3)
    ]
    assert 429 not in statuses[:2] and statuses[2] == 429


def test_the_share_link_in_emails_uses_the_wide_bucket_of_emailed_links(client, limits):
    limits(rate_limit_ip_reads=1, rate_limit_ip_links=5)
    statuses = {
        client.get("/share-contact?token=forged", headers=_from("198.51.100.7")).status_code
        for _ in range(3)
    }
    assert statuses == {400}  # the invalid-link page, never 429
