"""A training provider on the funders' pages, through the real app and Firestore: its
training is listed with the projects it fits, as a funder's grant is, and no project's
address shows (the CSO did not share it)."""

from __future__ import annotations

from html import unescape

from shared.domain.models import Match
from shared.domain.taxonomy import TargetKind
from shared.services.funders import create_funder
from tests.builders import project_body
from tests.integration.records import stored_project
from tests.opportunity_builders import training_body

HTTPS = "https://localhost"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_a_provider_sees_the_projects_its_training_fits_without_addresses(ingest_app, ad):
    client = ingest_app.test_client()
    provider = create_funder(ad, "Trainers Ltd", email="courses@trainers.example.org")
    stored_project(ad, country="KH", visibility="funders", title="Safer phones in Siem Reap")
    auth = {"Authorization": f"Bearer {provider.api_key}"}
    training = client.post("/trainings", json=training_body(), headers=auth)
    assert training.status_code == 201
    for profile_id in ("a_km", "a_la"):  # two CSOs' alert profiles it fits
        match = Match(
            id=f"m_{profile_id}",
            grant_id=training.json["id"],
            target_kind=TargetKind.PROFILE,
            target_id=profile_id,
            score=0.7,
            reasons=["sector: digital-security"],
        )
        ad.matches.save(match, ad.clock.now())
    signed = client.post(
        "/forms/sign-in?lang=en",
        data={"api_key": provider.api_key, "back": "grants"},
        base_url=HTTPS,
    )
    assert signed.status_code == 303
    page = client.get("/funder/grants?lang=en", headers=HTML, base_url=HTTPS)
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert training_body()["title"] in html
    assert "Safer phones in Siem Reap" in html
    assert project_body()["contact_email"] not in html
    assert "It fits 2 alert profiles" in html  # a number: who keeps them stays private
    assert "a_km" not in html and "a_la" not in html
    fits = client.get(f"/grants/{training.json['id']}/projects", headers=auth)
    assert fits.status_code == 200
    assert [p["title"] for p in fits.json["projects"]] == ["Safer phones in Siem Reap"]
    assert "contact_email" not in fits.json["projects"][0]
