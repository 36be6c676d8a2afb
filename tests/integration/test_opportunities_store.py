"""Trainings, events and tech offers through the real app and Firestore: what a funder
posts is stored with its details and read back as the same kind."""

from __future__ import annotations

from shared.domain.opportunities import OpportunityKind, TrainingDetails
from shared.services.funders import create_funder
from tests.opportunity_builders import BODIES, PATHS
from tests.real_adapters import client_of


def test_each_kind_posted_over_http_is_stored_with_its_details(ingest_app, ad):
    client = ingest_app.test_client()
    auth = {"Authorization": f"Bearer {create_funder(ad, 'Trainers').api_key}"}
    for kind, path in PATHS.items():
        response = client.post(path, json=BODIES[kind](), headers=auth)
        assert response.status_code == 201, response.json
        stored = ad.grants.get(response.json["id"])
        assert stored is not None and stored.kind is kind
        again = client.post(path, json=BODIES[kind](), headers=auth)
        assert again.json["status"] == "unchanged"
    [training] = [
        snap.to_dict()
        for snap in client_of(ad).collection("grants").stream()
        if (snap.to_dict().get("details") or {}).get("kind") == OpportunityKind.TRAINING
    ]
    assert training["country_keys"] == ["KH"]  # on site: its own country only
    assert training["closes_on"] == "2027-01-31"  # the registration deadline
    assert TrainingDetails.model_validate(training["details"]).city == "Phnom Penh"
