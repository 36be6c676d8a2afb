"""The web form and the projects page in a real browser (Debian's Chromium, driven by
Playwright), against the whole stack: ingest, match, notify and the relay as processes.

Screenshots of every step are saved under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.services.funders import create_funder
from tests.builders import project_body
from tests.real_adapters import client_of

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CSO = "team@laomedia.example.org"
FUNDER = "grants@mekongfund.example.org"


def _stored(e2e, collection: str, field: str, value: str) -> list[dict[str, Any]]:
    query = client_of(e2e.ad).collection(collection).where(filter=FieldFilter(field, "==", value))
    return [snap.to_dict() for snap in query.stream()]


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def _focus_is_visible(page) -> bool:
    """The focused element draws a focus indicator (outline or ring), as CSS asks."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
                || style.boxShadow !== 'none';
        }"""
    )


def test_project_form_shows_errors_keeps_values_then_confirms(browsing, e2e):
    page = browsing.page
    page.goto(f"{e2e.ingest_url}/?lang=en")
    form = page.locator("#project")
    form.get_by_label("Name of your organisation or group").fill("Lao Community Radio")
    form.get_by_label("Email address").fill("not an address")
    form.get_by_label("Project title").fill("Safer phones for community reporters")
    form.get_by_label("Short summary").fill("Training for 40 reporters.")
    form.get_by_label("Digital security").check()
    form.get_by_label("Country where the project takes place").select_option("LA")
    form.get_by_label("Amount needed").fill("25000")
    form.get_by_label("Public").check()
    form.get_by_role("button", name="Send the project").click()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    # Focus starts on the summary, so keyboard and screen-reader users land on it.
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.title().startswith("Error:")
    assert "Enter an email address" in summary.inner_text()
    assert "Choose one of the options." in summary.inner_text()  # applicant type
    assert form.get_by_label("Email address").input_value() == "not an address"
    assert (
        form.get_by_label("Project title").input_value() == "Safer phones for community reporters"
    )
    assert form.get_by_label("Digital security").is_checked()
    assert form.get_by_label("Public").is_checked()
    browsing.shot("1-errors")

    summary.get_by_role("link", name=re.compile("^Email address")).click()
    assert _focused_id(page) == "project-contact_email"  # the summary leads to the field
    page.keyboard.press("Control+A")
    page.keyboard.type(CSO)
    form.get_by_label("Unregistered group").check()
    form.get_by_role("button", name="Send the project").click()

    # Rules across fields (an amount needs its currency) are checked once each field is
    # valid: the model's own validator, as for the JSON API.
    assert "Choose the currency of the amount." in page.locator(".error-summary").inner_text()
    assert form.get_by_label("Email address").input_value() == CSO
    browsing.shot("2-currency")
    form.get_by_label("Currency").select_option("USD")
    form.get_by_role("button", name="Send the project").click()

    page.wait_for_url("**/forms/sent?kind=project&lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Check your email to confirm your project"
    )
    browsing.shot("3-sent")
    [stored] = _stored(e2e, "projects", "contact_email", CSO)
    assert stored["title"] == "Safer phones for community reporters"
    assert stored["country"] == "LA" and stored["sectors"] == ["digital-security"]
    assert stored["applicant_type"] == "unregistered_group" and stored["visibility"] == "public"
    assert stored["amount_needed"] == 25000 and stored["currency"] == "USD"
    [email] = e2e.wait_for_emails(lambda m: m["to"] == [CSO])
    assert email["categories"] == ["confirmation"]


def test_alert_form_in_khmer_from_the_language_switcher(browsing, e2e):
    page = browsing.page
    page.goto(f"{e2e.ingest_url}/")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="ភាសាខ្មែរ").click()
    assert page.locator("html").get_attribute("lang") == "km"
    form = page.locator("#alerts")
    form.locator("#alerts-email").fill("alerts@delta.example.org")
    form.locator("#alerts-org_name").fill("បណ្តាញសិទ្ធិដីសណ្ត")
    form.locator("#alerts-countries").check()  # Cambodia, first of the Mekong boxes
    form.locator("#alerts-countries-other").select_option("PH")
    form.locator("#alerts-applicant_type-unregistered_group").check()
    form.locator("#alerts-keywords").fill("វិទ្យុសហគមន៍, digital security")
    browsing.shot("1-filled")
    form.locator("button[type=submit]").click()

    page.wait_for_url("**/forms/sent?kind=profile&lang=km")
    assert page.locator("html").get_attribute("lang") == "km"
    browsing.shot("2-sent")
    [stored] = _stored(e2e, "profiles", "email", "alerts@delta.example.org")
    assert stored["countries"] == ["KH", "PH"] and stored["language"] == "km"
    assert stored["keywords"] == ["វិទ្យុសហគមន៍", "digital security"]
    [email] = e2e.wait_for_emails(lambda m: m["to"] == ["alerts@delta.example.org"])
    assert email["categories"] == ["confirmation"]
    assert "Please confirm" not in email["subject"]  # written in Khmer


def _tab_to(page, target: str, seen: list[str], limit: int = 400) -> None:
    """Press Tab until `target` has the focus, checking every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused_id(page) or page.evaluate("document.activeElement.tagName")
        seen.append(focused)
        assert _focus_is_visible(page), f"no visible focus on {focused}"
        if focused == target:
            return
    raise AssertionError(f"{target} cannot be reached with Tab; reached {seen[-10:]}")


