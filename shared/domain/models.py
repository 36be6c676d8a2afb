"""Domain models: what funders and CSOs submit, and what we store and match.

`*Submission` models are the public contract parsed at the edge (unknown fields are
refused, every limit is explicit). `Grant`, `Project` and `Profile` are the stored forms:
a submission plus the identifiers and timestamps the system adds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared.domain.codes import CountryCode, CurrencyCode, LanguageCode
from shared.domain.taxonomy import ApplicantType, Frequency, Sector, TargetKind, Visibility
from shared.domain.text import blank_if_invisible, normalise_text

# Limits are part of the contract: generous for real use, small enough to refuse abuse.
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
MAX_SUMMARY = 5_000
MAX_NAME = 200
MAX_EXTERNAL_ID = 200
MAX_KEYWORD = 60
MAX_KEYWORDS = 20
MAX_SECTORS = len(Sector)
MAX_COUNTRIES = 250
MAX_LANGUAGES = 20
MAX_AMOUNT = 1e15  # a trillion-and-more in any currency, VND included
MAX_MESSAGE = 2_000  # a funder's note to a CSO, or the CSO's reply: a note, not a letter


T = TypeVar("T")


def _dedupe(values: list[T]) -> list[T]:
    return list(dict.fromkeys(values))


def _http_url(url: HttpUrl) -> HttpUrl:
    if url.scheme not in ("http", "https"):
        raise ValueError("only http and https links are accepted")
    return url


def _smtp_local_part(address: str) -> str:
    # email-validator 2.4 lets a local part past 64 octets through; RFC 5321 (4.5.3.1.1)
    # caps it there, and SendGrid refuses such an address after we have accepted it.
    if len(address.rpartition("@")[0].encode()) > 64:
        raise ValueError("the part before the @ may be at most 64 characters")
    return address


def _printable(value: str) -> str:
    if not value.isprintable():
        raise ValueError("must be printable text without line breaks")
    return value


ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EXTERNAL_ID),
    AfterValidator(_printable),
]


def _length(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# Stripped, length-limited, normalised (NFC, no Zawgyi) text types; text of only
# invisible characters is blank. Spelled out as `Annotated` aliases, not built by a
# function, so a type checker sees them as `str`.
_BLANK_IF_INVISIBLE = BeforeValidator(blank_if_invisible)
_NORMALISED = AfterValidator(normalise_text)
Title = Annotated[str, _length(1, MAX_TITLE), _BLANK_IF_INVISIBLE, _NORMALISED]
Name = Annotated[str, _length(1, MAX_NAME), _BLANK_IF_INVISIBLE, _NORMALISED]
Keyword = Annotated[str, _length(1, MAX_KEYWORD), _BLANK_IF_INVISIBLE, _NORMALISED]
Description = Annotated[str, _length(0, MAX_DESCRIPTION), _BLANK_IF_INVISIBLE, _NORMALISED]
Summary = Annotated[str, _length(0, MAX_SUMMARY), _BLANK_IF_INVISIBLE, _NORMALISED]
Message = Annotated[str, _length(0, MAX_MESSAGE), _BLANK_IF_INVISIBLE, _NORMALISED]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Url = Annotated[HttpUrl, AfterValidator(_http_url)]
Email = Annotated[EmailStr, AfterValidator(_smtp_local_part)]
Sectors = Annotated[list[Sector], Field(max_length=MAX_SECTORS), AfterValidator(_dedupe)]
Countries = Annotated[list[CountryCode], Field(max_length=MAX_COUNTRIES), AfterValidator(_dedupe)]
Languages = Annotated[list[LanguageCode], Field(max_length=MAX_LANGUAGES), AfterValidator(_dedupe)]
Keywords = Annotated[list[Keyword], Field(max_length=MAX_KEYWORDS), AfterValidator(_dedupe)]


#: Validation context key: the first date a submission may name (a deadline, a "needed
#: by"). The edge (API, web forms) passes it; stored documents are validated without it,
#: so a grant whose deadline has passed since it was stored still loads.
FIRST_DATE: Final = "first_date"


def _not_past(value: date | None, info: ValidationInfo) -> date | None:
    first = (info.context or {}).get(FIRST_DATE)
    if value is not None and first is not None and value < first:
        raise PydanticCustomError(
            "date_in_past",
            "this date has passed: give {first} or a later date",
            {"first": first.isoformat()},
        )
    return value


class _Submission(BaseModel):
    """Strict parsing for everything that comes from outside."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _check_amount_range(low: float | None, high: float | None, currency: str | None) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError("amount_min must not be greater than amount_max")
    if (low is not None or high is not None) and currency is None:
        raise ValueError("currency is required when an amount is given")


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
        AfterValidator(_dedupe),
    ]
    fiscal_sponsor_ok: bool = False
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    currency: CurrencyCode | None = None
    deadline: date | None = None
    languages: Languages = []
    url: Url | None = None

    _deadline_not_past = field_validator("deadline")(_not_past)

    @model_validator(mode="after")
    def _amounts(self) -> Self:
        _check_amount_range(self.amount_min, self.amount_max, self.currency)
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

    _needed_by_not_past = field_validator("needed_by")(_not_past)

    @model_validator(mode="after")
    def _amounts(self) -> Self:
        _check_amount_range(None, self.amount_needed, self.currency)
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

    @model_validator(mode="after")
    def _amounts(self) -> Self:
        _check_amount_range(self.amount_min, self.amount_max, self.currency)
        return self


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
