"""The site's error pages through the real ingest app and Firestore: a person on the web
form who is rate limited, sends too much, or follows a link to a project that is not
listed gets a page of the site with the JSON answer's status and headers; an API client
still gets the JSON."""

from __future__ import annotations

from html import unescape

import pytest

from shared.services.funders import create_funder
from tests.builders import profile_body
from tests.function_loader import load_function

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "X-Forwarded-For": "198.51.100.9"}
HTTPS = "https://localhost"  # the session cookie is Secure where the site is https


@pytest.fixture
def client(ad):
    return load_function("ingest").app.test_client()


@pytest.fixture
def one_write(ad, monkeypatch):
    """One write per address and window, one trusted proxy in front (as in production);
    a day-long window, so the count cannot reset when a test straddles a minute."""
    update = {
        "trusted_proxy_hops": 1,
        "rate_limit_ip_writes": 1,
        "rate_limit_window_seconds": 86_400,
    }
    monkeypatch.setattr(ad, "settings", ad.settings.model_copy(update=update))


def _title(response) -> str:
    return unescape(response.get_data(as_text=True).split("<h1>", 1)[1].split("</h1>", 1)[0])


def test_a_browser_over_the_limit_on_the_form_gets_a_page_with_retry_after(client, ad, one_write):
    # The honeypot drops the first post unseen: it still counts against the address.
    assert (
        client.post("/forms/project?lang=en", data={"website": "x"}, headers=BROWSER).status_code
        == 303
    )
    limited = client.post("/forms/project?lang=en", data={"title": "<i>Radio</i>"}, headers=BROWSER)
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429 and limited.mimetype == "text/html"
    retry_after = int(limited.headers["Retry-After"])
    assert 1 <= retry_after <= ad.settings.rate_limit_window_seconds
    minutes = -(-retry_after // 60)
    unit = "minute" if minutes == 1 else "minutes"
    assert _title(limited) == f"Too many requests — please wait {minutes} {unit} and try again"
    assert '<a href="/?lang=en">' in html and "<i>Radio" not in html
    assert limited.headers["Cache-Control"] == "no-store"


def test_an_api_client_over_the_limit_still_gets_the_json_429(client, one_write):
    api = {"Accept": "application/json", "X-Forwarded-For": "198.51.100.10"}
    assert client.post("/profiles", json=profile_body(), headers=api).status_code == 201
    limited = client.post("/profiles", json=profile_body(), headers=api)
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    # On the form's own route too, a client that does not ask for HTML keeps the JSON.
    form = client.post("/forms/profile", data={}, headers={"X-Forwarded-For": "198.51.100.10"})
    assert form.status_code == 429 and form.json["error"]["code"] == "rate_limited"


def test_a_browser_asking_for_an_unlisted_project_gets_a_404_page(client, ad):
    funder = create_funder(ad, "Mekong Fund", email="grants@fund.example.org")
    client.post("/forms/sign-in", data={"api_key": funder.api_key}, base_url=HTTPS)
    missing = "p_" + "0" * 32
    page = client.get(f"/forms/interest/{missing}?lang=vi", headers=BROWSER, base_url=HTTPS)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert '<html lang="vi">' in page.get_data(as_text=True)
    assert _title(page) == "Không tìm thấy trang"
    api = client.get(f"/forms/interest/{missing}", base_url=HTTPS)
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"


def test_a_form_post_over_the_size_limit_gets_a_413_page(client, ad):
    too_big = {"title": "x" * (ad.settings.max_body_bytes + 1)}
    page = client.post("/forms/project?lang=en", data=too_big, headers=BROWSER)
    assert page.status_code == 413 and page.mimetype == "text/html"
    assert _title(page) == "That was too large"
    assert "Nothing was saved" in page.get_data(as_text=True)
    api = client.post("/forms/project", data=too_big)
    assert api.status_code == 413 and api.json["error"]["code"] == "payload_too_large"
