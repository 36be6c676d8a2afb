"""Who may touch what: funder writes need a valid key, a funder changes only its own
grants, keys are stored hashed and checked in constant time, and revoked keys stop."""

from __future__ import annotations

import hmac

import pytest

from shared.adapters.firestore.funders import API_KEYS
from shared.adapters.firestore.grants import GRANTS
from shared.adapters.firestore.matches import MATCHES
from shared.domain import api_keys
from shared.services.funders import create_funder
from tests.builders import grant_body, project_body
from tests.function_loader import load_function
from tests.integration.pipeline import pump
from tests.real_adapters import client_of


@pytest.fixture
def client(ad):
    return load_function("ingest").app.test_client()


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def funder_a(ad):
    return create_funder(ad, "Funder A")


@pytest.fixture
def funder_b(ad):
    return create_funder(ad, "Funder B")


def _post(client, key: str, **overrides) -> str:
    response = client.post("/grants", json=grant_body(**overrides), headers=_auth(key))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _snapshot(ad, grant_id: str):
    snap = client_of(ad).collection(GRANTS).document(grant_id).get()
    return snap.to_dict(), snap.update_time


def test_owner_can_replace_its_grant_with_put(client, ad, bus, funder_a):
    gid = _post(client, funder_a.api_key)
    bus.events("grant-published")
    body = grant_body(title="A better title")
    response = client.put(f"/grants/{gid}", json=body, headers=_auth(funder_a.api_key))
    assert response.status_code == 200 and response.json == {"id": gid, "status": "updated"}
    assert ad.grants.get(gid).title == "A better title"
    assert [e.parsed().revision for e in bus.events("grant-published")] == [2]


def test_another_funder_cannot_update_a_grant_and_nothing_changes(
    client, ad, bus, funder_a, funder_b
):
    gid = _post(client, funder_a.api_key)
    bus.events("grant-published")
    before = _snapshot(ad, gid)
    response = client.put(
        f"/grants/{gid}", json=grant_body(title="Hijacked"), headers=_auth(funder_b.api_key)
    )
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert _snapshot(ad, gid) == before  # not even rewritten with the same data
    assert bus.events("grant-published") == []


def test_another_funder_cannot_delete_a_grant(client, ad, funder_a, funder_b):
    gid = _post(client, funder_a.api_key)
    before = _snapshot(ad, gid)
    response = client.delete(f"/grants/{gid}", headers=_auth(funder_b.api_key))
    assert response.status_code == 403
    assert _snapshot(ad, gid) == before


def test_writes_without_a_valid_key_are_401_and_change_nothing(client, ad, funder_a):
    gid = _post(client, funder_a.api_key)
    before = _snapshot(ad, gid)
    forged = "gm_" + funder_a.key_id + "_" + "A" * 43  # the right key id, a wrong secret
    for headers in ({}, {"Authorization": "Basic abc"}, _auth(forged)):
        assert client.put(f"/grants/{gid}", json=grant_body(), headers=headers).status_code == 401
        assert client.delete(f"/grants/{gid}", headers=headers).status_code == 401
    assert _snapshot(ad, gid) == before


def test_put_cannot_move_a_grant_to_another_external_id(client, ad, funder_a):
    gid = _post(client, funder_a.api_key)
    response = client.put(
        f"/grants/{gid}", json=grant_body(external_id="other"), headers=_auth(funder_a.api_key)
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "external_id"
    assert ad.grants.get(gid).external_id == grant_body()["external_id"]


@pytest.mark.parametrize("grant_id", ["g_unknown", "__reserved__", "g_" + "0" * 32, "." * 3])
def test_unknown_or_malformed_grant_ids_are_404(client, funder_a, grant_id):
    headers = _auth(funder_a.api_key)
    assert client.put(f"/grants/{grant_id}", json=grant_body(), headers=headers).status_code == 404
    assert client.delete(f"/grants/{grant_id}", headers=headers).status_code == 404
    assert client.get(f"/grants/{grant_id}/projects", headers=headers).status_code == 404


def test_owner_deletes_its_grant_with_its_matches(client, ad, bus, funder_a):
    client.post("/projects", json=project_body(country="LA"))
    gid = _post(client, funder_a.api_key, countries=["LA"])
    pump(ad, bus)
    assert len(list(client_of(ad).collection(MATCHES).stream())) == 1
    assert client.delete(f"/grants/{gid}", headers=_auth(funder_a.api_key)).status_code == 204
    assert ad.grants.get(gid) is None
    assert list(client_of(ad).collection(MATCHES).stream()) == []
    assert list(client_of(ad).collection("alerts").stream()) == []


def test_the_same_external_id_under_another_funder_is_that_funders_own_grant(
    client, ad, funder_a, funder_b
):
    a = _post(client, funder_a.api_key, title="A's call")
    b = _post(client, funder_b.api_key, title="B's call")
    assert a != b
    assert ad.grants.get(a).title == "A's call" and ad.grants.get(a).funder_id != (
        ad.grants.get(b).funder_id
    )


def test_keys_are_stored_as_hashes_only(ad, funder_a):
    record = client_of(ad).collection(API_KEYS).document(funder_a.key_id).get().to_dict()
    _key_id, secret = api_keys.parse_key(funder_a.api_key)
    assert secret not in str(record)
    assert record["secret_hash"] == api_keys.hash_secret(secret)


def test_key_check_compares_in_constant_time(client, funder_a, monkeypatch):
    compared = []
    real_compare = hmac.compare_digest

    def recording_compare(a, b):
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(api_keys.hmac, "compare_digest", recording_compare)
    response = client.post("/grants", json=grant_body(), headers=_auth(funder_a.api_key))
    assert response.status_code == 201
    assert len(compared) == 1  # the stored hash was checked through compare_digest


def test_a_revoked_key_stops_working_and_its_siblings_do_not(client, ad, funder_a):
    from shared.services.funders import add_key

    _key_id, second = add_key(ad, funder_a.funder_id)
    assert ad.funders.revoke_api_key(funder_a.key_id, ad.clock.now())
    assert (
        client.post("/grants", json=grant_body(), headers=_auth(funder_a.api_key)).status_code
        == 401
    )
    assert client.post("/grants", json=grant_body(), headers=_auth(second)).status_code == 201
