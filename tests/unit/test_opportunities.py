"""The kinds beyond grants: what each accepts, and how screening will read them."""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.domain.models import Grant, ProfileSubmission
from shared.domain.opportunities import (
    OpportunityKind,
    TechOfferSubmission,
    TrainingSubmission,
    catalogue_fields,
)

NOW = datetime(2026, 12, 3, tzinfo=UTC)


def training(**details: object) -> TrainingSubmission:
    return TrainingSubmission.model_validate(
        {"external_id": "t-1", "title": "Digital security for trainers", "details": details}
    )


def test_an_on_site_training_is_open_to_its_own_country_only() -> None:
    sub = TrainingSubmission.model_validate(
        {
            "external_id": "t-1",
            "title": "Training of trainers",
            "countries": ["LA", "MM"],
            "details": {"attendance": "on_site", "country": "KH", "city": "Phnom Penh"},
        }
    )
    assert catalogue_fields(sub)["countries"] == ["KH"]


def test_an_online_training_keeps_the_countries_it_names_and_none_means_anyone() -> None:
    assert catalogue_fields(training(attendance="online"))["countries"] == []
    sub = TrainingSubmission.model_validate(
        {"external_id": "t", "title": "t", "countries": ["TH"], "details": {}}
    )
    assert catalogue_fields(sub)["countries"] == ["TH"]


def test_the_registration_deadline_is_the_deadline_screening_reads() -> None:
    sub = training(registration_deadline="2027-01-10", starts_on="2027-01-20")
    assert catalogue_fields(sub)["deadline"] == date(2027, 1, 10)
    assert catalogue_fields(training(starts_on="2027-02-01"))["deadline"] == date(2027, 2, 1)


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"attendance": "on_site"}, "country is required"),
        ({"starts_on": "2027-02-02", "ends_on": "2027-02-01"}, "ends_on must not be before"),
        ({"registration_deadline": "2027-03-01", "ends_on": "2027-02-01"}, "registration_deadline"),
        ({"cost": 20}, "currency is required"),
    ],
)
def test_a_training_that_cannot_be_right_is_refused_with_a_reason(
    details: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        training(**details)


def test_a_tech_offer_says_what_is_offered_and_how_to_ask() -> None:
    with pytest.raises(ValidationError, match="how_to_request"):
        TechOfferSubmission.model_validate(
            {"external_id": "o", "title": "Donated laptops", "details": {"offered": "laptops"}}
        )


def test_a_stored_item_knows_its_kind_and_survives_a_round_trip() -> None:
    fields = catalogue_fields(training(attendance="online"))
    item = Grant(id="g", created_at=NOW, updated_at=NOW, funder_id="f", **fields)
    assert item.kind is OpportunityKind.TRAINING
    again = Grant.model_validate(item.model_dump(mode="json"))
    assert again == item and again.kind is OpportunityKind.TRAINING
    grant = Grant(
        id="h",
        created_at=NOW,
        updated_at=NOW,
        funder_id="f",
        external_id="x",
        title="x",
        applicant_types=["registered_ngo"],
    )
    assert grant.kind is OpportunityKind.GRANT


def test_a_profile_hears_of_grants_unless_it_opts_in() -> None:
    base = {
        "email": "a@example.org",
        "org_name": "A",
        "countries": ["KH"],
        "applicant_type": "registered_ngo",
    }
    assert ProfileSubmission.model_validate(base).kinds == [OpportunityKind.GRANT]
    both = ProfileSubmission.model_validate({**base, "kinds": ["training", "grant", "training"]})
    assert both.kinds == [OpportunityKind.TRAINING, OpportunityKind.GRANT]
    with pytest.raises(ValidationError):
        ProfileSubmission.model_validate({**base, "kinds": []})
