"""Trainings, events and tech offers on the web, in a real browser (Debian's Chromium,
driven by Playwright, JavaScript off), against the whole stack: a CSO ticks the kinds on
the alert form, and a funder posts each kind through its web form, choosing the kind by
a link and filling in that kind's fields. Screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.services.funders import create_funder
from tests.builders import grant_body, profile_body
from tests.opportunity_builders import training_body
from tests.real_adapters import client_of

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CSO = "kinds@delta.example.org"


def _stored(e2e, collection: str, field: str, value: str) -> list[dict[str, Any]]:
    query = client_of(e2e.ad).collection(collection).where(filter=FieldFilter(field, "==", value))
    return [snap.to_dict() for snap in query.stream()]


def test_the_alert_form_offers_the_kinds_with_grants_ticked(browsing, e2e):
    page = browsing.page
    page.goto(f"{e2e.ingest_url}/?lang=en")
    form = page.locator("#alerts")
    assert form.locator("#alerts-kinds").is_checked()  # grants, ticked for the CSO
    assert not form.get_by_label("Trainings").is_checked()
    form.locator("#alerts-email").fill(CSO)
    form.locator("#alerts-org_name").fill("Delta Rights Network")
    form.locator("#alerts-countries").check()  # Cambodia
    form.get_by_label("Trainings").check()
    form.get_by_label("Technology offers").check()
    form.locator("#alerts-applicant_type-unregistered_group").check()
    browsing.shot("1-kinds-ticked")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/forms/sent?kind=profile&lang=en")
    [stored] = _stored(e2e, "profiles", "email", CSO)
    assert stored["kinds"] == ["grant", "training", "tech_offer"]


def _sign_in(page, e2e, key: str) -> None:
    page.goto(f"{e2e.ingest_url}/funder/grants?lang=en")
    page.get_by_label("Your Grant Match API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    assert "Signed in as" in page.locator("main").inner_text()


def test_a_funder_posts_a_training_an_event_and_a_tech_offer_through_the_form(browsing, e2e):
    funder = create_funder(e2e.ad, "Trainers Ltd")
    page = browsing.page
    _sign_in(page, e2e, funder.api_key)

    page.get_by_role("link", name="Post a grant").click()
    page.get_by_role("navigation", name="What do you want to post?").get_by_role(
        "link", name="Trainings"
    ).click()
    assert page.locator("h1").inner_text() == "Post a training"
    assert (
        page.locator("#grant-amount_min, #item-amount_min").count() == 0
    )  # a grant's field is not shown
    page.get_by_label("Your reference for this item").fill("course-1")
    page.get_by_label("Title", exact=True).fill("Digital security for community trainers")
    page.locator("#item-starts_on").fill("2027-02-15")
    page.locator("#item-ends_on").fill("2027-02-19")
    page.locator("#item-registration_deadline").fill("2027-01-31")
    page.get_by_label("On site", exact=True).check()
    page.locator("#item-city").fill("Phnom Penh")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary").inner_text()
    assert "Choose the country where it takes place." in summary  # on site needs one
    browsing.shot("1-training-error")
    page.locator("#item-country").select_option("KH")
    page.locator("#item-how_to_register").fill("Fill in the form on our site")
    page.locator("#item-instruction_languages-km").check()
    browsing.shot("2-training-filled")
    page.get_by_role("button", name="Save").click()
    assert "is saved" in page.locator("main").inner_text()

    page.get_by_role("link", name="Post a grant").click()
    page.get_by_role("link", name="Events").click()
    page.get_by_label("Your reference for this item").fill("forum-1")
    page.get_by_label("Title", exact=True).fill("Mekong partners forum")
    page.locator("#item-starts_on").fill("2027-03-10")
    page.get_by_label("Online", exact=True).check()
    page.locator("#item-how_to_register").fill("Email the organisers")
    browsing.shot("3-event-filled")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Post a grant").click()
    page.get_by_role("link", name="Technology offers").click()
    assert page.locator("#item-starts_on").count() == 0  # a tech offer has no dates
    page.get_by_label("Your reference for this item").fill("laptops-1")
    page.get_by_label("Title", exact=True).fill("Donated laptops for small NGOs")
    page.locator("#item-offered").fill("Ten refurbished laptops")
    page.locator("#item-admin_fee").fill("25")
    page.locator("#item-currency").select_option("USD")
    page.locator("#item-how_to_request").fill("Write to the programme")
    browsing.shot("4-tech-offer-filled")
    page.get_by_role("button", name="Save").click()

    titles = page.locator("article h2").all_inner_texts()
    assert sorted(titles) == [
        "Digital security for community trainers",
        "Donated laptops for small NGOs",
        "Mekong partners forum",
    ]
    kinds = page.locator("article .meta").all_inner_texts()
    assert sorted(kinds) == ["Events", "Technology offers", "Trainings"]
    browsing.shot("5-listed")
    stored = {d["title"]: d for d in _stored(e2e, "grants", "funder_id", funder.funder_id)}
    training = stored["Digital security for community trainers"]
    assert training["details"]["kind"] == "training" and training["countries"] == ["KH"]
    assert training["deadline"] == "2027-01-31"
    assert stored["Mekong partners forum"]["details"]["attendance"] == "online"
    assert stored["Donated laptops for small NGOs"]["details"]["admin_fee"] == 25


def test_a_cso_adds_trainings_in_one_click_on_its_page_and_then_hears_of_one(browsing, e2e):
    funder = create_funder(e2e.ad, "Mekong Fund")
    auth = {"Authorization": f"Bearer {funder.api_key}"}
    grant = requests.post(f"{e2e.ingest_url}/grants", json=grant_body(), headers=auth, timeout=10)
    assert grant.status_code == 201, grant.text
    body = profile_body(email=CSO, language="en")
    assert requests.post(f"{e2e.ingest_url}/profiles", json=body, timeout=10).status_code == 201
    e2e.confirm(CSO)
    [alert] = e2e.wait_for_emails(lambda m: m["to"] == [CSO] and m["categories"] == ["alerts"])
    [url] = re.findall(r"https?://\S+/my\?token=\S+", alert["text"])

    page = browsing.page
    page.goto(url)
    browsing.shot("1-more-than-grants")
    page.get_by_role("button", name="Also tell me about: Trainings").click()
    assert "you will hear of these too" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Also tell me about: Trainings").count() == 0
    [stored] = _stored(e2e, "profiles", "email", CSO)
    assert stored["kinds"] == ["grant", "training"]

    training = requests.post(
        f"{e2e.ingest_url}/trainings", json=training_body(), headers=auth, timeout=10
    )
    assert training.status_code == 201, training.text
    [email] = e2e.wait_for_emails(lambda m: training_body()["title"] in m["subject"])
    assert email["to"] == [CSO]
    page.goto(url)
    card = page.locator("article", has_text=training_body()["title"])
    assert "Trainings" in card.inner_text() and "Register by" in card.inner_text()
    browsing.shot("2-training-on-the-page")
