"""POST /grants/import: a funder uploads an open-data file; the grants become theirs."""

from __future__ import annotations

import pytest

from shared.adapters.firestore.grants import GRANTS
from shared.domain.ids import grant_id
from shared.services.funders import create_funder
from tests.function_loader import load_function
from tests.import_fixtures import FIXTURES
from tests.real_adapters import client_of

XML = "application/xml"


@pytest.fixture
def ingest(ad):
    return load_function("ingest")


@pytest.fixture
def client(ingest):
    return ingest.app.test_client()


@pytest.fixture
def funder(ad):
    return create_funder(ad, "Open Data Foundation")


def _post(client, key, fmt, name, content_type=XML, query="", data=None):
    body = data if data is not None else (FIXTURES / name).read_bytes()
    return client.post(
        f"/grants/import?format={fmt}{query}",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {key}"} if key else {},
    )


def _stored(ad) -> list[dict]:
    return [s.to_dict() for s in client_of(ad).collection(GRANTS).stream()]


def test_imported_grants_belong_to_the_authenticated_funder(client, funder, ad, bus):
    response = _post(client, funder.api_key, "iati", "iati-2.03.xml")
    assert response.status_code == 200
    report = response.json["report"]
    assert (report["created"], report["rejected"], report["records"]) == (3, 3, 6)
    rejected = [p for p in report["problems"] if p["kind"] == "rejected"]
    assert rejected[0]["position"].startswith("/iati-activities/iati-activity[3]")
    assert {g["funder_id"] for g in _stored(ad)} == {funder.funder_id}
    assert {g["id"] for g in _stored(ad)} == {
        grant_id(funder.funder_id, e)
        for e in ("XM-EXAMPLE-1-KH-001", "XM-EXAMPLE-1-VN-002", "XM-EXAMPLE-1-TH-006")
    }
    assert len(bus.events("grant-published")) == 3


def test_uploading_the_same_file_twice_is_safe(client, funder, ad, bus):
    _post(client, funder.api_key, "360giving", "360giving.csv", content_type="text/csv")
    again = _post(client, funder.api_key, "360giving", "360giving.csv", content_type="text/csv")
    assert again.status_code == 200
    assert (again.json["report"]["unchanged"], again.json["report"]["events"]) == (2, 0)
    assert len(_stored(ad)) == 2 and len(bus.events("grant-published")) == 2


def test_the_funder_chooses_the_countries_of_records_that_name_none(client, funder, ad):
    response = _post(client, funder.api_key, "grantsgov", "grantsgov.xml", query="&countries=KH,la")
    assert response.status_code == 200
    assert {tuple(g["countries"]) for g in _stored(ad)} == {("KH", "LA")}


def test_without_a_key_nothing_is_read_or_stored(client, ad):
    response = _post(client, None, "iati", "iati-2.03.xml")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthenticated"
    assert _stored(ad) == []


def test_a_revoked_key_is_refused(client, funder, ad):
    ad.funders.revoke_api_key(funder.key_id, ad.clock.now())
    assert _post(client, funder.api_key, "iati", "iati-2.03.xml").status_code == 401


def test_an_unknown_format_is_422(client, funder):
    response = _post(client, funder.api_key, "ocds", "iati-2.03.xml")
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "format"


def test_a_bad_country_list_is_422(client, funder):
    response = _post(client, funder.api_key, "grantsgov", "grantsgov.xml", query="&countries=KH,XX")
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "countries"


def test_a_content_type_that_does_not_fit_the_format_is_415(client, funder, ad):
    response = _post(
        client, funder.api_key, "iati", "iati-2.03.xml", content_type="application/json"
    )
    assert response.status_code == 415 and _stored(ad) == []


def test_a_broken_file_is_400_and_says_what_was_imported_before_the_break(client, funder, ad):
    whole = (FIXTURES / "iati-2.01.xml").read_bytes()
    broken = whole.replace(b"</iati-activities>", b"<iati-activity><unclosed></iati-activities>")
    response = _post(client, funder.api_key, "iati", "", data=broken)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_file"
    assert "1 record(s) before it were imported" in response.json["error"]["message"]
    assert response.json["report"]["created"] == 1 and len(_stored(ad)) == 1


def test_a_file_of_the_wrong_standard_is_400(client, funder, ad):
    response = _post(client, funder.api_key, "iati", "grantsgov.xml")
    assert response.status_code == 400
    assert "the root element is <Grants>" in response.json["error"]["message"]
    assert _stored(ad) == []


def test_a_file_over_the_upload_limit_is_413_before_anything_is_read(
    client, ingest, funder, ad, monkeypatch
):
    small = ingest.settings.model_copy(update={"max_import_bytes": 1024})
    monkeypatch.setattr(ingest, "settings", small)
    response = _post(client, funder.api_key, "iati", "iati-2.03.xml")
    assert response.status_code == 413 and response.json["error"]["code"] == "payload_too_large"
    assert _stored(ad) == []


def test_the_json_limit_still_applies_to_single_grants(client, funder):
    body = b'{"title": "' + b"x" * (70 * 1024) + b'"}'
    response = client.post(
        "/grants", data=body, content_type="application/json",
        headers={"Authorization": f"Bearer {funder.api_key}"},
    )  # fmt: skip
    assert response.status_code == 413
