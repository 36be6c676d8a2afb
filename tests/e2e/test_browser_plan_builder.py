"""The plan builder in a real browser (Debian's Chromium, Playwright, JavaScript off),
against the whole stack: a CSO goes from an empty builder to a complete plan in English
(a step sent with errors keeps what was typed) and in Khmer at phone width (from the
worked example); then a funder reads the plan on the projects page. Screenshots under
test-artifacts/screenshots/."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
import requests

from shared.services import my_matches, plans
from shared.services.funders import create_funder
from tests.builders import project_body
from tests.pdf_reading import assert_texts_in_pdf, plan_texts, save_pages

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def _fits_the_width(page) -> bool:
    """Nothing wider than the window: no sideways scrolling on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _field(page, path: str):
    return page.locator(f'[id="plan-{path}"]')


def _my_link(e2e, email: str, **fields) -> str:
    """A project submitted and confirmed; the link to its own page, from its email."""
    body = project_body(contact_email=email, amount_needed=20000, currency="USD", **fields)
    response = requests.post(f"{e2e.ingest_url}/projects", json=body, timeout=10)
    assert response.status_code == 201, response.text
    confirmation = e2e.confirm(email)
    [url] = re.findall(r"https?://\S+/my\?token=\S+", confirmation["text"])
    return url


def _download(page, link_name: str) -> bytes:
    """Follow a download link as a person would, and what arrived."""
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as arrived:
        return arrived.read()


def _plan_of(e2e, my_url: str):
    token = re.search(r"token=([^&\s]+)", my_url)
    assert token is not None
    recipient = my_matches.recipient_of(e2e.ad, unquote(token.group(1)))
    plan = plans.draft_of(e2e.ad, recipient).plan
    assert plan is not None
    return plan


def _fill_level(page, at: str, statement: str, indicator: str, target: str) -> None:
    _field(page, f"{at}.statement").fill(statement)
    _field(page, f"{at}.indicators.0.text").fill(indicator)
    _field(page, f"{at}.indicators.0.baseline").fill("0")
    _field(page, f"{at}.indicators.0.target").fill(target)
    _field(page, f"{at}.verification").fill("Attendance sheets")
    _field(page, f"{at}.assumptions").fill("Trainees can travel safely")


def test_a_cso_writes_a_plan_in_english_and_a_funder_reads_it(browsing, e2e):
    url = _my_link(e2e, "plan@mekong.example.org", language="en", visibility="funders")
    page = browsing.page
    page.goto(url)
    page.get_by_role("link", name="Write or change your project's plan").click()
    page.get_by_role("link", name="Start your plan").click()
    assert page.locator("h1").inner_text() == "Step 1 of 4: Goal"
    browsing.shot("1-en-goal-empty")

    goal = "Community groups in Laos, Myanmar and Cambodia protect themselves online"
    _fill_level(page, "goal", goal, "Groups that use safer ways to communicate", "lots")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".error-summary").inner_text()
    assert "Your draft is saved, but this step needs changes" in summary
    assert "“lots” is not a number or a date" in summary
    target = _field(page, "goal.indicators.0.target")
    assert target.input_value() == "lots"  # what was typed is kept
    assert _field(page, "goal.statement").input_value() == goal
    assert (
        "not a number or a date"
        in page.locator('[id="plan-goal.indicators.0.target-error"]').inner_text()
    )
    browsing.shot("2-en-goal-errors")

    target.fill("15")
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator("h1").inner_text() == "Step 2 of 4: Purpose"
    _fill_level(
        page, "purpose", "Trained trainers pass digital security on", "People trained", "200"
    )
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator("h1").inner_text() == "Step 3 of 4: Outputs and activities"
    _fill_level(page, "outputs.0", "20 community trainers are trained", "Trainers trained", "20")
    _field(page, "outputs.0.activities.0.text").fill("Run a 5-day training of trainers")
    _field(page, "outputs.0.activities.0.start_month").fill("2")
    _field(page, "outputs.0.activities.0.end_month").fill("3")
    _field(page, "outputs.0.budget").fill("20000")
    browsing.shot("3-en-outputs")
    page.get_by_role("button", name="Save and continue").click()
    assert "Your plan is complete." in page.locator(".notice").inner_text()
    assert "Months 2 to 3" in page.locator("main").inner_text()
    browsing.shot("4-en-review")

    pdf = _download(page, "Download your plan as a PDF")
    assert pdf.startswith(b"%PDF-")
    pages = save_pages(pdf, f"browser-{browsing.name}")  # test-artifacts/export/, to look at
    assert pages
    typed = [goal, "Trained trainers pass digital security on", "20 community trainers are trained"]
    assert_texts_in_pdf(pdf, [*typed, "Run a 5-day training of trainers"], "en")
    assert_texts_in_pdf(pdf, plan_texts(_plan_of(e2e, url)), "en")
    docx = _download(page, "Download your plan as a Word document (DOCX)")
    assert docx.startswith(b"PK")  # a zip: the outline python-docx reads back in its tests

    funder = create_funder(e2e.ad, "Mekong Fund")
    other = browsing.new_person()
    other.goto(f"{e2e.ingest_url}/projects?lang=en")
    assert "20 community trainers" not in other.content()  # funders only: not for the public
    other.goto(f"{e2e.ingest_url}/funder/grants?lang=en")
    other.get_by_label("Your Grant Match API key").fill(funder.api_key)
    other.get_by_role("button", name="Sign in").click()
    other.goto(f"{e2e.ingest_url}/projects?lang=en")
    card = other.locator("article.project").first
    card.get_by_text("The project's plan (logical framework)").click()  # <details>, no script
    assert "Run a 5-day training of trainers (Months 2 to 3)" in card.inner_text()
    browsing.shot("5-funder-sees-plan", other)


