"""Domain models: what funders and CSOs submit, and what we store and match.

`*Submission` models are the public contract parsed at the edge (unknown fields are
refused, every limit is explicit). `Grant`, `Project` and `Profile` are the stored forms:
a submission plus the identifiers and timestamps the system adds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.domain.codes import CountryCode, CurrencyCode, LanguageCode
from shared.domain.fields import (
    FIRST_DATE,
    MAX_AMOUNT,
    MAX_COUNTRIES,
    MAX_DESCRIPTION,
    MAX_EXTERNAL_ID,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_LANGUAGES,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_SECTORS,
    MAX_SUMMARY,
    MAX_TITLE,
    Amount,
    Countries,
    Description,
    Email,
    ExternalId,
    Keywords,
    Languages,
    Message,
    Name,
    Sectors,
    Summary,
    Title,
    Url,
    check_amount_range,
    dedupe,
    not_past,
)
from shared.domain.fields import Submission as _Submission
from shared.domain.logframe import Logframe
from shared.domain.opportunities import OpportunityDetails, OpportunityKind
from shared.domain.taxonomy import ApplicantType, Frequency, TargetKind, Visibility

__all__ = [  # the field types and limits stay importable from here, as before
    "FIRST_DATE",
    "MAX_AMOUNT",
    "MAX_COUNTRIES",
    "MAX_DESCRIPTION",
    "MAX_EXTERNAL_ID",
    "MAX_KEYWORD",
    "MAX_KEYWORDS",
    "MAX_LANGUAGES",
    "MAX_MESSAGE",
    "MAX_NAME",
    "MAX_SECTORS",
    "MAX_SUMMARY",
    "MAX_TITLE",
    "Amount",
    "ContactReply",
    "Countries",
    "Description",
    "Email",
    "ErasureRequest",
    "ExternalId",
    "Grant",
    "GrantProvenance",
    "GrantSubmission",
    "Interest",
    "InterestSubmission",
    "Keywords",
    "Languages",
    "Match",
    "Message",
    "Name",
    "Profile",
    "ProfileSubmission",
    "Project",
    "ProjectSubmission",
    "Sectors",
    "Summary",
    "Title",
    "Url",
]


class GrantSubmission(_Submission):
    """A grant opportunity as a funder posts it."""

    external_id: ExternalId
    title: Title
    description: Description = ""
    sectors: Sectors = []
    countries: Countries = []
    applicant_types: Annotated[
        list[ApplicantType],
        Field(min_length=1, max_length=len(ApplicantType)),
        AfterValidator(dedupe),
    ]
    fiscal_sponsor_ok: bool = False
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    currency: CurrencyCode | None = None
    deadline: date | None = None
    languages: Languages = []
    url: Url | None = None

    _deadline_not_past = field_validator("deadline")(not_past)

    @model_validator(mode="after")
    def _amounts(self) -> Self:
        check_amount_range(self.amount_min, self.amount_max, self.currency)
        return self


class ProjectSubmission(_Submission):
    """A CSO's project that needs funding."""

    external_id: ExternalId | None = None
    org_name: Name
    contact_email: Email
    title: Title
    summary: Summary = ""
    sectors: Annotated[Sectors, Field(min_length=1)]
    country: CountryCode
    applicant_type: ApplicantType
    amount_needed: Amount | None = None
    currency: CurrencyCode | None = None
    language: LanguageCode = "en"
    # Funders only: the CSO came to be found by funders; the public (in some of the
    # region's countries, the authorities too) sees it only if the CSO chooses "public".
    visibility: Visibility = Visibility.FUNDERS
    needed_by: date | None = None

    _needed_by_not_past = field_validator("needed_by")(not_past)

    @model_validator(mode="after")
    def _amounts(self) -> Self:
        check_amount_range(None, self.amount_needed, self.currency)
        return self


class ProfileSubmission(_Submission):
    """A CSO's alert profile: what it wants to hear about, and where to email."""

    email: Email
    org_name: Name
    countries: Annotated[Countries, Field(min_length=1)]
    sectors: Sectors = []
    applicant_type: ApplicantType
    language: LanguageCode = "en"
    frequency: Frequency = Frequency.INSTANT
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    currency: CurrencyCode | None = None
    keywords: Keywords = []
    exclude_keywords: Keywords = []
    # Which kinds of opportunity to hear about: grants unless the CSO opts in to more.
    kinds: Annotated[
        list[OpportunityKind], Field(min_length=1, max_length=len(OpportunityKind))
    ] = [OpportunityKind.GRANT]

    @model_validator(mode="after")
    def _amounts(self) -> Self:
        check_amount_range(self.amount_min, self.amount_max, self.currency)
        return self

    @field_validator("kinds")
    @classmethod
    def _kinds_once(cls, kinds: list[OpportunityKind]) -> list[OpportunityKind]:
        return list(dict.fromkeys(kinds))


