"""The plan builder over HTTP, behind the CSO's own signed link: one step per level, each
post saved (problems and all) and shown again with each problem beside its field in the
reader's language, the worked example, and the funder's view of the plan. Real emulators,
the ingest app's routes."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from shared.domain.recipients import RecipientKind
from shared.email.i18n import LANGUAGES
from shared.email.links import Purpose
from tests.integration.pipeline import confirm, link, new_profile, new_project

PROJECT = RecipientKind.PROJECT


def _form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def _project(ad, **fields):
    pid = new_project(ad, **fields)
    confirm(ad, PROJECT, pid)
    return pid, link(ad, Purpose.MY_MATCHES, PROJECT, pid)


def _url(path: str, token: str, lang: str = "en") -> str:
    return f"{path}?token={quote(token)}&lang={lang}"


def _post(client, path, token, data, lang="en"):
    page = client.get(_url(path, token, lang))
    assert page.status_code == 200, page.text
    return client.post(_url(path, token, lang), data={"form_token": _form_token(page.text), **data})


GOAL = {
    "goal.statement": "Communities in the Mekong region are safer online",
    "goal.indicators.0.text": "Groups that use safer ways to communicate",
    "goal.indicators.0.baseline": "0",
    "goal.indicators.0.target": "15",
    "goal.verification": "A follow-up survey",
    "goal.assumptions": "The internet stays on",
}


def test_the_builder_is_reached_from_the_project_s_own_page(ad, ingest_app):
    _pid, token = _project(ad)
    page = ingest_app.test_client().get(_url("/my", token))
    assert f'href="/my/plan?token={quote(token, safe="")}&amp;lang=en"' in page.text


def test_a_valid_step_is_saved_and_leads_to_the_next(ad, ingest_app):
    pid, token = _project(ad)
    answer = _post(ingest_app.test_client(), "/my/plan/goal", token, GOAL)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/my/plan/purpose?")
    stored = ad.subscribers.get_project(pid)
    assert stored is not None and stored.plan_revision == 1
    assert stored.plan is not None and stored.plan.goal.statement == GOAL["goal.statement"]


def test_a_step_with_errors_is_saved_and_shown_again_with_what_was_typed(ad, ingest_app):
    pid, token = _project(ad)
    typed = {**GOAL, "goal.indicators.0.target": "many", "goal.indicators.0.baseline": ""}
    answer = _post(ingest_app.test_client(), "/my/plan/goal", token, typed)
    assert answer.status_code == 422
    assert 'value="many"' in answer.text
    error = re.search(r'id="plan-goal\.indicators\.0\.target-error">(.*?)</p>', answer.text, re.S)
    assert error and "not a number or a date" in error.group(1)
    stored = ad.subscribers.get_project(pid)
    assert stored is not None and stored.plan is not None
    assert stored.plan.goal.indicators[0].target == "many"


def test_a_month_that_is_not_a_number_is_kept_as_typed_and_the_rest_saved(ad, ingest_app):
    pid, token = _project(ad, amount_needed=8000, currency="USD")
    typed = {
        "duration_months": "12",
        "outputs.0.statement": "20 trainers trained",
        "outputs.0.activities.0.text": "Run a training of trainers",
        "outputs.0.activities.0.start_month": "soon",
        "outputs.0.activities.0.end_month": "3",
        "outputs.0.budget": "8,000",
    }
    answer = _post(ingest_app.test_client(), "/my/plan/outputs", token, typed)
    assert answer.status_code == 422
    assert 'value="soon"' in answer.text
    assert 'id="plan-outputs.0.activities.0.start_month-error"' in answer.text
    assert 'id="plan-outputs.0.activities.0.months-error"' not in answer.text  # said once
    stored = ad.subscribers.get_project(pid)
    assert stored is not None and stored.plan is not None
    [output] = stored.plan.outputs
    assert output.activities[0].text == "Run a training of trainers"
    assert output.activities[0].end_month == 3 and output.budget == 8000


def test_a_problem_is_shown_beside_its_field_in_the_reader_s_language(ad, ingest_app):
    _pid, token = _project(ad)
    english = _post(ingest_app.test_client(), "/my/plan/purpose", token, {}, lang="en")
    khmer = _post(ingest_app.test_client(), "/my/plan/purpose", token, {}, lang="km")
    assert english.status_code == khmer.status_code == 422
    pattern = r'id="plan-purpose\.statement-error">.*?</span>(.*?)</p>'
    in_english = re.search(pattern, english.text, re.S)
    in_khmer = re.search(pattern, khmer.text, re.S)
    assert in_english and in_khmer
    assert re.search("[\u1780-\u17ff]", in_khmer.group(1))  # Khmer script


def test_a_stale_form_saves_nothing_and_keeps_what_was_typed(ad, ingest_app):
    pid, token = _project(ad)
    answer = ingest_app.test_client().post(
        _url("/my/plan/goal", token), data={**GOAL, "form_token": "forged"}
    )
    assert answer.status_code == 400
    assert GOAL["goal.statement"] in answer.text
    stored = ad.subscribers.get_project(pid)
    assert stored is not None and stored.plan_revision == 0


def test_the_worked_example_loads_into_an_empty_draft_and_is_a_complete_plan(ad, ingest_app):
    pid, token = _project(ad, amount_needed=25000, currency="USD")
    client = ingest_app.test_client()
    shown = client.get(_url("/my/plan/example", token))
    assert shown.status_code == 200 and "training of trainers" in shown.text
    loaded = _post(client, "/my/plan/example", token, {})
    assert loaded.status_code == 303
    stored = ad.subscribers.get_project(pid)
    assert stored is not None and stored.plan is not None and stored.plan_revision == 1
    review = client.get(_url("/my/plan", token))
    assert "Your plan is complete" in review.text and "Version 1" in review.text
    assert "Start my plan from this example" not in client.get(_url("/my/plan/example", token)).text
    form_token = _form_token(client.get(_url("/my/plan/goal", token)).text)
    again = client.post(_url("/my/plan/example", token), data={"form_token": form_token})
    assert again.status_code == 409  # a draft is never replaced
    assert ad.subscribers.get_project(pid).plan_revision == 1


def test_an_alert_profile_has_no_plan(ad, ingest_app):
    pid = new_profile(ad)
    confirm(ad, RecipientKind.PROFILE, pid)
    token = link(ad, Purpose.MY_MATCHES, RecipientKind.PROFILE, pid)
    assert ingest_app.test_client().get(_url("/my/plan", token)).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_is_a_page_in_every_language(ad, ingest_app, language):
    _pid, token = _project(ad)
    client = ingest_app.test_client()
    for path in ("/my/plan", "/my/plan/goal", "/my/plan/purpose", "/my/plan/outputs"):
        page = client.get(_url(path, token, language))
        assert page.status_code == 200 and f'lang="{language}"' in page.text, path


def test_the_plan_downloads_as_a_pdf_and_a_docx_in_the_page_s_language(ad, ingest_app):
    _pid, token = _project(ad, amount_needed=25000, currency="USD")
    client = ingest_app.test_client()
    assert _post(client, "/my/plan/example", token, {}).status_code == 303
    review = client.get(_url("/my/plan", token, "km")).text
    assert f'href="/my/plan/export.pdf?token={quote(token, safe="")}&amp;lang=km"' in review
    pdf = client.get(_url("/my/plan/export.pdf", token, "km"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="plan-km.pdf"'
    assert "no-store" in pdf.headers["Cache-Control"]
    docx = client.get(_url("/my/plan/export.docx", token))
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    assert docx.headers["Content-Type"].endswith("wordprocessingml.document")


def test_only_the_project_s_own_link_downloads_its_plan(ad, ingest_app):
    client = ingest_app.test_client()
    assert client.get("/my/plan/export.pdf?token=forged&lang=en").status_code == 400
    pid = new_profile(ad)
    confirm(ad, RecipientKind.PROFILE, pid)
    token = link(ad, Purpose.MY_MATCHES, RecipientKind.PROFILE, pid)
    assert client.get(_url("/my/plan/export.pdf", token)).status_code == 404
