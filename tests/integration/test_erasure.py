"""Real deletion: an erase link removes every document kept for an address, and anyone
may ask for that link by address without learning whether the address is known."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from shared.domain.events import InterestAccepted, InterestExpressed, new_event
from shared.domain.models import GrantSubmission, InterestSubmission
from shared.domain.recipients import RecipientKind
from shared.domain.taxonomy import TargetKind
from shared.email.links import LinkClaim, Purpose
from shared.importers.records import Mapped
from shared.services.delivery import link_signer
from shared.services.funders import create_funder
from shared.services.imports import import_grants
from shared.services.interests import express_interest, share_contact
from shared.services.subscriptions import follow_link
from tests.builders import grant_body
from tests.conftest import sink_messages
from tests.function_loader import load_function
from tests.integration.pipeline import (
    CORRELATION,
    confirm,
    deliver_event,
    link,
    new_grant,
    new_profile,
    new_project,
    pump,
)
from tests.real_adapters import client_of

ERASED = "leaving@cso.example.org"
KEPT = "staying@cso.example.org"
FUNDER = "grants@fund.example.org"


@pytest.fixture
def client(ad):
    return load_function("ingest").app.test_client()


def _every_document(ad) -> dict[str, str]:
    """Every document of every collection, as `collection/id` -> its data as text."""
    return {
        f"{collection.id}/{snap.id}": str(snap.to_dict())
        for collection in client_of(ad).collections()
        for snap in collection.stream()
    }


def _mentions(documents: dict[str, str], needle: str) -> list[str]:
    return [path for path, data in documents.items() if needle in path or needle in data]


def _two_csos_with_history(ad, bus) -> dict[str, str]:
    """One address with a confirmed profile and an unconfirmed project shown to funders
    (so: sent alerts, held alerts, a funder's pending alert, notifications), and another
    address that must survive the erasure untouched."""
    funder = create_funder(ad, "Mekong Fund", email="grants@fund.example.org")
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
    view = follow_link(ad, Purpose.ERASE, token, CORRELATION)
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
    follow_link(ad, Purpose.ERASE, token, CORRELATION)
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
    assert ad.subscribers.get_profile(ids["profile"]) is not None  # GET changed nothing
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
    assert ad.subscribers.get_profile(ids["profile"]) is not None


def _interested(ad, funder_id: str, project_id: str, pledge: float) -> str:
    note = InterestSubmission(message="We fund community radio.", pledge=pledge)
    return express_interest(ad, funder_id, project_id, note, correlation_id=CORRELATION).id


def _share(ad, project_id: str, interest_id: str) -> None:
    """The CSO presses "share my address" in the interest email."""
    claim = LinkClaim(
        Purpose.SHARE_CONTACT, RecipientKind.PROJECT, project_id, interest_id=interest_id
    )
    share_contact(ad, link_signer(ad).token(claim), "Write to us.", CORRELATION)


def _funders_interested_in_two_projects(ad, bus) -> dict[str, str]:
    """Two funders interested (with pledges) in a project whose address will be erased,
    one of them also in a project that stays; the leaving CSO shared its address with
    the first funder (an introduction email), and a grant imported from an open-data
    file matched both projects (alerts for the funders)."""
    first = create_funder(ad, "Mekong Fund", email=FUNDER)
    second = create_funder(ad, "Delta Trust", email="team@delta.example.org")
    leaving = new_project(ad, contact_email=ERASED, visibility="funders", language="en")
    staying = new_project(ad, contact_email=KEPT, external_id="stays", language="en")
    confirm(ad, RecipientKind.PROJECT, leaving)
    confirm(ad, RecipientKind.PROJECT, staying)
    grant = GrantSubmission(**grant_body(external_id="iati-LA-1", title="Imported Lao call"))
    import_grants(ad, first.funder_id, [Mapped("activity 1", grant)], correlation_id=CORRELATION)
    ids = {
        "funder": first.funder_id,
        "leaving": leaving,
        "staying": staying,
        "first_in_leaving": _interested(ad, first.funder_id, leaving, 5000),
        "second_in_leaving": _interested(ad, second.funder_id, leaving, 2000),
        "first_in_staying": _interested(ad, first.funder_id, staying, 1000),
    }
    pump(ad, bus)
    _share(ad, leaving, ids["first_in_leaving"])
    _share(ad, staying, ids["first_in_staying"])
    pump(ad, bus)
    return ids


def _collections(documents: dict[str, str]) -> Counter:
    return Counter(path.split("/")[0] for path in documents)


def test_erasing_a_project_takes_the_interests_in_it_and_every_email_they_caused(ad, bus, sink_url):
    ids = _funders_interested_in_two_projects(ad, bus)
    before = _every_document(ad)
    introduction = f"notifications/introduction:funder:{ids['funder']}:{ids['first_in_leaving']}"
    assert (
        introduction in before and ad.subscribers.get_project(ids["leaving"]).pledged_amount == 7000
    )
    # The imported grant matched the project: the funder has an alert about that match.
    [match] = ad.matches.for_target(TargetKind.PROJECT, ids["leaving"])
    assert f"alerts/funder:{match.id}" in before

    token = link(ad, Purpose.ERASE, RecipientKind.PROJECT, ids["leaving"])
    follow_link(ad, Purpose.ERASE, token, CORRELATION)

    after = _every_document(ad)
    gone = (ERASED, ids["leaving"], ids["first_in_leaving"], ids["second_in_leaving"], match.id)
    # Collection by collection: exactly the documents that named one of these went.
    kept = {p: d for p, d in before.items() if not any(n in p or n in d for n in gone)}
    assert after == kept, _collections(after)
    assert _collections(before) - _collections(after) == Counter(
        projects=1, interests=2, matches=1, alerts=2, notifications=4
    )
    # The project that stays keeps its interest and pledge; the funders, their keys and
    # contacts and the imported grant are theirs and stay too.
    assert [p for p in after if p.startswith("interests/")] == [
        f"interests/{ids['first_in_staying']}"
    ]
    assert ad.subscribers.get_project(ids["staying"]).pledged_amount == 1000
    for collection in ("funders", "api_keys", "funder_contacts", "grants"):
        assert _collections(after)[collection] == _collections(before)[collection], collection


def test_interest_events_in_flight_after_erasure_send_and_recreate_nothing(ad, bus, sink_url):
    ids = _funders_interested_in_two_projects(ad, bus)
    token = link(ad, Purpose.ERASE, RecipientKind.PROJECT, ids["leaving"])
    follow_link(ad, Purpose.ERASE, token, CORRELATION)
    mails, documents = len(sink_messages(sink_url)), _every_document(ad)
    for payload in (InterestExpressed, InterestAccepted):
        late = new_event(
            payload(interest_id=ids["second_in_leaving"]),
            correlation_id=CORRELATION,
            now=ad.clock.now(),
        )
        deliver_event(ad, late)
    pump(ad, bus)
    assert len(sink_messages(sink_url)) == mails
    after = _every_document(ad)
    assert [p for p in after if p not in documents and not p.startswith("processed_events/")] == []
    assert _mentions(after, ids["second_in_leaving"]) == []


def test_erasing_a_funder_contact_takes_its_introductions_not_its_organisations_interests(
    ad, bus, sink_url
):
    ids = _funders_interested_in_two_projects(ad, bus)
    token = link(ad, Purpose.ERASE, RecipientKind.FUNDER, ids["funder"])
    follow_link(ad, Purpose.ERASE, token, CORRELATION)

    after = _every_document(ad)
    assert _mentions(after, FUNDER) == []
    assert f"funder_contacts/{ids['funder']}" not in after
    # Every email record of that contact (introductions, alerts) is gone with it ...
    assert [
        p
        for p in after
        if p.startswith(("notifications/", "alerts/")) and f":funder:{ids['funder']}" in p
    ] == []
    assert not [p for p in after if p.startswith("notifications/introduction:")]
    # ... but the organisation's interests hold no address: they, and the pledges the
    # CSOs see, stand.
    for interest in ("first_in_leaving", "first_in_staying"):
        assert f"interests/{ids[interest]}" in after
    assert ad.subscribers.get_project(ids["leaving"]).pledged_amount == 7000
