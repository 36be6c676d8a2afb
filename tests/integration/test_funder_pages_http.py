"""Funders on the web, through the real Flask app and Firestore: the visible sign-in, the
page of a funder's grants with the projects that fit each, and the grant form that
creates, edits and closes grants with the API's model and services. Another funder's
session sees and changes nothing of them."""

from __future__ import annotations

import re
from html import unescape

import pytest

from shared.services.funders import create_funder
from tests.builders import grant_body
from tests.integration.records import stored_project

HTTPS = "https://localhost"  # the session cookie is Secure where the site is https
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def client(ingest_app):
    return ingest_app.test_client()


@pytest.fixture
def funder(ad):
    return create_funder(ad, "Mekong Fund", email="grants@mekongfund.example.org")


def _sign_in(client, key: str) -> None:
    response = client.post(
        "/forms/sign-in?lang=en", data={"api_key": key, "back": "grants"}, base_url=HTTPS
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/funder/grants?lang=en")


def _get(client, url: str):
    response = client.get(url, headers=HTML, base_url=HTTPS)
    return response, unescape(response.get_data(as_text=True))


def _post(client, url: str, data: dict):
    return client.post(url, data=data, headers=HTML, base_url=HTTPS)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _api_grant(client, key: str, **overrides) -> str:
    response = client.post(
        "/grants", json=grant_body(**overrides), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201
    return response.json["id"]


def _form(**overrides) -> dict:
    body = {
        "external_id": "web-call-1",
        "title": "Community radio in Laos",
        "description": "Training and equipment.",
        "sectors": ["digital-security"],
        "countries": ["LA"],
        "applicant_types": ["registered_ngo"],
        "amount_min": "5000",
        "amount_max": "20000",
        "currency": "USD",
        "deadline": "2027-06-30",
    }
    body.update(overrides)
    return body


def test_signed_out_the_page_is_the_sign_in_and_a_wrong_key_says_so(client, ad):
    response, html = _get(client, "/funder/grants?lang=km")
    assert response.status_code == 200 and 'name="api_key"' in html and 'lang="km"' in html
    refused = client.post(
        "/forms/sign-in?lang=en", data={"api_key": "gm_bad_key", "back": "grants"}, base_url=HTTPS
    )
    assert refused.status_code == 401 and "not valid" in refused.get_data(as_text=True)
    assert _post(client, "/funder/grants/new?lang=en", _form()).status_code == 303  # to sign in


def test_the_grants_page_lists_the_funders_grants_with_the_projects_that_fit(client, ad, funder):
    stored_project(ad, minutes=1, title="Strong fit", country="LA", sectors=["digital-security"])
    stored_project(ad, minutes=2, title="Thai project", country="TH")
    _api_grant(client, funder.api_key, title="Radio call")
    _sign_in(client, funder.api_key)
    response, html = _get(client, "/funder/grants?lang=en")
    assert response.status_code == 200
    assert "Radio call" in html and "Strong fit" in html and "Thai project" not in html
    assert "Sector: Digital security" in html  # the reasons
    assert "@" not in re.sub(r"<footer>.*</footer>", "", html, flags=re.S)  # no address


def test_create_edit_and_close_a_grant_through_the_form(client, ad, funder):
    _sign_in(client, funder.api_key)
    _, form_page = _get(client, "/funder/grants/new?lang=en")
    csrf = _csrf(form_page)
    created = _post(client, "/funder/grants/new?lang=en", {**_form(), "csrf": csrf})
    assert created.status_code == 303 and "done=saved" in created.headers["Location"]
    [grant] = ad.funder_pages.grants_of(funder.funder_id, 10)
    assert grant.title == "Community radio in Laos" and grant.countries == ["LA"]
    _, edit_page = _get(client, f"/funder/grants/{grant.id}/edit?lang=en")
    assert 'value="Community radio in Laos"' in edit_page
    edited = _post(
        client,
        f"/funder/grants/{grant.id}/edit?lang=en",
        {**_form(title="Community radio in Laos and Cambodia"), "csrf": csrf},
    )
    assert edited.status_code == 303
    assert ad.grants.get(grant.id).title == "Community radio in Laos and Cambodia"
    assert ad.grants.get(grant.id).revision == 2
    closed = _post(client, f"/funder/grants/{grant.id}/close?lang=en", {"csrf": csrf})
    assert closed.status_code == 303 and ad.grants.get(grant.id) is None


def test_the_form_shows_the_models_validation_messages_and_keeps_the_values(client, ad, funder):
    _sign_in(client, funder.api_key)
    _, form_page = _get(client, "/funder/grants/new?lang=en")
    bad = _post(
        client,
        "/funder/grants/new?lang=en",
        {**_form(title="", countries=["XX"], amount_min="lots"), "csrf": _csrf(form_page)},
    )
    html = unescape(bad.get_data(as_text=True))
    assert bad.status_code == 422
    assert "Please fill this in." in html and "Enter a number, for example 25000." in html
    assert "Choose a country from the list." in html
    assert 'value="web-call-1"' in html  # kept
    assert ad.funder_pages.grants_of(funder.funder_id, 10) == []


def test_a_form_without_the_sessions_token_is_refused(client, ad, funder):
    _sign_in(client, funder.api_key)
    response = _post(client, "/funder/grants/new?lang=en", {**_form(), "csrf": "forged"})
    assert response.status_code == 403
    assert ad.funder_pages.grants_of(funder.funder_id, 10) == []


def test_another_funders_session_sees_and_changes_nothing_of_its_grants(client, ad, funder):
    theirs = _api_grant(client, funder.api_key, title="Secret plans")
    other = create_funder(ad, "Other Foundation")
    _sign_in(client, other.api_key)
    _, html = _get(client, "/funder/grants?lang=en")
    assert "Secret plans" not in html
    response, _ = _get(client, f"/funder/grants/{theirs}/edit?lang=en")
    assert response.status_code == 403
    csrf = _csrf(_get(client, "/funder/grants/new?lang=en")[1])
    edit = _post(client, f"/funder/grants/{theirs}/edit?lang=en", {**_form(), "csrf": csrf})
    close = _post(client, f"/funder/grants/{theirs}/close?lang=en", {"csrf": csrf})
    assert edit.status_code == 403 and close.status_code == 403
    assert ad.grants.get(theirs).title == "Secret plans"
    unknown, _ = _get(client, "/funder/grants/g_00000000000000000000000000000000/edit")
    assert unknown.status_code == 404