def test_alert_form_with_the_keyboard_only(browsing, e2e):
    page = browsing.page
    page.goto(f"{e2e.ingest_url}/?lang=en")
    seen: list[str] = []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the main content"
    assert page.locator(".skip").bounding_box()["x"] >= 0  # shown when focused

    _tab_to(page, "alerts-email", seen)
    page.keyboard.type("keys@cso.example.org")
    _tab_to(page, "alerts-org_name", seen)
    page.keyboard.type("Keyboard Collective")
    _tab_to(page, "alerts-countries-LA", seen)
    page.keyboard.press("Space")
    _tab_to(page, "alerts-sectors", seen)  # the first sector box
    page.keyboard.press("Space")
    _tab_to(page, "alerts-applicant_type", seen)  # into the radio group
    page.keyboard.press("ArrowDown")  # radio buttons move with the arrows
    _tab_to(page, "alerts-keywords", seen)
    page.keyboard.type("privacy, radio")
    browsing.shot("1-filled-by-keyboard")
    page.keyboard.press("Enter")  # submits the form from a text field

    page.wait_for_url("**/forms/sent?kind=profile&lang=en")
    assert all("website" not in stop for stop in seen)  # the honeypot is never reached
    [stored] = _stored(e2e, "profiles", "email", "keys@cso.example.org")
    assert stored["countries"] == ["LA"] and stored["sectors"] == ["digital-security"]
    assert stored["applicant_type"] == "unregistered_group"
    assert stored["keywords"] == ["privacy", "radio"]


def _confirmed_project(e2e, address: str, **overrides: Any) -> str:
    body = project_body(contact_email=address, language="en", **overrides)
    body.pop("external_id")
    response = requests.post(f"{e2e.ingest_url}/projects", json=body, timeout=10)
    assert response.status_code == 201, response.text
    e2e.confirm(address)
    return response.json()["id"]


def test_projects_page_filters_and_a_funders_interest_end_to_end(browsing, e2e):
    lao = _confirmed_project(e2e, CSO, amount_needed=25000, currency="USD")
    _confirmed_project(
        e2e,
        "clinic@kh.example.org",
        country="KH",
        sectors=["health"],
        title="Mobile clinic for fishing villages",
    )
    _confirmed_project(
        e2e,
        "quiet@mm.example.org",
        country="MM",
        visibility="funders",
        title="Shown to funders only",
    )
    funder = create_funder(e2e.ad, "Mekong Fund", email=FUNDER, language="en")
    page = browsing.page

    page.goto(f"{e2e.ingest_url}/projects?lang=en")
    titles = page.locator("article h2").all_inner_texts()
    assert sorted(titles) == [
        "Mobile clinic for fishing villages",
        "Safer phones for community reporters",
    ]
    page.get_by_label("Country").select_option("LA")
    page.get_by_role("button", name="Show projects").click()
    assert page.locator("article h2").all_inner_texts() == ["Safer phones for community reporters"]
    browsing.shot("1-filtered")

    page.get_by_text("Funders: sign in").click()
    page.get_by_label("Your Grant Match API key").fill(funder.api_key)
    page.get_by_role("button", name="Sign in").click()
    assert "Signed in as Mekong Fund" in page.inner_text("main")
    assert "Shown to funders only" in page.inner_text("main")
    assert "@" not in page.inner_text("main")  # no contact address on the page
    assert funder.api_key not in page.content()
    browsing.shot("2-signed-in")

    page.locator(f"#project-{lao}").get_by_role("link", name=re.compile("Tell them")).click()
    page.get_by_label("A note to the organisation").fill("We fund safety training.\nShall we talk?")
    page.get_by_label("Your pledge (USD)").fill("5000")
    browsing.shot("3-interest")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/forms/sent?kind=interest&lang=en")
    browsing.shot("4-interest-sent")

    [told] = e2e.wait_for_emails(lambda m: m["to"] == [CSO] and m["categories"] == ["interest"])
    assert "Mekong Fund" in told["subject"] and "$5,000" in told["text"]
    time.sleep(1)  # the funder gets nothing before the CSO agrees
    assert [m for m in e2e.wait_for_emails(lambda m: True) if m["to"] == [FUNDER]] == []

    [share] = re.findall(r"https?://\S+/share-contact\?token=\S+", told["text"])
    cso = browsing.new_person()  # the CSO opens the link in its own browser
    cso.goto(share)
    assert "Mekong Fund is interested in your project" in cso.inner_text("main")
    cso.get_by_label("Your reply").fill("Yes, please write to us.")
    browsing.shot("5-cso-asked", cso)
    cso.get_by_role("button", name="Share my email address with this funder").click()
    assert "Done." in cso.inner_text("main")
    browsing.shot("6-cso-shared", cso)

    [introduction] = e2e.wait_for_emails(lambda m: m["to"] == [FUNDER])
    assert CSO in introduction["text"] and "Yes, please write to us." in introduction["text"]

    page.goto(f"{e2e.ingest_url}/projects?lang=en&country=LA")
    card = page.locator(f"#project-{lao}")
    assert "Pledged by funders: $5,000 of $25,000 (20%)" in card.inner_text()
    assert card.locator("progress").get_attribute("value") == "20"
    assert "You told them you are interested on" in card.inner_text()
    browsing.shot("7-progress")


