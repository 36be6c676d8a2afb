"""Opportunities other than grants: trainings, networking events and technology offers.

They travel the grants' pipeline (stored in the catalogue, published, screened, ranked,
alerted) so that one CSO gets one screened feed. A catalogue item is a `Grant` record;
what makes it a training, an event or a tech offer is its `details`, whose `kind` says
which. A grant has no details, and the grants API is unchanged.

Screening reads the catalogue fields a kind maps onto (see `catalogue_fields`): the
registration deadline is the deadline, and an on-site training or event is open to the
CSOs of its own country only, while an online one is open to the countries it names
(none named: anyone).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from shared.domain.codes import CountryCode, CurrencyCode
from shared.domain.fields import (
    Amount,
    Countries,
    Description,
    ExternalId,
    Languages,
    Name,
    Sectors,
    Summary,
    Title,
    Url,
    not_past,
)
from shared.domain.fields import Submission as _Submission
from shared.domain.taxonomy import ApplicantType


class OpportunityKind(StrEnum):
    """What an item of the catalogue offers. Profiles want grants unless they opt in."""

    GRANT = "grant"
    TRAINING = "training"
    EVENT = "event"
    TECH_OFFER = "tech_offer"


class Attendance(StrEnum):
    """How one takes part in a training or an event."""

    ONLINE = "online"
    ON_SITE = "on_site"
    HYBRID = "hybrid"  # on site, with an online way in


class _Scheduled(_Submission):
    """What trainings and events share: when, where, who may come, how to register."""

    starts_on: date | None = None
    ends_on: date | None = None
    registration_deadline: date | None = None
    attendance: Attendance = Attendance.ONLINE
    city: Name | None = None
    country: CountryCode | None = None
    who_may_attend: Summary = ""
    how_to_register: Summary = ""

    _registration_not_past = field_validator("registration_deadline")(not_past)

    @model_validator(mode="after")
    def _dates_and_place(self) -> Self:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        if (
            self.registration_deadline
            and self.ends_on
            and self.registration_deadline > self.ends_on
        ):
            raise ValueError("registration_deadline must not be after ends_on")
        if self.attendance is not Attendance.ONLINE and self.country is None:
            raise ValueError("country is required for an on-site or hybrid one")
        return self

    @property
    def last_day_to_act(self) -> date | None:
        """The day after which a CSO can no longer take part: screening's deadline."""
        return self.registration_deadline or self.starts_on or self.ends_on


def _check_fee(fee: float | None, currency: str | None, name: str) -> None:
    if fee and currency is None:
        raise ValueError(f"currency is required when {name} is given")


def _fee_based_when_costed(data: Any) -> Any:
    """A cost above zero means a fee is charged, whatever `fee_based` said."""
    if isinstance(data, dict) and data.get("cost"):
        return {**data, "fee_based": True}
    return data


class _Charged(_Submission):
    """What taking part costs: `cost` in `currency`; none, or 0, and not `fee_based`: free."""

    cost: Amount | None = None
    currency: CurrencyCode | None = None
    # A fee is charged: true whenever `cost` is, and alone when the source says "fee-based"
    # without an amount we can read (so such a training is never shown as free).
    fee_based: bool = False

    _fee_based = model_validator(mode="before")(_fee_based_when_costed)

    @model_validator(mode="after")
    def _fee(self) -> Self:
        _check_fee(self.cost, self.currency, "cost")
        return self

    @property
    def free(self) -> bool:
        return not self.fee_based


class TrainingDetails(_Scheduled, _Charged):
    """A course, face-to-face or online."""

    kind: Literal["training"] = "training"
    instruction_languages: Languages = []


class EventDetails(_Scheduled, _Charged):
    """A networking event, conference or meeting where CSOs meet partners."""

    kind: Literal["event"] = "event"


class TechOfferDetails(_Submission):
    """Donated or discounted software, hardware or consultancy."""

    kind: Literal["tech_offer"] = "tech_offer"
    offered: Annotated[Summary, Field(min_length=1)]
    for_whom: Summary = ""
    admin_fee: Amount | None = None
    currency: CurrencyCode | None = None
    how_to_request: Annotated[Summary, Field(min_length=1)]
    available_until: date | None = None

    _until_not_past = field_validator("available_until")(not_past)

    @model_validator(mode="after")
    def _fee(self) -> Self:
        _check_fee(self.admin_fee, self.currency, "admin_fee")
        return self

    @property
    def free(self) -> bool:
        return not self.admin_fee

    @property
    def last_day_to_act(self) -> date | None:
        return self.available_until


#: What a CSO already told about an item must hear of when it changes: when and where it
#: takes place, in what language, and what it costs (its deadline is the item's own).
NOTICED_DETAILS: tuple[str, ...] = (
    "starts_on",
    "ends_on",
    "attendance",
    "city",
    "country",
    "instruction_languages",
    "cost",
    "currency",
    "fee_based",
    "admin_fee",
)


def changed_details(old: BaseModel | None, new: BaseModel | None) -> list[tuple[str, Any, Any]]:
    """The noticed fields of two versions of an item's details that differ, old -> new."""
    before = old.model_dump() if old is not None else {}
    after = new.model_dump() if new is not None else {}
    return [
        (name, before.get(name), after.get(name))
        for name in NOTICED_DETAILS
        if (name in before or name in after) and before.get(name) != after.get(name)
    ]


OpportunityDetails = Annotated[
    TrainingDetails | EventDetails | TechOfferDetails, Field(discriminator="kind")
]


class _OpportunitySubmission(_Submission):
    """The fields every kind shares with a grant: what screening and ranking read."""

    external_id: ExternalId
    title: Title
    description: Description = ""
    sectors: Sectors = []
    # Who may take part, by country (none: anyone). An on-site one is narrowed to its
    # own country by `catalogue_fields`.
    countries: Countries = []
    applicant_types: Annotated[
        list[ApplicantType], Field(min_length=1, max_length=len(ApplicantType))
    ] = list(ApplicantType)
    languages: Languages = []
    url: Url | None = None


class TrainingSubmission(_OpportunitySubmission):
    details: TrainingDetails


class EventSubmission(_OpportunitySubmission):
    details: EventDetails


class TechOfferSubmission(_OpportunitySubmission):
    details: TechOfferDetails


OpportunitySubmission = TrainingSubmission | EventSubmission | TechOfferSubmission

SUBMISSIONS: dict[OpportunityKind, type[_OpportunitySubmission]] = {
    OpportunityKind.TRAINING: TrainingSubmission,
    OpportunityKind.EVENT: EventSubmission,
    OpportunityKind.TECH_OFFER: TechOfferSubmission,
}


def catalogue_fields(submission: OpportunitySubmission) -> dict[str, Any]:
    """The grant-contract fields of a non-grant item, as screening must read them."""
    details = submission.details
    countries = list(submission.countries)
    if (
        isinstance(details, TrainingDetails | EventDetails)
        and details.attendance is Attendance.ON_SITE
        and details.country is not None
    ):
        countries = [details.country]
    return {
        "external_id": submission.external_id,
        "title": submission.title,
        "description": submission.description,
        "sectors": list(submission.sectors),
        "countries": countries,
        "applicant_types": list(submission.applicant_types),
        # Who may take part is `applicant_types` alone: an unregistered group is admitted
        # when the provider lists it, never "through a fiscal sponsor" it does not need.
        "fiscal_sponsor_ok": False,
        "deadline": details.last_day_to_act,
        "languages": list(submission.languages),
        "url": submission.url,
        "details": details,
    }
