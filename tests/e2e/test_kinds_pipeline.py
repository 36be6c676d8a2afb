"""A training, an event and a tech offer through the whole chain, as separate processes:
posted to the keyed API → Firestore → Pub/Sub push → match → notify → the mail sink. The
CSO that opted in to the kind is emailed; the one that did not (grants only) is not."""

from __future__ import annotations

import time

import pytest
import requests

from shared.domain.opportunities import OpportunityKind
from shared.services.funders import create_funder
from tests.builders import profile_body
from tests.conftest import sink_messages
from tests.opportunity_builders import BODIES, PATHS

SUBJECTS = {
    OpportunityKind.TRAINING: "New training for Delta Rights Network: ",
    OpportunityKind.EVENT: "New event for Delta Rights Network: ",
    OpportunityKind.TECH_OFFER: "New technology offer for Delta Rights Network: ",
}
#: A key fact of each kind that its email must show.
FACTS = {
    OpportunityKind.TRAINING: "Where: Phnom Penh, Cambodia (on site)",
    OpportunityKind.EVENT: "How to register: Email the organisers",
    OpportunityKind.TECH_OFFER: "How to request: Write to the programme",
}


def _post(stack, path: str, body: dict, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = requests.post(f"{stack.ingest_url}{path}", json=body, headers=headers, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.mark.parametrize("kind", list(PATHS), ids=lambda k: k.value)
def test_an_item_is_emailed_to_the_cso_that_opted_in_and_not_to_the_other(e2e, kind):
    wants = f"wants-{kind.value}@cso.example.org"
    grants_only = f"grants-only-{kind.value}@cso.example.org"
    _post(e2e, "/profiles", profile_body(email=wants, language="en", kinds=["grant", kind.value]))
    _post(e2e, "/profiles", profile_body(email=grants_only, language="en"))
    e2e.confirm(wants)
    e2e.confirm(grants_only)
    key = create_funder(e2e.ad, "Partners of the region").api_key
    body = BODIES[kind]()
    _post(e2e, PATHS[kind], body, key)

    [email] = e2e.wait_for_emails(lambda m: body["title"] in m["subject"])
    assert email["to"] == [wants]
    assert email["subject"] == SUBJECTS[kind] + body["title"]
    assert FACTS[kind] in email["text"]
    time.sleep(3)  # the batching window, relay passes and delivery: what would have arrived
    to_the_other = [m for m in sink_messages(e2e.sink_url) if m["to"] == [grants_only]]
    assert [m["categories"] for m in to_the_other] == [["confirmation"]]
