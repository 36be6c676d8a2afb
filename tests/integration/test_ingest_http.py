"""The ingest function's HTTP contract, through its real Flask app and real Firestore."""

from __future__ import annotations

import json

import pytest

from shared.services.funders import create_funder
from tests.builders import grant_body, profile_body, project_body
from tests.real_adapters import client_of


@pytest.fixture
def client(ingest_app):
    return ingest_app.test_client()


@pytest.fixture
def funder_key(ad) -> str:
    return create_funder(ad, "Test Foundation").api_key


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_post_grant_creates_then_updates(client, funder_key, ad):
    first = client.post("/grants", json=grant_body(), headers=_auth(funder_key))
    assert first.status_code == 201
    assert first.json["status"] == "created" and first.json["id"].startswith("g_")
    second = client.post("/grants", json=grant_body(title="Changed"), headers=_auth(funder_key))
    assert second.status_code == 200
    assert second.json == {"id": first.json["id"], "status": "updated"}
    assert ad.grants.get(first.json["id"]).title == "Changed"


def test_post_grant_without_key_is_401_and_stores_nothing(client, ad):
    response = client.post("/grants", json=grant_body())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["code"] == "unauthenticated"
    assert list(client_of(ad).collection("grants").stream()) == []


def test_post_grant_with_unknown_key_is_401(client):
    fake = "gm_0123456789abcdef_" + "A" * 43
    assert client.post("/grants", json=grant_body(), headers=_auth(fake)).status_code == 401


def test_revoked_key_is_refused(client, ad):
    funder = create_funder(ad, "Revoked Foundation")
    ad.funders.revoke_api_key(funder.key_id, ad.clock.now())
    response = client.post("/grants", json=grant_body(), headers=_auth(funder.api_key))
    assert response.status_code == 401
    assert "revoked" in response.json["error"]["message"]


def test_invalid_grant_names_every_bad_field(client, funder_key):
    body = grant_body(title="", countries=["XX"], amount_min=-1, sectors=["nope"])
    response = client.post("/grants", json=body, headers=_auth(funder_key))
    assert response.status_code == 422
    fields = {f["field"] for f in response.json["error"]["fields"]}
    assert {"title", "countries.0", "amount_min", "sectors.0"} <= fields


def test_unknown_field_is_refused(client):
    response = client.post("/projects", json=project_body(secret_agenda=True))
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "secret_agenda"


def test_body_over_64_kib_is_413(client):
    body = json.dumps(project_body(summary="x" * (70 * 1024)))
    response = client.post("/projects", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_wrong_content_type_is_415(client):
    response = client.post(
        "/projects", data="org_name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_malformed_json_is_400(client):
    response = client.post("/projects", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_request"


def test_json_that_is_not_an_object_is_400(client):
    response = client.post("/profiles", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_project_and_profile_are_created(client, ad):
    project = client.post("/projects", json=project_body())
    profile = client.post("/profiles", json=profile_body())
    assert project.status_code == 201 and profile.status_code == 201
    assert ad.subscribers.get_project(project.json["id"]) is not None
    assert ad.subscribers.get_profile(profile.json["id"]) is not None


def test_responses_never_echo_contact_emails(client):
    for path, body in (("/projects", project_body()), ("/profiles", profile_body())):
        response = client.post(path, json=body)
        assert "@" not in response.get_data(as_text=True)
    bad = client.post("/profiles", json=profile_body(email="broken@@example.org"))
    assert bad.status_code == 422 and "broken" not in bad.get_data(as_text=True)


def test_idempotency_key_makes_a_retry_safe(client, ad):
    headers = {"Idempotency-Key": "form-nonce-123"}
    first = client.post("/profiles", json=profile_body(), headers=headers)
    retry = client.post("/profiles", json=profile_body(), headers=headers)
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json == {"id": first.json["id"], "status": "replayed"}
    assert len(list(client_of(ad).collection("profiles").stream())) == 1


def test_correlation_id_is_echoed(client):
    response = client.post(
        "/profiles", json=profile_body(), headers={"X-Correlation-Id": "my-trace-0001"}
    )
    assert response.headers["X-Correlation-Id"] == "my-trace-0001"


def test_unknown_route_is_a_json_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405_that_says_what_is_allowed(client):
    response = client.get("/grants")
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"
    assert "POST" in {m.strip() for m in response.headers["Allow"].split(",")}


# -- small hostile bodies: a clear 400, never a 500 ------------------------------------
NESTED_1000 = "[" * 1000 + "]" * 1000  # about 2 KB
DIGITS_5000 = "9" * 5000  # past Python's limit for converting a string to an int


@pytest.mark.parametrize("path", ["/profiles", "/projects", "/erasure-requests", "/grants"])
def test_json_nested_1000_deep_is_a_400_that_says_so(client, funder_key, ad, path):
    body = '{"title": ' + NESTED_1000 + "}"
    response = client.post(
        path, data=body, content_type="application/json", headers=_auth(funder_key)
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_request"
    assert "nested" in response.json["error"]["message"]
    for collection in ("profiles", "projects", "grants", "erasure_requests"):
        assert list(client_of(ad).collection(collection).stream()) == []


@pytest.mark.parametrize(
    ("path", "field"), [("/profiles", "email"), ("/grants", "amount_min"), ("/projects", "title")]
)
def test_a_number_of_5000_digits_is_a_400_that_says_so(client, funder_key, ad, path, field):
    body = '{"' + field + '": ' + DIGITS_5000 + "}"
    response = client.post(
        path, data=body, content_type="application/json", headers=_auth(funder_key)
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_request"
    assert "digits" in response.json["error"]["message"]
    assert DIGITS_5000[:50] not in response.get_data(as_text=True)


def test_an_import_nested_1000_deep_is_a_400_that_says_so(client, funder_key, ad):
    body = '{"grants": [{"id": "deep-1", "title": ' + NESTED_1000 + "}]}"
    response = client.post(
        "/grants/import?format=360giving",
        data=body,
        content_type="application/json",
        headers=_auth(funder_key),
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_file"
    assert "nested" in response.json["error"]["message"]
    assert list(client_of(ad).collection("grants").stream()) == []
