"""The web form through the real Flask app and Firestore: plain form posts parsed into the
JSON API's models, errors next to their fields with the values kept, one record per form
token, bots dropped by the honeypot, and pages that load nothing from elsewhere."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from shared.domain.models import ProjectSubmission
from shared.domain.taxonomy import Sector
from tests.builders import project_body
from tests.real_adapters import client_of


@pytest.fixture
def client(ingest_app):
    return ingest_app.test_client()


def _token(html: str) -> str:
    [token] = set(re.findall(r'name="form_token" value="([^"]+)"', html))
    return token


def _project_form(client, **overrides) -> list[tuple[str, str]]:
    """What a person filling the project form posts (sectors: one field per box)."""
    body = project_body(**overrides)
    body.pop("external_id")
    fields = [("form_token", _token(client.get("/").get_data(as_text=True))), ("website", "")]
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            fields.append((name, "" if item is None else str(item)))
    return fields


def _projects(ad) -> list[dict]:
    return [snap.to_dict() for snap in client_of(ad).collection("projects").stream()]


def test_the_form_offers_the_taxonomy_mekong_first_and_explains_the_choices(client):
    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    for sector in Sector:
        assert f'name="sectors" value="{sector.value}"' in html
    country_options = re.findall(r'<option value="([A-Z]{2})"', html)
    assert country_options[:5] == ["KH", "LA", "MM", "TH", "VN"]  # the project's picker
    assert len(set(country_options)) == 249  # and every other ISO country
    assert "fiscal sponsor" in html
    assert "Only funders who have a Grant Match account can see the project" in html
    assert "we email the address above once, to check that it is yours" in html
    for tag in ("<script", "<link", "<img", "@import", "url("):
        assert tag not in html  # nothing is loaded from anywhere
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_every_field_has_a_label_and_every_group_a_legend(client):
    html = client.get("/").get_data(as_text=True)
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and set(ids) <= labelled
    assert html.count("<fieldset") == html.count("<legend>") >= 6


def test_language_comes_from_the_parameter_then_the_browser(client):
    khmer = client.get("/?lang=km").get_data(as_text=True)
    assert '<html lang="km">' in khmer
    assert "Find grants, and funders for your projects" not in khmer  # translated
    assert 'value="km" selected' in khmer  # emails in the page's language by default
    vietnamese = client.get("/", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert '<html lang="vi">' in vietnamese.get_data(as_text=True)
    french = client.get("/?lang=xx", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in french.get_data(as_text=True)


def test_a_project_form_is_stored_exactly_as_the_json_api_would(client, ad, bus):
    response = client.post("/forms/project?lang=lo", data=MultiDict(_project_form(client)))
    assert response.status_code == 303
    assert response.headers["Location"] == "/forms/sent?kind=project&lang=lo"
    [stored] = _projects(ad)
    expected = ProjectSubmission(**{**project_body(), "external_id": None})
    assert {k: stored[k] for k in expected.model_dump(mode="json")} == expected.model_dump(
        mode="json"
    )
    assert stored["confirmed"] is False
    [event] = bus.events("project-submitted")
    assert event.payload == {"project_id": stored["id"]}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="lo">' in page


def test_an_alert_form_with_mekong_boxes_another_country_and_comma_keywords(client, ad):
    token = _token(client.get("/").get_data(as_text=True))
    form = [
        ("form_token", token),
        ("email", "alerts@delta.example.org"),
        ("org_name", "Delta Rights Network"),
        ("countries", "KH"),
        ("countries", "LA"),
        ("countries", "PH"),  # the "another country" picker
        ("applicant_type", "unregistered_group"),
        ("keywords", "community radio, digital security"),
        ("exclude_keywords", ""),
        ("amount_min", ""),
        ("currency", ""),
        ("language", "km"),
        ("frequency", "weekly"),
    ]
    assert client.post("/forms/profile", data=MultiDict(form)).status_code == 303
    [stored] = [s.to_dict() for s in client_of(ad).collection("profiles").stream()]
    assert stored["countries"] == ["KH", "LA", "PH"]
    assert stored["keywords"] == ["community radio", "digital security"]
    assert stored["sectors"] == [] and stored["amount_min"] is None
    assert stored["frequency"] == "weekly" and stored["language"] == "km"


def test_errors_are_shown_next_to_their_fields_with_what_was_typed(client, ad):
    form = _project_form(
        client, contact_email="not-an-address", title="", amount_needed="lots", currency=""
    )
    form = [(k, v) for k, v in form if k != "applicant_type"]
    response = client.post("/forms/project", data=MultiDict(form))
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "<title>Error:" in html
    summary = html[html.index('class="error-summary"') :]
    for field in ("contact_email", "title", "applicant_type", "amount_needed"):
        assert f'href="#project-{field}"' in summary
    assert 'id="project-contact_email-error"' in html
    assert re.search(r'id="project-contact_email"[^>]*aria-invalid="true"', html)
    assert "Enter an email address, for example name@example.org." in html
    assert "Choose one of the options." in html
    assert 'value="not-an-address"' in html and 'value="lots"' in html
    assert 'value="Mekong Youth Media"' in html  # valid fields are kept too
    assert 'value="digital-security" checked' in html
    assert _projects(ad) == []


def test_an_amount_without_currency_is_reported_on_the_currency(client):
    html = client.post(
        "/forms/project", data=MultiDict(_project_form(client, currency=""))
    ).get_data(as_text=True)
    assert 'id="project-currency-error"' in html
    assert "Choose the currency of the amount." in html


def test_the_form_works_in_every_language_with_translated_errors(client):
    form = _project_form(client, contact_email="x")
    html = client.post("/forms/project?lang=th", data=MultiDict(form)).get_data(as_text=True)
    assert '<html lang="th">' in html
    assert "Enter an email address" not in html  # the Thai message instead


def test_a_double_submit_stores_one_project(client, ad, bus):
    form = _project_form(client)
    first = client.post("/forms/project", data=MultiDict(form))
    second = client.post("/forms/project", data=MultiDict(form))
    assert first.status_code == second.status_code == 303
    assert len(_projects(ad)) == 1
    assert len(bus.events("project-submitted")) == 1


def test_reusing_a_token_for_other_values_asks_before_storing_again(client, ad):
    form = _project_form(client)
    client.post("/forms/project", data=MultiDict(form))
    changed = [(k, "Another title" if k == "title" else v) for k, v in form]
    response = client.post("/forms/project", data=MultiDict(changed))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "You already sent this form with other values" in html
    assert _token(html) != dict(form)["form_token"]
    again = client.post("/forms/project", data=MultiDict(_replace_token(changed, html)))
    assert again.status_code == 303
    assert len(_projects(ad)) == 2


def _replace_token(form: list[tuple[str, str]], html: str) -> list[tuple[str, str]]:
    return [(k, _token(html) if k == "form_token" else v) for k, v in form]


def test_a_form_without_a_valid_token_is_not_stored_and_comes_back_filled(client, ad):
    form = [(k, "forged" if k == "form_token" else v) for k, v in _project_form(client)]
    response = client.post("/forms/project", data=MultiDict(form))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form was open for a long time" in html
    assert 'value="Safer phones for community reporters"' in html
    assert _token(html) != "forged"
    assert _projects(ad) == []


def test_a_bot_filling_the_honeypot_is_answered_as_usual_and_nothing_is_kept(client, ad, bus):
    form = [(k, "https://spam.example" if k == "website" else v) for k, v in _project_form(client)]
    response = client.post("/forms/project?lang=en", data=MultiDict(form))
    assert response.status_code == 303
    assert response.headers["Location"] == "/forms/sent?kind=project&lang=en"
    assert _projects(ad) == []
    assert bus.events("project-submitted") == []


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    html = client.get("/").get_data(as_text=True)
    [wrapper] = set(re.findall(r'<div class="hp" aria-hidden="true">', html))
    assert wrapper
    assert re.search(r'name="website" value="" tabindex="-1" autocomplete="off"', html)


def test_a_new_project_is_shown_to_funders_only_unless_the_cso_chooses_otherwise(client, ad):
    html = client.get("/?lang=en").get_data(as_text=True)
    checked = re.findall(r'name="visibility" value="(\w+)"[^>]*checked', html)
    assert checked == ["funders"]
    form = [(k, v) for k, v in _project_form(client) if k != "visibility"]
    client.post("/forms/project", data=MultiDict(form))
    [stored] = _projects(ad)
    assert stored["visibility"] == "funders"
