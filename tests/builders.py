"""Builders for valid submissions and stored records, overridable field by field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from shared.domain.models import (
    Grant,
    GrantSubmission,
    Profile,
    ProfileSubmission,
    Project,
    ProjectSubmission,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def grant_body(**overrides: Any) -> dict[str, Any]:
    """A JSON body for POST /grants."""
    body: dict[str, Any] = {
        "external_id": "call-2027-01",
        "title": "Digital security for community media",
        "description": "Training and devices for community radio and online media.",
        "sectors": ["digital-security", "media-freedom"],
        "countries": ["KH", "LA"],
        "applicant_types": ["registered_ngo", "network"],
        "fiscal_sponsor_ok": True,
        "amount_min": 5000,
        "amount_max": 40000,
        "currency": "USD",
        "deadline": "2027-03-31",
        "languages": ["en", "km"],
        "url": "https://funder.example.org/calls/2027-01",
    }
    body.update(overrides)
    return body


def project_body(**overrides: Any) -> dict[str, Any]:
    """A JSON body for POST /projects."""
    body: dict[str, Any] = {
        "external_id": "proj-1",
        "org_name": "Mekong Youth Media",
        "contact_email": "contact@mym.example.org",
        "title": "Safer phones for community reporters",
        "summary": "Digital security training for 40 community reporters in Laos.",
        "sectors": ["digital-security"],
        "country": "LA",
        "applicant_type": "registered_ngo",
        "amount_needed": 25000,
        "currency": "USD",
        "language": "lo",
        "visibility": "public",
    }
    body.update(overrides)
    return body


def profile_body(**overrides: Any) -> dict[str, Any]:
    """A JSON body for POST /profiles."""
    body: dict[str, Any] = {
        "email": "alerts@cso.example.org",
        "org_name": "Delta Rights Network",
        "countries": ["KH"],
        "sectors": ["digital-security", "human-rights"],
        "applicant_type": "unregistered_group",
        "language": "km",
        "frequency": "instant",
    }
    body.update(overrides)
    return body


def grant(**overrides: Any) -> Grant:
    """A stored grant."""
    fields = {"id": "g_test", "funder_id": "f_test", "created_at": NOW, "updated_at": NOW}
    fields.update({k: overrides.pop(k) for k in list(overrides) if k in fields or k == "revision"})
    return Grant(**GrantSubmission(**grant_body(**overrides)).model_dump(), **fields)


def project(**overrides: Any) -> Project:
    """A stored project."""
    fields = {"id": overrides.pop("id", "p_test"), "created_at": NOW, "updated_at": NOW}
    fields["email_key"] = overrides.pop("email_key", "")
    return Project(**ProjectSubmission(**project_body(**overrides)).model_dump(), **fields)


def profile(**overrides: Any) -> Profile:
    """A stored profile."""
    fields = {"id": overrides.pop("id", "a_test"), "created_at": NOW, "updated_at": NOW}
    fields["email_key"] = overrides.pop("email_key", "")
    return Profile(**ProfileSubmission(**profile_body(**overrides)).model_dump(), **fields)


def today() -> date:
    """The fixed 'today' of unit tests."""
    return NOW.date()
