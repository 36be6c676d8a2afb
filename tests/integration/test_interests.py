"""A funder's interest in a project, through the ingest app, Firestore, Pub/Sub and the
notify handlers: the CSO is told, the funder learns the CSO's address only once the CSO
agrees, pledges add up once, and the projects page serves browsers while the JSON
contract stays as it was."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from shared.domain.recipients import RecipientKind
from shared.services.funders import create_funder
from shared.web.funder_session import COOKIE
from tests.builders import NOW
from tests.conftest import sink_messages
from tests.integration.pipeline import pump
from tests.integration.records import stored_project
from tests.real_adapters import client_of

CSO = "team@laomedia.example.org"
FUNDER = "grants@mekongfund.example.org"
HTTPS = "https://localhost"  # the session cookie is Secure where the site is https
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def client(ingest_app):
    return ingest_app.test_client()


@pytest.fixture
def funder(ad):
    return create_funder(ad, "Mekong Fund", email=FUNDER, language="en")


@pytest.fixture
def project(ad) -> str:
    return stored_project(ad, contact_email=CSO, language="en", amount_needed=25000, currency="USD")


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _emails_to(sink_url: str, address: str) -> list[dict]:
    return [m for m in sink_messages(sink_url) if m["to"] == [address]]


def _share_url(email: dict) -> str:
    [url] = re.findall(r"https?://\S+/share-contact\?token=\S+", email["text"])
    return url.split("gm.example.org", 1)[1]


def test_the_cso_is_told_and_the_funder_learns_its_address_only_once_it_agrees(
    client, ad, bus, sink_url, funder, project
):
    body = {"message": "We fund radio safety.\nCan we talk?", "pledge": 5000}
    response = client.post(
        f"/projects/{project}/interest", json=body, headers=_auth(funder.api_key)
    )
    assert response.status_code == 201 and response.json["status"] == "created"
    pump(ad, bus)

    [told] = _emails_to(sink_url, CSO)
    assert (
        told["subject"]
        == "Mekong Fund is interested in your project “Safer phones for community reporters”"
    )
    assert "$5,000" in told["text"] and "We fund radio safety.\nCan we talk?" in told["text"]
    assert _emails_to(sink_url, FUNDER) == []  # nothing reaches the funder yet
    share = _share_url(told)

    asked = client.get(share)  # a mail scanner's prefetch changes nothing
    assert asked.status_code == 200 and "Share my email address with this funder" in asked.get_data(
        as_text=True
    )
    assert ad.interests.get(response.json["id"]).accepted_at is None
    pump(ad, bus)
    assert _emails_to(sink_url, FUNDER) == []

    done = client.post(share, data={"reply": "Yes, write to us in Lao or English."})
    assert done.status_code == 200 and "Mekong Fund" in done.get_data(as_text=True)
    pump(ad, bus)
    [introduction] = _emails_to(sink_url, FUNDER)
    assert introduction["subject"] == "Mekong Youth Media shared their email address with you"
    assert (
        CSO in introduction["text"]
        and "Yes, write to us in Lao or English." in introduction["text"]
    )

    client.post(share, data={"reply": "again"})  # pressing twice is pressing once
    pump(ad, bus)
    assert len(_emails_to(sink_url, FUNDER)) == 1
    assert ad.interests.get(response.json["id"]).reply == "Yes, write to us in Lao or English."


def test_telling_a_project_twice_pledges_and_emails_once(
    client, ad, bus, sink_url, funder, project
):
    for expected in (201, 200):
        response = client.post(
            f"/projects/{project}/interest", json={"pledge": 5000}, headers=_auth(funder.api_key)
        )
        assert response.status_code == expected
    pump(ad, bus)
    assert ad.subscribers.get_project(project).pledged_amount == 5000
    assert len(_emails_to(sink_url, CSO)) == 1
    [item] = client.get("/projects?format=json").json["projects"]
    assert item["pledged"] == 5000 and "contact_email" not in item


def test_only_listed_projects_can_be_told(client, ad, funder):
    private = stored_project(ad, minutes=1, visibility="private")
    unconfirmed = stored_project(ad, minutes=2, confirmed=False)
    closed = stored_project(ad, minutes=3, needed_by="2020-01-01")
    for pid in (private, unconfirmed, closed, "p_unknown"):
        response = client.post(f"/projects/{pid}/interest", json={}, headers=_auth(funder.api_key))
        assert response.status_code == 404, pid
    assert client.post(f"/projects/{private}/interest", json={}).status_code == 401


@pytest.mark.parametrize("pid", ["__x__", "..", ".", "p_" + "A" * 32])
def test_an_id_that_cannot_name_a_project_is_404_not_a_firestore_error(client, ad, funder, pid):
    told = client.post(f"/projects/{pid}/interest", json={}, headers=_auth(funder.api_key))
    assert told.status_code == 404 and pid not in told.json["error"]["message"]
    client.post("/forms/sign-in", data={"api_key": funder.api_key}, base_url=HTTPS)
    assert client.get(f"/forms/interest/{pid}", base_url=HTTPS).status_code == 404


def test_a_funder_without_a_contact_address_is_told_why_it_cannot(client, ad, project):
    silent = create_funder(ad, "No Email Fund")
    response = client.post(f"/projects/{project}/interest", json={}, headers=_auth(silent.api_key))
    assert response.status_code == 409
    assert "contact email" in response.json["error"]["message"]


def test_a_pledge_needs_the_projects_currency(client, ad, funder):
    no_amount = stored_project(ad, amount_needed=None, currency=None)
    response = client.post(
        f"/projects/{no_amount}/interest", json={"pledge": 10}, headers=_auth(funder.api_key)
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "pledge"


def test_a_forged_share_link_shows_the_invalid_link_page(client, ad):
    response = client.get("/share-contact?token=forged")
    assert response.status_code == 400
    assert "This link is not valid or has expired." in response.get_data(as_text=True)


def test_browsers_get_the_page_and_everyone_else_the_json_contract(client, ad, project):
    stored_project(ad, minutes=5, visibility="funders", title="Only for funders")
    page = client.get("/projects?lang=en", headers=HTML)
    html = page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    assert "Safer phones for community reporters" in html and "Only for funders" not in html
    assert "@" not in html.replace("Funders: sign in", "")  # no address anywhere
    assert "Accept" in page.headers["Vary"]
    for headers, url in (
        ({}, "/projects"),
        (HTML, "/projects?format=json"),
        ({"Accept": "*/*"}, "/projects"),
    ):
        response = client.get(url, headers=headers)
        assert response.mimetype == "application/json", (headers, url)
        assert response.json["projects"][0]["id"] == project


def test_the_page_filters_by_sector_and_country_and_shows_pledges(client, ad, funder, project):
    stored_project(ad, minutes=1, country="KH", title="Cambodian health clinic", sectors=["health"])
    client.post(
        f"/projects/{project}/interest", json={"pledge": 5000}, headers=_auth(funder.api_key)
    )
    laos = unescape(client.get("/projects?country=LA&lang=en", headers=HTML).get_data(as_text=True))
    assert "Safer phones" in laos and "Cambodian health clinic" not in laos
    assert "Pledged by funders: $5,000 of $25,000 (20%)" in laos
    assert '<progress max="100" value="20"' in laos
    health = client.get("/projects?sector=health", headers=HTML).get_data(as_text=True)
    assert "Cambodian health clinic" in health and "Safer phones" not in health


def test_a_funder_signs_in_with_its_key_which_is_never_kept(client, ad, funder, project):
    for_funders = stored_project(ad, minutes=1, visibility="funders", title="Only for funders")
    wrong = client.post("/forms/sign-in", data={"api_key": "gm_nope"}, base_url=HTTPS)
    assert wrong.status_code == 401 and "This API key is not valid" in wrong.get_data(as_text=True)

    signed = client.post("/forms/sign-in?lang=en", data={"api_key": funder.api_key}, base_url=HTTPS)
    assert signed.status_code == 303
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and funder.api_key not in cookie
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Max-Age=7200"):
        assert attribute in cookie
    html = client.get("/projects?lang=en", headers=HTML, base_url=HTTPS).get_data(as_text=True)
    assert "Signed in as Mekong Fund" in html and "Only for funders" in html
    assert funder.api_key not in html
    assert f"/forms/interest/{for_funders}" in html

    ad.funders.revoke_api_key(funder.key_id, NOW)  # revoking the key ends its web sessions
    html = client.get("/projects", headers=HTML, base_url=HTTPS).get_data(as_text=True)
    assert "Only for funders" not in html and "Signed in as" not in html


def test_the_interest_form_needs_the_sessions_token_and_keeps_values_on_error(
    client, ad, bus, sink_url, funder, project
):
    client.post("/forms/sign-in", data={"api_key": funder.api_key}, base_url=HTTPS)
    form_page = client.get(f"/forms/interest/{project}?lang=en", base_url=HTTPS)
    [csrf] = re.findall(r'name="csrf" value="([^"]+)"', form_page.get_data(as_text=True))
    url = f"/forms/interest/{project}?lang=en"

    forged = client.post(url, data={"message": "hi", "csrf": "x"}, base_url=HTTPS)
    assert forged.status_code == 403
    bad = client.post(url, data={"message": "Hello", "pledge": "-3", "csrf": csrf}, base_url=HTTPS)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="-3"' in html and ">Hello</textarea>" in html
    sent = client.post(
        url, data=MultiDict({"message": "Hello", "pledge": "2500", "csrf": csrf}), base_url=HTTPS
    )
    assert (
        sent.status_code == 303 and sent.headers["Location"] == "/forms/sent?kind=interest&lang=en"
    )
    pump(ad, bus)
    assert ad.subscribers.get_project(project).pledged_amount == 2500
    [told] = _emails_to(sink_url, CSO)
    assert "$2,500" in told["text"]
    listing = client.get("/projects?lang=en", headers=HTML, base_url=HTTPS).get_data(as_text=True)
    assert "You told them you are interested on" in listing

    out = client.post("/forms/sign-out", base_url=HTTPS)
    assert out.status_code == 303 and f"{COOKIE}=;" in out.headers["Set-Cookie"]
    assert client.get(url, base_url=HTTPS).status_code == 303  # back to the sign-in


def test_sign_out_ends_the_session_on_the_server_so_a_captured_cookie_is_signed_out(
    client, ad, funder, project, ingest_app
):
    client.post("/forms/sign-in", data={"api_key": funder.api_key}, base_url=HTTPS)
    captured = client.get_cookie(COOKIE).value
    replay = ingest_app.test_client()  # another browser, the copied cookie
    replay.set_cookie(COOKIE, captured)
    url = f"/forms/interest/{project}?lang=en"
    page = replay.get(url, base_url=HTTPS)
    assert page.status_code == 200
    [csrf] = re.findall(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))

    assert client.post("/forms/sign-out", base_url=HTTPS).status_code == 303

    again = replay.get(url, base_url=HTTPS)
    assert again.status_code == 303 and again.headers["Location"].endswith("#sign-in")
    told = replay.post(url, data={"message": "Hi", "csrf": csrf}, base_url=HTTPS)
    assert told.status_code == 303 and told.headers["Location"].endswith("#sign-in")
    listing = replay.get("/projects?lang=en", headers=HTML, base_url=HTTPS)
    assert "Signed in as" not in listing.get_data(as_text=True)
    assert list(client_of(ad).collection("interests").stream()) == []


def test_the_interest_page_of_a_funder_without_contact_explains_instead_of_asking(
    client, ad, project
):
    silent = create_funder(ad, "No Email Fund")
    client.post("/forms/sign-in", data={"api_key": silent.api_key}, base_url=HTTPS)
    html = client.get(f"/forms/interest/{project}", base_url=HTTPS).get_data(as_text=True)
    assert "has no contact email" in html and 'name="csrf"' not in html


def test_an_unsubscribed_project_can_no_longer_be_told(ad, bus, sink_url, funder, ingest_app):
    pid = stored_project(ad, contact_email=CSO)
    ad.subscribers.unsubscribe_recipient(RecipientKind.PROJECT, pid, NOW)
    client = ingest_app.test_client()
    response = client.post(f"/projects/{pid}/interest", json={}, headers=_auth(funder.api_key))
    assert response.status_code == 404
    pump(ad, bus)
    assert _emails_to(sink_url, CSO) == []
