"""My Grant Match and the funders' pages in a real browser (Debian's Chromium, driven by
Playwright, JavaScript off), against the whole stack, in English and Khmer, at desktop
and phone width (390x844). Screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import requests

from shared.services.funders import create_funder
from tests.builders import grant_body, profile_body

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CSO = "alerts@delta.example.org"
PHONE = {"width": 390, "height": 844}


def _fits_the_width(page) -> bool:
    """Nothing wider than the window: no sideways scrolling on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _grant(e2e, key: str, **overrides) -> str:
    response = requests.post(
        f"{e2e.ingest_url}/grants",
        json=grant_body(**overrides),
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _my_link_from_alert(e2e) -> str:
    """A confirmed English profile in Cambodia, two matched grants, the alert's link."""
    funder = create_funder(e2e.ad, "Mekong Fund")
    soon = (date.today() + timedelta(days=9)).isoformat()
    _grant(e2e, funder.api_key, external_id="a", title="Radio for land defenders", deadline=soon)
    _grant(
        e2e,
        funder.api_key,
        external_id="b",
        title="Safe phones for reporters",
        currency="EUR",
        amount_min=2000,
        amount_max=15000,
    )
    body = profile_body(email=CSO, language="en", currency="USD")
    response = requests.post(f"{e2e.ingest_url}/profiles", json=body, timeout=10)
    assert response.status_code == 201, response.text
    e2e.confirm(CSO)
    [alert] = e2e.wait_for_emails(lambda m: m["to"] == [CSO] and m["categories"] == ["alerts"])
    [url] = re.findall(r"https?://\S+/my\?token=\S+", alert["text"])
    return url


def test_my_grant_match_from_an_email_in_english_and_khmer_and_on_a_phone(browsing, e2e):
    url = _my_link_from_alert(e2e)
    page = browsing.page
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "en"
    titles = page.locator("article h2").all_inner_texts()
    assert titles == ["Radio for land defenders", "Safe phones for reporters"]  # by deadline
    first = page.locator("article").first
    assert "closes in 9 days" in first.inner_text() and "Why it fits" in first.inner_text()
    second = page.locator("article").nth(1)
    assert "€2,000" in second.inner_text() and "about $" in second.inner_text()
    assert CSO not in page.content()
    browsing.shot("1-en")

    first.get_by_role("button", name="Save").click()
    assert "Saved." in page.locator(".notice").first.inner_text()
    page.get_by_label("Status").select_option("saved")
    page.get_by_role("button", name="Show matches").click()
    assert page.locator("article h2").all_inner_texts() == ["Radio for land defenders"]
    browsing.shot("2-saved-filter")

    page.get_by_label("Status").select_option("")
    page.get_by_label("Sort").select_option("fit")
    page.get_by_role("button", name="Show matches").click()
    page.locator("article").nth(1).get_by_role("button", name=re.compile("^Dismiss")).click()
    assert len(page.locator("article").all()) == 1

    page.get_by_role("button", name="Make a private calendar address").click()
    feed = page.locator("#calendar-url").input_value()
    assert feed.endswith(".ics")
    calendar = requests.get(feed, timeout=10)
    assert calendar.status_code == 200 and "BEGIN:VCALENDAR" in calendar.text
    browsing.shot("3-calendar")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="ភាសាខ្មែរ").click()
    assert page.locator("html").get_attribute("lang") == "km"
    assert "Grant Match របស់ខ្ញុំ" in page.locator("h1").inner_text()
    browsing.shot("4-km")

    page.set_viewport_size(PHONE)
    assert _fits_the_width(page)
    browsing.shot("5-km-phone")
    page.goto(url + "&lang=en")
    assert _fits_the_width(page)
    browsing.shot("6-en-phone")

    page.get_by_role("link", name="Change your grant alerts").click()
    page.get_by_label("Once a week, in one email").check()
    page.get_by_label("Words that describe your work").fill("land rights, radio")
    assert _fits_the_width(page)
    browsing.shot("7-profile-phone")
    page.get_by_role("button", name="Save the changes").click()
    assert "Your changes are saved." in page.locator(".notice").first.inner_text()

    page.get_by_role("link", name="Delete all my data from Grant Match").click()
    browsing.shot("8-delete-ask")
    page.get_by_role("button", name="Delete my data").click()
    assert "deleted" in page.locator("main").inner_text()
    browsing.shot("9-deleted")
    page.goto(url)
    assert "not valid" in page.locator("body").inner_text()


