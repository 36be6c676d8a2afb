"""One subscriber per address: sending the alert form again replaces the subscription
once confirmed, and unsubscribing stops every email to the address (issue 14)."""

from __future__ import annotations

from shared.domain.recipients import RecipientKind
from shared.email.links import Purpose
from shared.services.project_listings import is_listed
from shared.services.subscriptions import follow_link
from tests.builders import profile_body
from tests.conftest import sink_messages
from tests.integration.pipeline import (
    CORRELATION,
    confirm,
    link,
    new_grant,
    new_profile,
    new_project,
    pump,
)
from tests.real_adapters import client_of

PROFILE, PROJECT = RecipientKind.PROFILE, RecipientKind.PROJECT
ADDRESS = "one@cso.example.org"


def _alerts(sink_url: str) -> list[dict]:
    return [m for m in sink_messages(sink_url) if m["categories"] != ["confirmation"]]


def test_two_api_posts_for_one_address_answer_alike_and_one_alert_goes_out(
    ad, bus, sink_url, ingest_app
):
    client = ingest_app.test_client()
    first = client.post("/profiles", json=profile_body(email=ADDRESS, language="en"))
    confirm(ad, PROFILE, first.json["id"])
    # The same address again, now known and confirmed: the answer looks the same.
    second = client.post(
        "/profiles", json=profile_body(email=ADDRESS, org_name="New name", language="en")
    )
    assert (first.status_code, sorted(first.json)) == (second.status_code, sorted(second.json))
    assert first.json["id"] != second.json["id"]
    confirm(ad, PROFILE, second.json["id"])
    new_grant(ad, title="One alert only")
    pump(ad, bus)
    [alert] = _alerts(sink_url)
    assert alert["subject"] == "New grant for New name: One alert only"
    older = ad.subscribers.get_profile(first.json["id"])
    assert older.unsubscribed_at is not None  # replaced by the newer, confirmed one


def test_a_new_request_is_held_until_confirmed_and_the_old_one_keeps_going(ad, bus, sink_url):
    old = new_profile(ad, email=ADDRESS, language="en")
    confirm(ad, PROFILE, old)
    new_profile(ad, email=ADDRESS.upper(), org_name="Somebody else")  # not confirmed
    new_grant(ad, title="Still one")
    pump(ad, bus)
    [alert] = _alerts(sink_url)
    assert alert["subject"] == "New grant for Delta Rights Network: Still one"


def test_confirming_an_older_request_after_a_newer_does_not_bring_it_back(ad, bus, sink_url):
    older = new_profile(ad, email=ADDRESS, org_name="Older", language="en")
    newer = new_profile(ad, email=ADDRESS, org_name="Newer", language="en")
    confirm(ad, PROFILE, newer)
    confirm(ad, PROFILE, older)
    new_grant(ad, title="Which one")
    pump(ad, bus)
    assert [m["subject"] for m in _alerts(sink_url)] == ["New grant for Newer: Which one"]


def test_unsubscribing_stops_every_email_to_the_address(ad, bus, sink_url, ingest_app):
    first = new_profile(ad, email=ADDRESS, language="en")
    project = new_project(ad, contact_email=ADDRESS, country="KH", language="en")
    confirm(ad, PROFILE, first)
    confirm(ad, PROJECT, project)
    assert is_listed(ad.subscribers.get_project(project), ad.clock.now().date())
    token = link(ad, Purpose.UNSUBSCRIBE, PROFILE, first)
    page = ingest_app.test_client().post(f"/unsubscribe?token={token}")
    assert page.status_code == 200
    assert "funders" in page.text  # the page says the project leaves the funders' page
    new_grant(ad, title="After unsubscribing")
    pump(ad, bus)
    assert _alerts(sink_url) == []
    stored = ad.subscribers.get_project(project)
    assert stored.unsubscribed_at is not None
    assert not is_listed(stored, ad.clock.now().date())


def test_unsubscribing_through_a_replaced_profiles_old_email_still_stops_everything(
    ad, bus, sink_url
):
    old = new_profile(ad, email=ADDRESS, language="en")
    confirm(ad, PROFILE, old)
    new = new_profile(ad, email=ADDRESS, language="en")
    confirm(ad, PROFILE, new)
    follow_link(ad, Purpose.UNSUBSCRIBE, link(ad, Purpose.UNSUBSCRIBE, PROFILE, old), CORRELATION)
    new_grant(ad, title="Nothing")
    pump(ad, bus)
    assert _alerts(sink_url) == []
    assert ad.subscribers.get_profile(new).unsubscribed_at is not None


def test_a_new_request_after_unsubscribing_is_confirmed_and_then_alerted(ad, bus, sink_url):
    old = new_profile(ad, email=ADDRESS, language="en")
    confirm(ad, PROFILE, old)
    follow_link(ad, Purpose.UNSUBSCRIBE, link(ad, Purpose.UNSUBSCRIBE, PROFILE, old), CORRELATION)
    again = new_profile(ad, email=ADDRESS, org_name="Back again", language="en")
    pump(ad, bus)
    confirmations = [m for m in sink_messages(sink_url) if m["categories"] == ["confirmation"]]
    assert len(confirmations) == 1  # the new request's own confirmation still goes out
    confirm(ad, PROFILE, again)
    new_grant(ad, title="Welcome back")
    pump(ad, bus)
    assert [m["subject"] for m in _alerts(sink_url)] == ["New grant for Back again: Welcome back"]


def test_addresses_are_indexed_by_a_keyed_hash_not_a_new_plaintext_copy(ad):
    pid = new_profile(ad, email="Mixed.Case@CSO.example.org")
    data = client_of(ad).collection("profiles").document(pid).get().to_dict()
    key = data["email_key"]
    assert len(key) == 64 and "cso" not in key.lower()
    assert [v for v in data.values() if isinstance(v, str) and "cso.example" in v.lower()] == [
        data["email"]
    ]
    other = new_profile(ad, email="mixed.case@cso.example.org")
    assert client_of(ad).collection("profiles").document(other).get().get("email_key") == key
