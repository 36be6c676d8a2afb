"""POST/PUT/GET/DELETE /trainings, /events and /tech-offers: the grants API's contract
(funder key, rate limit, validation errors, upsert by external_id) for the other kinds,
stored as catalogue items and announced as grant.published. On the ingest app's routes
with fakes of the ports (tests/integration holds the stored document to Firestore)."""

from __future__ import annotations

import pytest

from shared.domain.events import EventName
from shared.domain.opportunities import OpportunityKind
from shared.services.funders import create_funder
from shared.web.app import create_app
from tests.builders import grant_body
from tests.fakes import fake_adapters
from tests.opportunity_builders import BODIES, PATHS, tech_offer_body, training_body

KINDS = list(PATHS)


@pytest.fixture
def ad():
    return fake_adapters(rate_limit_key_requests=5)


@pytest.fixture
def client(ad):
    return create_app(ad.settings, lambda: ad).test_client()


@pytest.fixture
def auth(ad) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_funder(ad, 'Trainers Ltd').api_key}"}


@pytest.mark.parametrize("kind", KINDS)
def test_posting_a_kind_stores_it_with_its_details_and_announces_it(client, ad, auth, kind):
    response = client.post(PATHS[kind], json=BODIES[kind](), headers=auth)
    assert response.status_code == 201, response.json
    stored = ad.grants.get(response.json["id"])
    assert stored.kind is kind and stored.title == BODIES[kind]()["title"]
    [event] = ad.publisher.events(EventName.GRANT_PUBLISHED)
    assert event.parsed().grant_id == response.json["id"]


@pytest.mark.parametrize("kind", KINDS)
def test_posting_the_same_item_again_is_idempotent_and_an_edit_updates_it(client, ad, auth, kind):
    first = client.post(PATHS[kind], json=BODIES[kind](), headers=auth)
    again = client.post(PATHS[kind], json=BODIES[kind](), headers=auth)
    edited = client.post(PATHS[kind], json=BODIES[kind](title="Renamed"), headers=auth)
    assert (first.status_code, again.status_code, edited.status_code) == (201, 200, 200)
    assert again.json == {"id": first.json["id"], "status": "unchanged"}
    assert edited.json == {"id": first.json["id"], "status": "updated"}
    assert len(ad.publisher.events(EventName.GRANT_PUBLISHED)) == 2


def test_an_on_site_training_is_stored_open_to_its_own_country_with_its_registration_deadline(
    client, ad, auth
):
    response = client.post("/trainings", json=training_body(countries=["LA"]), headers=auth)
    stored = ad.grants.get(response.json["id"])
    assert stored.countries == ["KH"]
    assert stored.deadline.isoformat() == "2027-01-31"


def test_a_training_and_a_grant_with_one_external_id_are_two_items(client, ad, auth):
    grant = client.post("/grants", json=grant_body(external_id="x-1"), headers=auth)
    training = client.post("/trainings", json=training_body(external_id="x-1"), headers=auth)
    assert grant.status_code == training.status_code == 201
    assert grant.json["id"] != training.json["id"]
    assert ad.grants.get(grant.json["id"]).kind is OpportunityKind.GRANT


@pytest.mark.parametrize("kind", KINDS)
def test_a_kind_without_a_key_is_401_and_stores_nothing(client, ad, kind):
    response = client.post(PATHS[kind], json=BODIES[kind]())
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
    assert ad.publisher.events() == []


def test_a_bad_item_names_every_bad_field(client, auth):
    body = tech_offer_body(title="", countries=["XX"])
    body["details"] = {"kind": "tech_offer", "offered": "laptops", "admin_fee": 3}
    response = client.post("/tech-offers", json=body, headers=auth)
    assert response.status_code == 422
    fields = {f["field"] for f in response.json["error"]["fields"]}
    assert {"title", "countries.0", "details.how_to_request"} <= fields


def test_details_of_another_kind_are_refused(client, auth):
    body = training_body(details=tech_offer_body()["details"])
    response = client.post("/trainings", json=body, headers=auth)
    assert response.status_code == 422


def test_a_registration_deadline_in_the_past_is_refused(client, auth):
    body = training_body()
    body["details"] = {**body["details"], "registration_deadline": "2020-01-01"}
    response = client.post("/trainings", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "details.registration_deadline"


def test_the_kinds_count_against_the_funders_key(client, auth):
    statuses = [
        client.post("/events", json=BODIES[OpportunityKind.EVENT](), headers=auth).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [201, 200, 200, 200, 200] and statuses[5] == 429


@pytest.mark.parametrize("kind", KINDS)
def test_put_replaces_the_item_and_get_shows_it(client, auth, kind):
    created = client.post(PATHS[kind], json=BODIES[kind](), headers=auth).json["id"]
    url = f"{PATHS[kind]}/{created}"
    put = client.put(url, json=BODIES[kind](title="Changed"), headers=auth)
    assert put.status_code == 200 and put.json == {"id": created, "status": "updated"}
    shown = client.get(url, headers=auth)
    assert shown.status_code == 200
    assert (shown.json["id"], shown.json["kind"], shown.json["title"]) == (
        created,
        kind.value,
        "Changed",
    )
    assert shown.json["details"]["kind"] == kind.value


def test_put_cannot_change_the_external_id(client, auth):
    created = client.post("/trainings", json=training_body(), headers=auth).json["id"]
    response = client.put(
        f"/trainings/{created}", json=training_body(external_id="other"), headers=auth
    )
    assert response.status_code == 422


def test_an_item_is_found_only_under_its_own_kind(client, auth):
    training = client.post("/trainings", json=training_body(), headers=auth).json["id"]
    grant = client.post("/grants", json=grant_body(), headers=auth).json["id"]
    assert client.get(f"/events/{training}", headers=auth).status_code == 404
    assert client.get(f"/trainings/{grant}", headers=auth).status_code == 404
    assert client.put(f"/grants/{training}", json=grant_body(), headers=auth).status_code == 404


def test_another_funders_item_is_403(client, ad, auth):
    created = client.post("/trainings", json=training_body(), headers=auth).json["id"]
    other = {"Authorization": f"Bearer {create_funder(ad, 'Other').api_key}"}
    assert client.get(f"/trainings/{created}", headers=other).status_code == 403
    assert client.delete(f"/trainings/{created}", headers=other).status_code == 403


def test_delete_removes_the_item(client, ad, auth):
    created = client.post("/tech-offers", json=tech_offer_body(), headers=auth).json["id"]
    assert client.delete(f"/tech-offers/{created}", headers=auth).status_code == 204
    assert ad.grants.get(created) is None
    assert client.get(f"/tech-offers/{created}", headers=auth).status_code == 404


def test_a_rule_of_ours_is_told_in_our_words_without_pydantic_s_prefix(client, auth):
    body = training_body()
    body["details"] = {"kind": "training", "attendance": "on_site"}
    response = client.post("/trainings", json=body, headers=auth)
    assert response.status_code == 422
    [problem] = response.json["error"]["fields"]
    assert problem == {
        "field": "details",
        "message": "country is required for an on-site or hybrid one",
    }
    grant = client.post(
        "/grants", json=grant_body(amount_min=5, amount_max=1, currency="USD"), headers=auth
    )
    messages = [f["message"] for f in grant.json["error"]["fields"]]
    assert messages == ["amount_min must not be greater than amount_max"]
