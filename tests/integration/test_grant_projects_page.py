"""The projects page ranked against one of a signed-in funder's grants (`?grant=`, where
the weekly digest links), through the real Flask app and Firestore: best fit first with
reasons, paging that keeps the grant, nothing about another funder's grant, and a sign-in
that lands back on the grant."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.services.funders import create_funder
from tests.builders import grant_body
from tests.function_loader import load_function
from tests.integration.records import stored_project

HTTPS = "https://localhost"  # the session cookie is Secure where the site is https
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
TITLE = "Digital security for community media"  # grant_body's title


@pytest.fixture
def client(ad):
    return load_function("ingest").app.test_client()


@pytest.fixture
def funder(ad):
    return create_funder(ad, "Mekong Fund")


@pytest.fixture
def projects(ad) -> None:
    """Two projects that fit grant_body (strong, then weak), one outside its countries,
    one in no sector of it; titles by role."""
    stored_project(
        ad,
        minutes=1,
        title="Strong fit",
        country="LA",
        sectors=["digital-security"],
        summary="Digital security training for community radio journalists.",
    )
    stored_project(
        ad,
        minutes=2,
        title="Weak fit",
        country="KH",
        sectors=["media-freedom", "health", "youth"],
        summary="Health clinics.",
        amount_needed=900000,
    )
    stored_project(ad, minutes=3, title="Thai project", country="TH")
    stored_project(ad, minutes=4, title="Health only", sectors=["health"])


def _grant(client, key: str, **overrides) -> str:
    response = client.post(
        "/grants", json=grant_body(**overrides), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201
    return response.json["id"]


def _sign_in(client, key: str) -> None:
    assert client.post("/forms/sign-in", data={"api_key": key}, base_url=HTTPS).status_code == 303


def _page(client, url: str):
    response = client.get(url, headers=HTML, base_url=HTTPS)
    return response, unescape(response.get_data(as_text=True))


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2 id="title-[^"]+">([^<]+)</h2>', html)


def test_a_signed_in_funder_sees_its_grants_fitting_projects_best_first_with_reasons(
    client, ad, funder, projects
):
    grant_id = _grant(client, funder.api_key)
    _sign_in(client, funder.api_key)

    response, html = _page(client, f"/projects?grant={grant_id}&sort=best&lang=en")

    assert response.status_code == 200
    assert f"<h1>Projects that fit {TITLE}</h1>" in html
    assert _titles(html) == ["Strong fit", "Weak fit"]  # newest first would be the reverse
    assert "Why it fits:" in html and "Sector: Digital security" in html
    assert "Cookie" in response.headers["Vary"]
    # In Thai, the heading is translated and still names the grant.
    _, thai = _page(client, f"/projects?grant={grant_id}&lang=th")
    assert f"<h1>โครงการที่ตรงกับ {TITLE}</h1>" in thai


def test_the_next_page_keeps_the_grant_and_its_order(client, ad, funder, projects):
    grant_id = _grant(client, funder.api_key)
    _sign_in(client, funder.api_key)

    _, first = _page(client, f"/projects?grant={grant_id}&limit=1&lang=en")
    [next_url] = re.findall(r'<a href="([^"]+)" rel="next">', first)
    args = parse_qs(urlsplit(next_url).query)
    assert args["grant"] == [grant_id] and args["sort"] == ["best"] and args["cursor"]
    _, second = _page(client, next_url)

    assert _titles(first) == ["Strong fit"] and _titles(second) == ["Weak fit"]
    assert f"Projects that fit {TITLE}" in second
    assert 'rel="next"' not in second


def test_another_funders_grant_and_an_unknown_one_look_the_same_and_leak_nothing(
    client, ad, funder, projects
):
    other = create_funder(ad, "Other Foundation")
    theirs = _grant(client, other.api_key, title="Secret plans of another funder")
    _sign_in(client, funder.api_key)

    pages = [
        _page(client, f"/projects?grant={grant}&sort=best&lang=en")
        for grant in (theirs, "g_" + "0" * 32, "not-a-grant-id")
    ]

    for response, html in pages:
        assert response.status_code == 404
        assert "You have no grant with this id" in html
        assert "Secret plans" not in html and theirs not in html
        assert "<h1>Projects that need funding</h1>" in html
        assert _titles(html) == ["Health only", "Thai project", "Weak fit", "Strong fit"]


def test_signing_in_from_a_digest_link_lands_back_on_the_grants_projects(
    client, ad, funder, projects
):
    grant_id = _grant(client, funder.api_key)

    response, html = _page(client, f"/projects?grant={grant_id}&sort=best&lang=en")
    assert response.status_code == 200
    assert "Sign in with your funder API key to see the projects that fit this grant" in html
    assert f'<input type="hidden" name="grant" value="{grant_id}">' in html
    assert TITLE not in html  # the grant's title is the funder's, not the public's

    wrong = client.post(
        "/forms/sign-in?lang=en", data={"api_key": "gm_nope", "grant": grant_id}, base_url=HTTPS
    )
    assert wrong.status_code == 401
    assert f'name="grant" value="{grant_id}"' in wrong.get_data(as_text=True)

    signed = client.post(
        "/forms/sign-in?lang=en",
        data={"api_key": funder.api_key, "grant": grant_id},
        base_url=HTTPS,
    )
    assert signed.status_code == 303
    location = urlsplit(signed.headers["Location"])
    assert location.path == "/projects" and not location.netloc
    assert parse_qs(location.query) == {"grant": [grant_id], "sort": ["best"], "lang": ["en"]}
    _, landed = _page(client, signed.headers["Location"])
    assert f"Projects that fit {TITLE}" in landed and _titles(landed) == ["Strong fit", "Weak fit"]


@pytest.mark.parametrize("grant", ["https://evil.example/", "//evil.example", "g_../x"])
def test_the_sign_in_never_redirects_anywhere_but_the_projects_page(client, funder, grant):
    signed = client.post(
        "/forms/sign-in?lang=en", data={"api_key": funder.api_key, "grant": grant}, base_url=HTTPS
    )
    assert signed.status_code == 303
    assert signed.headers["Location"] == "/projects?lang=en"