def test_the_link_box_in_khmer_and_english_on_a_phone(browsing, e2e):
    body = profile_body(email=CSO, language="km")
    assert requests.post(f"{e2e.ingest_url}/profiles", json=body, timeout=10).status_code == 201
    e2e.confirm(CSO)
    page = browsing.page
    page.set_viewport_size(PHONE)
    page.goto(f"{e2e.ingest_url}/?lang=km")
    page.get_by_role("link", name="Grant Match របស់ខ្ញុំ", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "km"
    page.locator("#my-email").fill(CSO)
    assert _fits_the_width(page)
    browsing.shot("1-km-phone")
    page.locator("form button[type=submit]").click()
    assert page.locator(".notice").is_visible()
    browsing.shot("2-km-sent")
    [email] = e2e.wait_for_emails(lambda m: m["to"] == [CSO] and m["categories"] == ["my_link"])
    # The asked-for link, and the one every email's footer carries.
    [url, _footer] = re.findall(r"https?://\S+/my\?token=\S+", email["text"])
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "km"  # the profile's language
    browsing.shot("3-km-page")
    page.get_by_role("link", name="ផ្លាស់ប្ដូរការជូនដំណឹងអំពីជំនួយរបស់អ្នក").click()
    assert page.locator("html").get_attribute("lang") == "km" and _fits_the_width(page)
    browsing.shot("3b-km-profile-phone")
    page.goto(f"{e2e.ingest_url}/my/link?lang=en")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Email me my link").click()
    assert "Enter an email address" in page.locator("main").inner_text()
    browsing.shot("4-en-error-phone")


def test_a_funder_signs_in_posts_edits_and_closes_a_grant(browsing, e2e):
    funder = create_funder(e2e.ad, "Mekong Fund")
    page = browsing.page
    page.goto(f"{e2e.ingest_url}/?lang=en")
    page.get_by_role("link", name="Funders: your grants").click()
    page.get_by_label("Your Grant Match API key").fill(funder.api_key)
    browsing.shot("1-sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert "Signed in as Mekong Fund." in page.locator("main").inner_text()
    assert funder.api_key not in page.content()

    page.get_by_role("link", name="Post a grant").click()
    page.get_by_label("Your reference for this grant").fill("web-1")
    page.get_by_label("Smallest amount").fill("lots")
    page.get_by_role("button", name="Save the grant").click()
    summary = page.locator(".error-summary").inner_text()
    assert "Please fill this in." in summary and "Enter a number" in summary
    browsing.shot("2-errors")
    page.get_by_label("Title", exact=True).fill("Community radio in Laos")
    page.locator("#grant-countries-LA").check()
    page.get_by_label("Registered NGO").check()
    page.get_by_label("Smallest amount").fill("5000")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_role("button", name="Save the grant").click()
    assert "The grant is saved." in page.locator("main").inner_text()
    assert page.locator("article h2").all_inner_texts() == ["Community radio in Laos"]
    browsing.shot("3-listed")

    page.get_by_role("link", name=re.compile("^Edit the grant")).click()
    page.get_by_label("Title", exact=True).fill("Community radio in Laos and Cambodia")
    page.get_by_role("button", name="Save the grant").click()
    assert page.locator("article h2").all_inner_texts() == ["Community radio in Laos and Cambodia"]

    page.get_by_role("navigation", name="Language").get_by_role("link", name="ភាសាខ្មែរ").click()
    assert page.locator("html").get_attribute("lang") == "km"
    browsing.shot("4-km")
    page.set_viewport_size(PHONE)
    assert _fits_the_width(page)
    browsing.shot("5-km-phone")
    page.goto(f"{e2e.ingest_url}/funder/grants/new?lang=km")
    assert _fits_the_width(page)
    browsing.shot("6-km-form-phone")

    page.goto(f"{e2e.ingest_url}/funder/grants?lang=en")
    page.get_by_role("button", name=re.compile("^Close the grant")).click()
    assert "The grant is closed" in page.locator("main").inner_text()
    assert page.locator("article").count() == 0
    browsing.shot("7-closed")
