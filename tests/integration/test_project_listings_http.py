"""GET /projects and GET /grants/<id>/projects through the real Flask app and Firestore:
who sees what, filters, order, paging, and never a contact email."""

from __future__ import annotations

import pytest

from shared.domain.recipients import RecipientKind
from shared.services.funders import create_funder
from tests.builders import NOW, grant_body
from tests.function_loader import load_function
from tests.integration.records import stored_project


@pytest.fixture
def client(ad):
    return load_function("ingest").app.test_client()


@pytest.fixture
def funder(ad):
    return create_funder(ad, "Listing Foundation")


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _project(ad, minutes: int = 0, **overrides) -> str:
    return stored_project(ad, minutes, **overrides)


def _post_grant(client, key: str, **overrides) -> str:
    response = client.post("/grants", json=grant_body(**overrides), headers=_auth(key))
    assert response.status_code == 201
    return response.json["id"]


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["projects"]]


def test_public_listing_shows_open_public_projects_newest_first_without_emails(client, ad):
    older = _project(ad, minutes=1, visibility="public")
    newer = _project(ad, minutes=2, visibility="public", needed_by="2099-01-01")
    _project(ad, minutes=3, visibility="funders")
    _project(ad, minutes=4, visibility="private")
    _project(ad, minutes=5, visibility="public", needed_by="2020-01-01")  # no longer open

    response = client.get("/projects")

    assert _ids(response) == [newer, older]
    assert "@" not in response.get_data(as_text=True)
    assert "contact_email" not in response.json["projects"][0]
    assert response.json["next_cursor"] is None


def test_projects_whose_address_is_unconfirmed_or_unsubscribed_are_not_listed(client, ad, funder):
    listed = _project(ad, minutes=1, visibility="public")
    _project(ad, minutes=2, visibility="public", confirmed=False)
    gone = _project(ad, minutes=3, visibility="public")
    ad.subscribers.unsubscribe_recipient(RecipientKind.PROJECT, gone, NOW)
    grant_id = _post_grant(client, funder.api_key)

    assert _ids(client.get("/projects")) == [listed]
    best = client.get(f"/grants/{grant_id}/projects", headers=_auth(funder.api_key))
    assert _ids(best) == [listed]


def test_funder_key_adds_projects_shown_to_funders_only(client, ad, funder):
    public = _project(ad, minutes=1, visibility="public")
    for_funders = _project(ad, minutes=2, visibility="funders")
    _project(ad, minutes=3, visibility="private")
    response = client.get("/projects", headers=_auth(funder.api_key))
    assert _ids(response) == [for_funders, public]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_wrong_key_is_refused_rather_than_ignored(client, ad):
    fake = "gm_0123456789abcdef_" + "A" * 43
    assert client.get("/projects", headers=_auth(fake)).status_code == 401


def test_filters_by_sector_and_country(client, ad):
    match = _project(ad, minutes=1, country="KH", sectors=["health", "youth"])
    _project(ad, minutes=2, country="KH", sectors=["climate"])
    _project(ad, minutes=3, country="LA", sectors=["health"])
    assert _ids(client.get("/projects?sector=health&country=kh")) == [match]


def test_pages_follow_each_other_without_gaps_or_repeats(client, ad):
    made = [_project(ad, minutes=i) for i in range(5)]
    seen, cursor = [], None
    for _ in range(5):
        url = "/projects?limit=2" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url)
        seen += _ids(response)
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


def test_bad_parameters_are_named(client, ad):
    response = client.get("/projects?limit=1000&sector=nope&country=XX")
    assert response.status_code == 422
    fields = {f["field"] for f in response.json["error"]["fields"]}
    assert fields == {"limit", "sector", "country"}
    assert client.get("/projects?cursor=garbage!").status_code == 400
    assert client.get("/projects?sort=best").status_code == 400


def test_best_fit_against_own_grant_ranks_and_explains(client, ad, funder):
    strong = _project(
        ad,
        minutes=1,
        country="LA",
        sectors=["digital-security"],
        summary="Digital security training for community radio journalists.",
    )
    weak = _project(
        ad,
        minutes=2,
        country="KH",
        sectors=["media-freedom", "health", "youth"],
        summary="Health clinics.",
        amount_needed=900000,
    )
    _project(ad, minutes=3, country="TH", sectors=["digital-security"])  # grant not in TH
    grant_id = _post_grant(client, funder.api_key)

    response = client.get(f"/projects?grant={grant_id}", headers=_auth(funder.api_key))

    assert _ids(response) == [strong, weak]
    first = response.json["projects"][0]
    assert first["score"] >= response.json["projects"][1]["score"]
    assert "sector: digital-security" in first["reasons"]
    assert "@" not in response.get_data(as_text=True)


def test_best_fit_needs_the_callers_own_grant(client, ad, funder):
    other = create_funder(ad, "Other Foundation")
    grant_id = _post_grant(client, other.api_key)
    assert client.get(f"/projects?grant={grant_id}").status_code == 401
    mine = client.get(f"/projects?grant={grant_id}", headers=_auth(funder.api_key))
    assert mine.status_code == 403


def test_grant_projects_lists_fitting_visible_open_projects_best_first(client, ad, funder):
    public = _project(ad, minutes=1, visibility="public")
    for_funders = _project(
        ad, minutes=2, visibility="funders", sectors=["media-freedom"], summary="Printing press."
    )
    _project(ad, minutes=3, visibility="private")
    _project(ad, minutes=4, visibility="public", needed_by="2020-01-01")
    _project(ad, minutes=5, visibility="public", sectors=["health"])  # does not fit
    grant_id = _post_grant(client, funder.api_key)

    response = client.get(f"/grants/{grant_id}/projects", headers=_auth(funder.api_key))

    assert _ids(response) == [public, for_funders]
    assert response.json["grant"]["id"] == grant_id
    assert all(item["reasons"] for item in response.json["projects"])
    assert "@" not in response.get_data(as_text=True)


def test_grant_projects_pages_by_cursor(client, ad, funder):
    made = {_project(ad, minutes=i) for i in range(3)}
    grant_id = _post_grant(client, funder.api_key)
    first = client.get(f"/grants/{grant_id}/projects?limit=2", headers=_auth(funder.api_key))
    cursor = first.json["next_cursor"]
    second = client.get(
        f"/grants/{grant_id}/projects?limit=2&cursor={cursor}", headers=_auth(funder.api_key)
    )
    assert set(_ids(first)) | set(_ids(second)) == made
    assert second.json["next_cursor"] is None


def test_grant_projects_is_only_for_the_grants_funder(client, ad, funder):
    other = create_funder(ad, "Other Foundation")
    grant_id = _post_grant(client, other.api_key)
    assert client.get(f"/grants/{grant_id}/projects").status_code == 401
    response = client.get(f"/grants/{grant_id}/projects", headers=_auth(funder.api_key))
    assert response.status_code == 403
    missing = client.get("/grants/g_unknown/projects", headers=_auth(funder.api_key))
    assert missing.status_code == 404
