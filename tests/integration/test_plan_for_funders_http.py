"""Funders see a project's plan where they see the project: the projects page and its JSON
listing, only for projects their visibility lets them see, and only once the plan is
complete (a draft stays the CSO's). Real emulators, the ingest app's routes."""

from __future__ import annotations

from html import unescape

from shared.domain.logframe import Logframe
from shared.services.funders import create_funder
from shared.services.plan_example import example_plan
from tests.builders import NOW
from tests.integration.records import stored_project

HTTPS = "https://localhost"  # the session cookie is Secure where the site is https
HTML = {"Accept": "text/html"}
ACTIVITY = "Run a 5-day training of trainers"


def _planned(ad, plan: Logframe, **fields) -> str:
    pid = stored_project(ad, amount_needed=20000, currency="USD", **fields)
    assert ad.plans.save_plan(pid, plan, NOW) == 1
    return pid


def _page(client) -> str:
    response = client.get("/projects?lang=en", headers=HTML, base_url=HTTPS)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_a_signed_in_funder_sees_a_complete_plan_on_the_projects_page(ad, ingest_app):
    pid = _planned(ad, example_plan("en", 20000), visibility="funders")
    funder = create_funder(ad, "Plan Foundation")
    client = ingest_app.test_client()
    anonymous = _page(client)
    assert pid not in anonymous and ACTIVITY not in anonymous  # funders only
    signed_in = client.post("/forms/sign-in", data={"api_key": funder.api_key}, base_url=HTTPS)
    assert signed_in.status_code == 303
    page = _page(client)
    card = page[page.index(f'id="project-{pid}"') :]
    assert "The project's plan" in card and ACTIVITY in card and "Months 1 to 2" in card
    assert "Version 1" in card  # which version the funder read
    listing = client.get("/projects", headers={"Authorization": f"Bearer {funder.api_key}"})
    [item] = listing.json["projects"]
    assert item["plan_revision"] == 1
    assert item["plan"]["outputs"][0]["activities"][1]["text"] == ACTIVITY


def test_a_public_project_s_plan_is_seen_by_anyone(ad, ingest_app):
    _planned(ad, example_plan("en", 20000), visibility="public")
    assert ACTIVITY in _page(ingest_app.test_client())


def test_a_draft_plan_stays_the_cso_s(ad, ingest_app):
    draft = example_plan("en", 20000).model_copy(update={"outputs": []})
    pid = _planned(ad, draft, visibility="public")
    client = ingest_app.test_client()
    page = _page(client)
    assert pid in page and "The project's plan" not in page
    [item] = client.get("/projects").json["projects"]
    assert "plan" not in item
