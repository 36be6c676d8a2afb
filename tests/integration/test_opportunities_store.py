"""Trainings, events and tech offers through the real app and Firestore: what a funder
posts is stored with its details and read back as the same kind."""

from __future__ import annotations

from google.cloud import firestore

from shared.adapters.firestore.subscribers import PROFILES
from shared.domain.models import Grant, ProfileSubmission
from shared.domain.opportunities import (
    OpportunityKind,
    TrainingDetails,
    TrainingSubmission,
    catalogue_fields,
)
from shared.matching.engine import evaluate
from shared.services.funders import create_funder
from shared.services.submissions import submit_profile
from tests import builders as b
from tests.builders import NOW, profile_body
from tests.opportunity_builders import BODIES, PATHS, training_body
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


def test_a_profile_stored_before_the_kinds_existed_hears_of_grants_only(ad):
    """Profiles written before `kinds` have no such field: they load wanting grants."""
    submission = ProfileSubmission.model_validate(profile_body(countries=["KH"]))
    pid = submit_profile(ad, submission, idempotency_key=None, correlation_id="c").id
    ref = client_of(ad).collection(PROFILES).document(pid)
    ref.update({"kinds": firestore.DELETE_FIELD})
    assert "kinds" not in (ref.get().to_dict() or {})
    stored = ad.subscribers.get_profile(pid)
    assert stored is not None and stored.kinds == [OpportunityKind.GRANT]
    training = TrainingSubmission.model_validate(training_body())
    item = Grant(
        **catalogue_fields(training), id="g_t", funder_id="f", created_at=NOW, updated_at=NOW
    )
    assert evaluate(item, stored, NOW.date()) is None
    assert evaluate(b.grant(countries=["KH"]), stored, NOW.date()) is not None
