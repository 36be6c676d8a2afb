"""The funders' web form for every kind, with fakes of the ports: the funder chooses a
kind by following a link (no JavaScript), gets that kind's fields, and the post is
parsed by the API's own model and stored by the API's own service."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from shared.domain.opportunities import OpportunityKind
from shared.services.funders import create_funder
from shared.web.app import create_app
from tests.fakes import fake_adapters
from tests.opportunity_builders import BODIES

HTTPS = "https://localhost"
ITEM_KINDS = [OpportunityKind.TRAINING, OpportunityKind.EVENT, OpportunityKind.TECH_OFFER]


@pytest.fixture
def ad():
    return fake_adapters()


@pytest.fixture
def funder(ad):
    return create_funder(ad, "Trainers Ltd", email="courses@trainers.example.org")


@pytest.fixture
def client(ad, funder):
    client = create_app(ad.settings, lambda: ad).test_client()
    signed = client.post(
        "/forms/sign-in?lang=en",
        data={"api_key": funder.api_key, "back": "grants"},
        base_url=HTTPS,
    )
    assert signed.status_code == 303
    return client


def _get(client, url: str) -> tuple[int, str]:
    response = client.get(url, base_url=HTTPS, headers={"Accept": "text/html"})
    return response.status_code, unescape(response.get_data(as_text=True))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def form_fields(kind: OpportunityKind) -> MultiDict:
    """What a person fills in on the form of one kind (details' fields by their names)."""
    body = BODIES[kind]()
    details = body.pop("details")
    details.pop("kind")
    fields = MultiDict()
    for name, value in {**body, **details}.items():
        for item in value if isinstance(value, list) else [value]:
            fields.add(name, str(item))
    return fields


def _post(client, url: str, fields: MultiDict):
    return client.post(url, data=fields, base_url=HTTPS, headers={"Accept": "text/html"})


def test_the_posting_form_lets_the_funder_choose_a_kind_by_a_link(client):
    status, html = _get(client, "/funder/grants/new?lang=en")
    assert status == 200
    for kind in ITEM_KINDS:
        assert f'href="/funder/items/new?kind={kind.value}&lang=en"' in html


@pytest.mark.parametrize("kind", ITEM_KINDS)
def test_each_kind_has_its_own_fields_and_is_posted_through_the_form(client, ad, funder, kind):
    status, html = _get(client, f"/funder/items/new?kind={kind.value}&lang=en")
    assert status == 200
    assert 'name="amount_min"' not in html  # a grant's field
    own = {
        OpportunityKind.TRAINING: [
            "starts_on",
            "registration_deadline",
            "attendance",
            "instruction_languages",
            "cost",
            "how_to_register",
        ],
        OpportunityKind.EVENT: ["starts_on", "attendance", "city", "how_to_register"],
        OpportunityKind.TECH_OFFER: ["offered", "for_whom", "admin_fee", "how_to_request"],
    }[kind]
    for name in own:
        assert f'name="{name}"' in html, name
    fields = form_fields(kind)
    fields.add("csrf", _csrf(html))
    response = _post(client, f"/funder/items/new?kind={kind.value}&lang=en", fields)
    assert response.status_code == 303, unescape(response.get_data(as_text=True))[:3000]
    [item] = ad.funder_pages.grants_of(funder.funder_id, 10)
    assert item.kind is kind and item.title == BODIES[kind]()["title"]


def test_a_training_on_site_without_a_country_is_refused_next_to_the_field(client):
    _, html = _get(client, "/funder/items/new?kind=training&lang=en")
    fields = form_fields(OpportunityKind.TRAINING)
    fields.pop("country")
    fields.add("csrf", _csrf(html))
    response = _post(client, "/funder/items/new?kind=training&lang=en", fields)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert 'id="item-country-error"' in page
    assert 'value="Phnom Penh"' in page  # what was typed is kept


def test_the_funders_page_lists_an_item_with_its_kind_and_its_own_edit_form(client, ad):
    _, html = _get(client, "/funder/items/new?kind=tech_offer&lang=en")
    fields = form_fields(OpportunityKind.TECH_OFFER)
    fields.add("csrf", _csrf(html))
    _post(client, "/funder/items/new?kind=tech_offer&lang=en", fields)
    _, page = _get(client, "/funder/grants?lang=en")
    assert "Technology offers" in page and "Available until" in page
    assert "Remove it" in page and "Close the grant" not in page
    edit = re.search(r'href="(/funder/items/(g_\w+)/edit\?lang=en)"', page)
    assert edit is not None
    status, form = _get(client, edit.group(1))
    assert status == 200 and ">Ten refurbished laptops with full-disk encryption</textarea>" in form
    changed = form_fields(OpportunityKind.TECH_OFFER)
    changed.setlist("title", ["Renamed offer"])
    changed.add("csrf", _csrf(form))
    response = _post(client, edit.group(1), changed)
    assert response.status_code == 303
    assert ad.grants.get(edit.group(2)).title == "Renamed offer"
