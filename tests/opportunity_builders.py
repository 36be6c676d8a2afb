"""Bodies for the kinds beyond grants (POST /trainings, /events, /tech-offers), valid at
tests.builders.NOW and overridable field by field."""

from __future__ import annotations

from typing import Any

from shared.domain.models import Grant
from shared.domain.opportunities import SUBMISSIONS, OpportunityKind, catalogue_fields
from tests.builders import NOW

#: The API path of each kind beside /grants.
PATHS = {
    OpportunityKind.TRAINING: "/trainings",
    OpportunityKind.EVENT: "/events",
    OpportunityKind.TECH_OFFER: "/tech-offers",
}


def training_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": "training-2027-01",
        "title": "Digital security for community trainers",
        "description": "Five days on phones, accounts and safe communication.",
        "sectors": ["digital-security"],
        "countries": [],
        "applicant_types": ["registered_ngo", "unregistered_group", "network"],
        "languages": ["en", "km"],
        "url": "https://trainer.example.org/courses/ds-2027",
        "details": {
            "kind": "training",
            "starts_on": "2027-02-15",
            "ends_on": "2027-02-19",
            "registration_deadline": "2027-01-31",
            "attendance": "on_site",
            "city": "Phnom Penh",
            "country": "KH",
            "who_may_attend": "Staff of community groups",
            "how_to_register": "Fill in the form on our site",
            "instruction_languages": ["km"],
        },
    }
    body.update(overrides)
    return body


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": "event-2027-01",
        "title": "Mekong civil society partners forum",
        "description": "Two days to meet funders and partners working on digital rights.",
        "sectors": ["digital-security", "human-rights"],
        "countries": ["KH", "LA", "TH"],
        "applicant_types": ["registered_ngo", "unregistered_group", "network"],
        "details": {
            "kind": "event",
            "starts_on": "2027-03-10",
            "ends_on": "2027-03-11",
            "registration_deadline": "2027-02-20",
            "attendance": "online",
            "how_to_register": "Email the organisers",
        },
    }
    body.update(overrides)
    return body


def tech_offer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": "offer-2027-01",
        "title": "Donated laptops for small NGOs",
        "description": "Refurbished laptops with a secure setup for community groups.",
        "sectors": ["digital-security"],
        "countries": ["KH", "LA"],
        "applicant_types": ["registered_ngo", "unregistered_group"],
        "details": {
            "kind": "tech_offer",
            "offered": "Ten refurbished laptops with full-disk encryption",
            "for_whom": "Groups of fewer than 20 staff",
            "admin_fee": 25,
            "currency": "USD",
            "how_to_request": "Write to the programme with your group's needs",
        },
    }
    body.update(overrides)
    return body


BODIES = {
    OpportunityKind.TRAINING: training_body,
    OpportunityKind.EVENT: event_body,
    OpportunityKind.TECH_OFFER: tech_offer_body,
}


def stored_item(kind: OpportunityKind, item_id: str = "", **overrides: Any) -> Grant:
    """A stored training, event or tech offer (a catalogue item), at tests.builders.NOW."""
    submission = SUBMISSIONS[kind].model_validate(BODIES[kind](**overrides))
    fields = {"funder_id": "f_test", "created_at": NOW, "updated_at": NOW}
    return Grant(**catalogue_fields(submission), id=item_id or f"g_{kind.value}", **fields)
