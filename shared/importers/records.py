"""What a parser yields for each source record: a grant ready to store, or why not.

Every record ends up as exactly one of these, with its position in the file, so nothing
is dropped without a word: the import report lists what was rejected and why. What is
true of many records of a file (379 dates in a format the standard does not allow) is
said once, in a `FileNote`, instead of once per record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from shared.domain.codes import CountryCode
from shared.domain.errors import MalformedRequest
from shared.domain.models import GrantSubmission

_COUNTRY_LIST = TypeAdapter(list[CountryCode])


@dataclass(frozen=True)
class Mapped:
    """A source record mapped onto the public contract, with what was lost on the way."""

    position: str
    submission: GrantSubmission
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """A source record that cannot become a grant, and the reason a person can act on.

    `summarised`: a `FileNote` of the same file speaks for this rejection, so the import
    counts it and writes it to the full report, but does not list it again."""

    position: str
    external_id: str | None
    reason: str
    summarised: bool = False


@dataclass(frozen=True)
class FileNote:
    """Something true of many records of the file, said once; parsers yield it after the
    records it speaks of."""

    position: str
    message: str


SourceRecord = Mapped | Rejected | FileNote


class Unmappable(Exception):
    """Raised inside a mapper: this record cannot become a grant (the message says why)."""


class SourceFormatError(MalformedRequest):
    """The file itself is broken (not JSON/CSV/XML, wrong standard or version): reading
    stops here. Records read before this point are imported."""

    def __init__(self, position: str, detail: str) -> None:
        super().__init__(f"{position}: {detail}")
        self.position = position
        self.detail = detail


def validated(position: str, fields: dict[str, Any], warnings: list[str]) -> SourceRecord:
    """Validate mapped fields through `GrantSubmission`, so an imported grant obeys exactly
    the limits of a posted one; a breach becomes a rejection naming every bad field."""
    try:
        submission = GrantSubmission.model_validate(fields)
    except ValidationError as exc:
        # Field and message only: the value may be personal, and reports are shown on.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        )
        return Rejected(
            position, fields.get("external_id"), f"breaks the grant contract: {problems}"
        )
    return Mapped(position, submission, tuple(warnings))


@dataclass(frozen=True)
class ImportOptions:
    """Choices the importing funder makes for what the file does not say.

    `countries` replaces the format's default countries for records that name no place
    (Grants.gov never does; 360Giving and IATI records may not).
    """

    countries: tuple[str, ...] | None = None

    @classmethod
    def from_text(cls, countries: str) -> ImportOptions:
        """Options from a comma-separated country list ('KH, LA'); ValueError names a code
        that is not ISO 3166-1 alpha-2."""
        codes = [c for c in countries.replace(" ", "").split(",") if c]
        if not codes:
            return cls()
        try:
            return cls(countries=tuple(_COUNTRY_LIST.validate_python(codes)))
        except ValidationError as exc:
            raise ValueError(exc.errors(include_input=False)[0]["msg"]) from exc
