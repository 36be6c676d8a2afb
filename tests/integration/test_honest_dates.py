"""Past dates are refused at the edge with a message that says so (issue 14): a grant's
deadline and a project's "needed by", through the JSON API and the web form. A stored
grant whose deadline passed later still loads."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from shared.domain.models import Grant
from shared.matching.screening import deadline_today
from shared.services.funders import create_funder
from tests.builders import grant_body, project_body
from tests.integration.pipeline import new_grant
from tests.integration.test_web_forms import _project_form, _projects
from tests.real_adapters import client_of, later


@pytest.fixture
def client(ingest_app):
    return ingest_app.test_client()


def _today(ad):
    return deadline_today(ad.clock.now())


def test_a_grant_with_a_past_deadline_is_refused_and_says_why(client, ad):
    key = create_funder(ad, "Dates Foundation").api_key
    yesterday = (_today(ad) - timedelta(days=1)).isoformat()
    headers = {"Authorization": f"Bearer {key}"}
    response = client.post("/grants", json=grant_body(deadline=yesterday), headers=headers)
    assert response.status_code == 422
    [problem] = response.json["error"]["fields"]
    assert problem["field"] == "deadline"
    assert problem["message"] == f"this date has passed: give {_today(ad)} or a later date"
    assert list(client_of(ad).collection("grants").stream()) == []
    today = client.post("/grants", json=grant_body(deadline=str(_today(ad))), headers=headers)
    assert today.status_code == 201  # the deadline day itself is still open


def test_a_project_needed_by_a_past_date_is_refused_by_the_api(client, ad):
    response = client.post("/projects", json=project_body(needed_by="2020-06-30"))
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == "needed_by"
    assert _projects(ad) == []


def test_the_project_form_refuses_a_past_needed_by_date_next_to_the_field(client, ad):
    form = _project_form(client, needed_by="2020-06-30")
    html = unescape(client.post("/forms/project", data=MultiDict(form)).get_data(as_text=True))
    assert 'id="project-needed_by-error"' in html
    assert f"This date has passed. Enter {_today(ad)} or a later date." in html
    assert _projects(ad) == []
    thai = client.post(
        "/forms/project?lang=th", data=MultiDict(_project_form(client, needed_by="2020-06-30"))
    )
    assert "This date has passed" not in thai.get_data(as_text=True)  # said in Thai


def test_a_stored_grant_whose_deadline_has_passed_still_loads(ad):
    gid = new_grant(ad, title="Closing soon", deadline=str(_today(ad) + timedelta(days=1)))
    assert later(ad, timedelta(days=30)).grants.get(gid).title == "Closing soon"
    stored = client_of(ad).collection("grants").document(gid).get().to_dict()
    assert Grant.model_validate({**stored, "deadline": "2020-01-01"}).deadline.year == 2020