class InterestSubmission(_Submission):
    """A funder's interest in a project: an optional note and an optional pledge, in the
    project's own currency (so pledges add up to the progress shown beside the need)."""

    message: Message = ""
    pledge: Amount | None = None


class ContactReply(_Submission):
    """What a CSO may add when it shares its address with an interested funder."""

    reply: Message = ""


class ErasureRequest(_Submission):
    """Ask for a link that deletes the data kept for an address. The link goes to that
    address, and the answer is the same whether it is known or not."""

    email: Email


class _Stored(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    created_at: datetime
    updated_at: datetime


class GrantProvenance(BaseModel):
    """Where a harvested grant came from, and its state at the source: kept on the grant
    so a person can check it and the pipeline can tell an update from a new call.

    `checksum` is of what a CSO would notice (a cosmetic change leaves it); `origins`
    says, per contract field, whether the source gave it, we inferred it, or it is a
    default. `hold` keeps the call from every alert; `closed_at` is when it was closed
    here (its source closed it, or it vanished from a complete run)."""

    model_config = ConfigDict(frozen=True)

    source: str
    source_id: str
    source_url: str
    fetched_at: datetime
    checksum: str
    source_checksum: str | None = None
    status: str = "open"
    origins: dict[str, str] = {}
    warnings: list[str] = []
    hold: str | None = None
    closed_at: datetime | None = None
    identities: list[str] = []

    @property
    def alertable(self) -> bool:
        """False for a call held from alerts or closed here."""
        return self.hold is None and self.closed_at is None


class Grant(_Stored, GrantSubmission):
    """A grant as stored: the funder's submission, owned by one funder. A harvested
    grant also carries its `provenance`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    funder_id: str
    revision: int = 1
    provenance: GrantProvenance | None = None
    # A training, an event or a tech offer carries what makes it one; a grant has none.
    details: OpportunityDetails | None = None

    @property
    def kind(self) -> OpportunityKind:
        return OpportunityKind.GRANT if self.details is None else OpportunityKind(self.details.kind)

    @property
    def alertable(self) -> bool:
        """Whether anyone may be alerted about it (a posted grant always may)."""
        return self.provenance is None or self.provenance.alertable


class _Subscriber(BaseModel):
    """Consent to email: confirmed by following the emailed link (double opt-in), and
    withdrawn for good by unsubscribing."""

    confirmed: bool = False
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    # The address's keyed hash (shared.domain.ids.address_key): how every profile and
    # project of one address is found, to keep one subscription and to unsubscribe all.
    email_key: str = ""
    # Set when a newer confirmed profile of the same address replaced this one.
    superseded_by: str | None = None


class Project(_Stored, _Subscriber, ProjectSubmission):
    """A project as stored. `pledged_amount` is the sum of funders' pledges, in
    `currency`, kept by the interest flow (never typed by the CSO)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    pledged_amount: float = 0.0
    # The CSO's logical framework, kept as a draft until complete; `plan_revision` counts
    # its saves, so a funder or an export can say which version it shows.
    plan: Logframe | None = None
    plan_revision: int = 0


class Profile(_Stored, _Subscriber, ProfileSubmission):
    """An alert profile as stored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Interest(InterestSubmission):
    """A funder's interest as stored: one per funder and project. The CSO's address
    reaches the funder only after `accepted_at` is set by the CSO's signed link."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    funder_id: str
    project_id: str
    currency: str | None = None
    created_at: datetime
    accepted_at: datetime | None = None
    reply: Message = ""


class Match(BaseModel):
    """A grant that fits a profile or project, with the reasons a person can read."""

    model_config = ConfigDict(frozen=True)

    id: str
    grant_id: str
    target_kind: TargetKind
    target_id: str
    score: float = Field(ge=0, le=1)
    reasons: list[str]
    via_fiscal_sponsor: bool = False