def test_the_mailbox_opens_an_emailed_link_in_a_new_tab_where_it_works(browsing, e2e):
    """The site refuses to be framed (X-Frame-Options: DENY), so a link followed inside
    the mailbox's preview frame showed nothing: it must open in a tab of its own."""
    address = "mailbox@cso.example.org"
    body = {
        "email": address, "org_name": "Mailbox Test Group", "countries": ["KH"],
        "applicant_type": "registered_ngo", "language": "en",
    }  # fmt: skip
    assert requests.post(f"{e2e.ingest_url}/profiles", json=body, timeout=10).status_code == 201
    e2e.wait_for_emails(lambda m: m["to"] == [address])
    page = browsing.page
    page.goto(f"{e2e.sink_url}/")
    page.get_by_role("link", name="Please confirm your grant alerts from Grant Match").click()
    frame = page.frame_locator("iframe[title='HTML part']")
    with browsing.context.expect_page() as opened:
        frame.get_by_role("link", name="Yes, send me grant alerts").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.startswith(f"{e2e.ingest_url}/confirm?token=")
    browsing.shot("1-link-in-its-own-tab", tab)
    tab.get_by_role("button", name="Confirm").click()
    tab.wait_for_load_state()
    browsing.shot("2-confirmed", tab)
    [stored] = _stored(e2e, "profiles", "email", address)
    assert stored["confirmed"] is True


def test_emailed_link_pages_are_site_pages_in_the_readers_language(browsing, e2e):
    """A project's confirmation link in Lao, then its unsubscribe link: each page has the
    site's header and language switcher, speaks of the project, and offers a next step."""
    body = project_body(contact_email=CSO, language="lo")
    assert requests.post(f"{e2e.ingest_url}/projects", json=body, timeout=10).status_code == 201
    [email] = e2e.wait_for_emails(lambda m: m["to"] == [CSO])
    [confirm] = re.findall(r"https?://\S+/confirm\?token=\S+", email["text"])
    page = browsing.page
    page.goto(confirm)
    assert page.locator("html").get_attribute("lang") == "lo"
    assert page.get_by_role("heading", level=1).inner_text() == "ຢືນຢັນໂຄງການຂອງທ່ານ"
    assert page.get_by_role("navigation", name="ພາສາ").is_visible()
    browsing.shot("1-confirm-project-lo")
    page.get_by_role("button").click()
    page.get_by_role("link", name="ໂຄງການທີ່ຕ້ອງການທຶນ").last.wait_for()
    browsing.shot("2-confirmed-lo")
    unsubscribe = email["headers"]["List-Unsubscribe"].strip("<>")
    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    page.goto(unsubscribe)
    page.get_by_role("navigation", name="ພາສາ").get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "token" not in page.url  # the switcher does not carry the token elsewhere
    page.goto(unsubscribe)  # the reader's language again: the link knows whose it is
    page.get_by_role("button").click()
    # "…no longer appear on the funders' page…", in Lao
    assert "ຈະບໍ່ສະແດງຢູ່ໃນໜ້າສຳລັບຜູ້ໃຫ້ທຶນ" in page.inner_text("main")
    browsing.shot("3-unsubscribed-phone")
