"""Real deletion: an erase link removes every document kept for an address, and anyone
may ask for that link by address without learning whether the address is known."""

from __future__ import annotations

import re

import pytest

from shared.links import Purpose
from shared.recipients import RecipientKind
from shared.services.funders import create_funder
from shared.services.subscriptions import follow_link
from tests.conftest import sink_messages
from tests.function_loader import load_function
from tests.integration.pipeline import (
    CORRELATION,
    confirm,
    link,
    new_grant,
    new_profile,
    new_project,
    pump,
)

ERASED = "leaving@cso.example.org"
KEPT = "staying@cso.example.org"


@pytest.fixture
def client(ad):
    return load_function("ingest").app.test_client()


def _every_document(ad) -> dict[str, str]:
    """Every document of every collection, as `collection/id` -> its data as text."""
    return {
        f"{collection.id}/{snap.id}": str(snap.to_dict())
        for collection in ad.repo._db.collections()
        for snap in collection.stream()
    }


def _mentions(documents: dict[str, str], needle: str) -> list[str]:
    return [path for path, data in documents.items() if needle in path or needle in data]


def _two_csos_with_history(ad, bus) -> dict[str, str]:
    """One address with a confirmed profile and an unconfirmed project shown to funders
    (so: sent alerts, held alerts, a funder's pending alert, notifications), and another
    address that must survive the erasure untouched."""
    funder = create_funder(ad, "Mekong Fund", ad.now(), email="grants@fund.example.org")
    ids = {
        "profile": new_profile(ad, email=ERASED, countries=["LA"], language="en"),
        "project": new_project(
            ad, contact_email=ERASED, country="LA", visibility="funders", language="en"
        ),
        "kept": new_profile(ad, email=KEPT, countries=["LA"]),
    }
    confirm(ad, RecipientKind.PROFILE, ids["profile"])
    confirm(ad, RecipientKind.PROFILE, ids["kept"])
    new_grant(ad, funder_id=funder.funder_id, title="Lao media call", countries=["LA"])
    pump(ad, bus)
    return ids


def test_erase_link_deletes_every_document_of_the_address_and_nothing_else(ad, bus, sink_url):
    ids = _two_csos_with_history(ad, bus)
    before = _every_document(ad)
    for collection in ("matches", "alerts", "notifications"):
        assert any(p.startswith(collection) for p in _mentions(before, ids["profile"]))
    assert _mentions(before, "funder:") and _mentions(before, ids["project"])

    token = link(ad, Purpose.ERASE, RecipientKind.PROFILE, ids["profile"])
    view = follow_link(ad, Purpose.ERASE, token, ad.now(), CORRELATION)
    assert view.language == "en"

    after = _every_document(ad)
    for needle in (ERASED, ids["profile"], ids["project"]):
        assert _mentions(after, needle) == [], needle
    # Its funder's pending alert about the project is gone with it.
    assert not [p for p in after if p.startswith("alerts/funder:")]
    # The other address keeps its profile, match, alert and notifications.
    kept = _mentions(after, ids["kept"])
    assert {p.split("/")[0] for p in kept} == {"profiles", "matches", "alerts", "notifications"}
    assert sorted(kept) == sorted(_mentions(before, ids["kept"]))


def test_events_still_in_flight_after_erasure_recreate_nothing(ad, bus, sink_url):
    ids = _two_csos_with_history(ad, bus)
    token = link(ad, Purpose.ERASE, RecipientKind.PROJECT, ids["project"])
    follow_link(ad, Purpose.ERASE, token, ad.now(), CORRELATION)
    mails = len(sink_messages(sink_url))
    # A late grant and the relay's sweep find nothing of the erased address.
    new_grant(ad, title="Another Lao call", external_id="later", countries=["LA"])
    pump(ad, bus)
    after = _every_document(ad)
    assert _mentions(after, ids["profile"]) == [] and _mentions(after, ERASED) == []
    assert [m["to"] for m in sink_messages(sink_url)[mails:]] == [[KEPT]]


def test_anyone_may_ask_for_an_erasure_link_and_learns_nothing(client, ad, bus, sink_url):
    ids = _two_csos_with_history(ad, bus)
    mails = len(sink_messages(sink_url))
    known = client.post("/erasure-requests", json={"email": ERASED})
    unknown = client.post("/erasure-requests", json={"email": "nobody@cso.example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert set(known.headers.keys()) == set(unknown.headers.keys())
    client.post("/erasure-requests", json={"email": ERASED})  # asked twice: one email a day
    pump(ad, bus)

    [email] = sink_messages(sink_url)[mails:]
    assert email["to"] == [ERASED] and email["categories"] == ["erasure"]
    assert email["subject"] == "Delete your data from Grant Match"
    assert _mentions(_every_document(ad), "nobody@cso.example.org") == []  # requests are gone
    assert [d for d in _every_document(ad) if d.startswith("erasure_requests/")] == []

    # The link in that email shows a page first (mail scanners GET links), then deletes.
    [url] = set(re.findall(r"https?://\S+/erase\?token=\S+", email["text"]))
    path = url.split("gm.example.org", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and b"Delete my data" in page.data
    assert ad.repo.get_profile(ids["profile"]) is not None  # GET changed nothing
    done = client.post(path)
    assert done.status_code == 200 and b"has deleted the data" in done.data
    assert _mentions(_every_document(ad), ERASED) == []
    # Following it again is harmless and says it is done.
    again = client.get(path)
    assert again.status_code == 200 and b"has deleted the data" in again.data


def test_an_erasure_request_for_a_bad_address_is_refused_without_echoing_it(client):
    response = client.post("/erasure-requests", json={"email": "not-an-address@@x"})
    assert response.status_code == 422
    assert b"not-an-address" not in response.data


def test_a_forged_or_other_purpose_token_cannot_erase(client, ad, bus):
    ids = _two_csos_with_history(ad, bus)
    unsubscribe = link(ad, Purpose.UNSUBSCRIBE, RecipientKind.PROFILE, ids["profile"])
    assert client.post(f"/erase?token={unsubscribe}").status_code == 400
    assert client.post("/erase?token=forged").status_code == 400
    assert ad.repo.get_profile(ids["profile"]) is not None