def test_a_cso_starts_from_the_example_in_khmer_on_a_phone(browsing, e2e):
    url = _my_link(e2e, "phenkar@mekong.example.org", language="km", visibility="public")
    page = browsing.page
    page.set_viewport_size(PHONE)
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "km"
    page.get_by_role("link", name="សរសេរ ឬផ្លាស់ប្តូរផែនការនៃគម្រោងរបស់អ្នក").click()
    assert _fits_the_width(page)
    browsing.shot("1-km-review-empty-phone")
    page.get_by_role("link", name="មើលឧទាហរណ៍ពេញលេញ: ការបណ្តុះបណ្តាលគ្រូបង្គោល").click()
    assert "រៀបចំវគ្គបណ្តុះបណ្តាលគ្រូបង្គោលរយៈពេល 5 ថ្ងៃ" in page.locator("main").inner_text()
    assert _fits_the_width(page)
    browsing.shot("2-km-example-phone")
    page.get_by_role("button", name="ចាប់ផ្តើមផែនការរបស់ខ្ញុំពីឧទាហរណ៍នេះ").click()
    assert _field(page, "goal.statement").input_value().startswith("ក្រុមសហគមន៍")
    assert _fits_the_width(page)
    browsing.shot("3-km-goal-phone")

    page.get_by_role("link", name="3. លទ្ធផល និងសកម្មភាព").click()
    month = _field(page, "outputs.0.activities.0.end_month")
    month.fill("ពីរ")  # "two", in words: not a month the form can read
    page.get_by_role("button", name="រក្សាទុក ហើយបន្ត").click()
    assert month.input_value() == "ពីរ"
    error = page.locator('[id="plan-outputs.0.activities.0.end_month-error"]').inner_text()
    assert "សរសេរខែជាចំនួនគត់ពី 1 ដល់ 60" in error
    assert _fits_the_width(page)
    browsing.shot("4-km-outputs-error-phone")
    # The full page is tall at phone width: also what the phone shows around the error.
    page.locator('[id="plan-outputs.0.activities.0.months"]').scroll_into_view_if_needed()
    page.screenshot(path=browsing.shots / f"{browsing.name}-4b-km-error-in-view-phone.png")
    month.fill("2")
    page.get_by_role("button", name="រក្សាទុក ហើយបន្ត").click()
    assert "ផែនការរបស់អ្នកបានបញ្ចប់" in page.locator(".notice").inner_text()
    assert _fits_the_width(page)
    browsing.shot("5-km-review-phone")
    pdf = _download(page, "ទាញយកផែនការរបស់អ្នកជា PDF")
    assert len(save_pages(pdf, f"browser-{browsing.name}")) >= 2
    assert_texts_in_pdf(pdf, plan_texts(_plan_of(e2e, url)), "km")

    page.goto(f"{e2e.ingest_url}/projects?lang=km")  # public: anyone sees the plan
    page.locator("article.project summary").first.click()
    assert "រៀបចំវគ្គបណ្តុះបណ្តាលគ្រូបង្គោលរយៈពេល 5 ថ្ងៃ" in page.locator("main").inner_text()
    assert _fits_the_width(page)
    browsing.shot("6-km-projects-plan-phone")
