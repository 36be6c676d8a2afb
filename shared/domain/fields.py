"""The field types of everything parsed at the edge: stripped, length-limited, normalised
text, bounded amounts, http(s) links, deduplicated lists, and the rule that a date named
in a submission may not have passed. Shared by every submission model so that one limit
is one number.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final, TypeVar

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
)
from pydantic_core import PydanticCustomError

from shared.domain.codes import CountryCode, LanguageCode
from shared.domain.taxonomy import Sector
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


def dedupe(values: list[T]) -> list[T]:
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
Sectors = Annotated[list[Sector], Field(max_length=MAX_SECTORS), AfterValidator(dedupe)]
Countries = Annotated[list[CountryCode], Field(max_length=MAX_COUNTRIES), AfterValidator(dedupe)]
Languages = Annotated[list[LanguageCode], Field(max_length=MAX_LANGUAGES), AfterValidator(dedupe)]
Keywords = Annotated[list[Keyword], Field(max_length=MAX_KEYWORDS), AfterValidator(dedupe)]


#: Validation context key: the first date a submission may name (a deadline, a "needed
#: by"). The edge (API, web forms) passes it; stored documents are validated without it,
#: so a grant whose deadline has passed since it was stored still loads.
FIRST_DATE: Final = "first_date"


def not_past(value: date | None, info: ValidationInfo) -> date | None:
    first = (info.context or {}).get(FIRST_DATE)
    if value is not None and first is not None and value < first:
        raise PydanticCustomError(
            "date_in_past",
            "this date has passed: give {first} or a later date",
            {"first": first.isoformat()},
        )
    return value


class Submission(BaseModel):
    """Strict parsing for everything that comes from outside."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def check_amount_range(low: float | None, high: float | None, currency: str | None) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError("amount_min must not be greater than amount_max")
    if (low is not None or high is not None) and currency is None:
        raise ValueError("currency is required when an amount is given")
