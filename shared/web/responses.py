"""The JSON bodies the HTTP API answers with, as pydantic models: the OpenAPI document
is generated from them, and schemathesis checks every real response against it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, NonNegativeInt

from shared.adapters.ports import SaveOutcome
from shared.domain.opportunities import OpportunityDetails, OpportunityKind
from shared.services.imports import ProblemKind


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcceptedBody(_Body):
    """A stored submission: its id and what happened."""

    id: str
    status: SaveOutcome


class FieldError(_Body):
    """One bad field: its dotted path and what is wrong (never the value sent)."""

    field: str
    message: str


class ErrorDetail(_Body):
    """A machine-readable code, a message a person can act on, the bad fields if any."""

    code: str
    message: str
    fields: list[FieldError] | None = None


class ErrorBody(_Body):
    """Every error, on every endpoint."""

    error: ErrorDetail


class ErasureAcceptedBody(_Body):
    """The same answer whether the address is known or not."""

    status: Literal["accepted"]


class HealthBody(_Body):
    """Liveness."""

    status: Literal["ok"]


class ImportProblemBody(_Body):
    """One record an import report speaks about, by its position in the file; or, at
    position `file`, a warning true of many records of the file, said once."""

    position: str
    external_id: str | None
    kind: ProblemKind
    message: str


class ImportReportBody(_Body):
    """`ImportReport.as_dict()`: every field required, so the two cannot drift apart."""

    created: NonNegativeInt
    updated: NonNegativeInt
    unchanged: NonNegativeInt
    rejected: NonNegativeInt
    warnings: NonNegativeInt
    superseded: NonNegativeInt
    events: NonNegativeInt
    events_left_for_relay: NonNegativeInt
    problems: list[ImportProblemBody]
    problems_not_listed: NonNegativeInt
    stopped_at: str | None
    records: NonNegativeInt


class ImportedBody(_Body):
    """A file read to its end: what the import did."""

    report: ImportReportBody


class MalformedFileBody(_Body):
    """A file broken part-way: the error, and what the records before the break did."""

    error: ErrorDetail
    report: ImportReportBody


class CatalogueItemBody(_Body):
    """A training, an event or a tech offer as the catalogue holds it and screening
    reads it: an on-site one open to its own country, the registration deadline as
    `deadline` (GET /trainings/{id} and its siblings)."""

    id: str
    kind: OpportunityKind
    external_id: str
    title: str
    description: str
    sectors: list[str]
    countries: list[str]
    applicant_types: list[str]
    deadline: date | None
    languages: list[str]
    url: str | None
    details: OpportunityDetails
    revision: int
