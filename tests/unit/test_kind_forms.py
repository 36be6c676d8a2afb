"""The kinds on the web, with fakes of the ports: the CSO's alert form and its own page
offer them (grants chosen by default, the others one click away), and a signed-in funder
chooses a kind on the posting form and gets that kind's fields, all without JavaScript."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from shared.domain.opportunities import OpportunityKind, TrainingSubmission
from shared.domain.recipients import RecipientKind
from shared.email.links import LinkClaim, Purpose
from shared.services.delivery import link_signer
from shared.services.opportunities import submit_item
from shared.web.app import create_app
from tests.builders import profile_body
from tests.fakes import fake_adapters
from tests.opportunity_builders import training_body
from tests.unit.services.pipeline import confirmed_profile, pump

HTTPS = "https://localhost"
KINDS = [k.value for k in OpportunityKind]


@pytest.fixture
def ad():
    return fake_adapters()


@pytest.fixture
def client(ad):
    return create_app(ad.settings, lambda: ad).test_client()


def _html(response) -> str:
    return unescape(response.get_data(as_text=True))


def _checked(html: str, form_id: str, name: str) -> dict[str, bool]:
    boxes = re.findall(
        rf'<input type="checkbox" id="{form_id}-{name}[^"]*" name="{name}" '
        r'value="(\w+)"( checked)?',
        html,
    )
    return {value: bool(checked) for value, checked in boxes}


def _form_token(html: str) -> str:
    return sorted(set(re.findall(r'name="form_token" value="([^"]+)"', html)))[0]


def test_the_alert_form_offers_every_kind_with_grants_chosen(client):
    html = _html(client.get("/?lang=en"))
    assert _checked(html, "alerts", "kinds") == {
        "grant": True,
        "training": False,
        "event": False,
        "tech_offer": False,
    }


def test_the_alert_form_stores_the_kinds_ticked(client, ad):
    token = _form_token(_html(client.get("/?lang=en")))
    body = profile_body(kinds=["grant", "training", "tech_offer"], language="en")
    fields = [("form_token", token), ("website", "")]
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            fields.append((name, str(item)))
    response = client.post("/forms/profile?lang=en", data=MultiDict(fields))
    assert response.status_code == 303, _html(response)
    [profile] = _profiles(ad)
    assert profile.kinds == [
        OpportunityKind.GRANT,
        OpportunityKind.TRAINING,
        OpportunityKind.TECH_OFFER,
    ]


def _profiles(ad):
    return [stored.model for stored in ad.subscribers._m.profiles.values()]


def _my_token(ad, pid: str) -> str:
    return link_signer(ad).token(LinkClaim(Purpose.MY_MATCHES, RecipientKind.PROFILE, pid))


def test_the_cso_page_changes_the_kinds(client, ad):
    pid = confirmed_profile(ad, countries=["KH"])
    token = _my_token(ad, pid)
    page = _html(client.get(f"/my/profile?token={token}&lang=en"))
    assert _checked(page, "edit", "kinds")["grant"] is True
    assert _checked(page, "edit", "kinds")["training"] is False
    response = client.post(
        f"/my/profile?token={token}&lang=en",
        data={
            "form_token": _form_token(page),
            "countries": "KH",
            "kinds": ["grant", "training"],
            "frequency": "instant",
            "language": "en",
        },
    )
    assert response.status_code == 303, _html(response)
    assert ad.subscribers.get_profile(pid).kinds == [
        OpportunityKind.GRANT,
        OpportunityKind.TRAINING,
    ]


def test_the_cso_page_adds_a_kind_in_one_click(client, ad):
    pid = confirmed_profile(ad, countries=["KH"])
    token = _my_token(ad, pid)
    page = _html(client.get(f"/my?token={token}&lang=en"))
    forms = re.findall(
        r'<form method="post" action="([^"]*/my/kinds[^"]*)"[^>]*>(.*?)</form>', page, re.S
    )
    by_kind = {
        re.search(r'name="kind" value="(\w+)"', body).group(1): (action, body)
        for action, body in forms
    }
    assert set(by_kind) == {"training", "event", "tech_offer"}
    action, body = by_kind["training"]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
    response = client.post(action.replace("&amp;", "&"), data=fields)
    assert response.status_code == 303
    assert ad.subscribers.get_profile(pid).kinds == [
        OpportunityKind.GRANT,
        OpportunityKind.TRAINING,
    ]
    after = _html(client.get(response.headers["Location"]))
    assert "you will hear of these too" in after


def test_the_cso_page_shows_a_trainings_kind_and_key_facts(client, ad):
    pid = confirmed_profile(ad, countries=["KH"], kinds=["grant", "training"])
    submission = TrainingSubmission.model_validate(training_body())
    submit_item(ad, "f_1", submission, correlation_id="c")
    pump(ad)
    page = _html(client.get(f"/my?token={_my_token(ad, pid)}&lang=en"))
    card = page[page.index(training_body()["title"]) :]
    assert "Trainings" in card
    assert "Register by" in card and "January 31, 2027" in card
    assert "Phnom Penh, Cambodia (on site)" in card
    assert "How to register" in card
