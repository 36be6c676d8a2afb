"""The Grants.gov XML extract (`GrantsDBExtract…v2.xml`, schema OpportunityDetail-V1.0).

Unlike 360Giving and IATI, Grants.gov lists *open opportunities*: `CloseDate` is a real
application deadline, `AwardFloor`/`AwardCeiling` the range one can apply for (USD) and
`EligibleApplicants` real eligibility codes. The extract has no place field, so records
take the funder's `countries` option or the documented default (US). Forecasts
(`OpportunityForecastDetail_1_0`) are reported, not imported: they cannot be applied
for yet. The grantor's contact email is never read. Titles and descriptions are HTML,
escaped once more for XML (`S&amp;T`, `&#167;`, `<p>` once the XML is read): they are
stored as the plain text they show.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from lxml import etree

from shared.importers.fields import (
    amount,
    clean,
    clipped,
    default_places,
    html_text,
    parse_us_date,
)
from shared.importers.mapping import ImportMappings, decide
from shared.importers.records import ImportOptions, Rejected, SourceRecord, Unmappable, validated
from shared.importers.xml_stream import iter_records, local_name

FORMAT = "grantsgov"
SYNOPSIS = "OpportunitySynopsisDetail_1_0"
FORECAST = "OpportunityForecastDetail_1_0"
PROCUREMENT_CONTRACT = "PC"
DETAIL_URL = "https://www.grants.gov/search-results-detail/{id}"


def read(
    stream: IO[bytes], mappings: ImportMappings, options: ImportOptions
) -> Iterator[SourceRecord]:
    """Every opportunity of a Grants.gov extract (`<Grants>` root, any namespace)."""
    records = iter_records(stream, "Grants", (f"{{*}}{SYNOPSIS}", f"{{*}}{FORECAST}"), "<Grants>")
    for index, (_, record) in enumerate(records, start=1):
        kind = local_name(record)
        position = f"/Grants/{kind}[{index}] (line {record.sourceline})"
        values = _values(record)
        if kind == FORECAST:
            external_id = _one(values, "OpportunityID") or None
            yield Rejected(
                position, external_id, "a forecast, not an opportunity open for applications"
            )
            continue
        yield map_opportunity(position, values, mappings, options)


def _values(record: etree._Element) -> dict[str, list[str]]:
    """Child elements by local name; a name may repeat (EligibleApplicants…)."""
    values: dict[str, list[str]] = {}
    for child in record:
        if isinstance(child.tag, str):
            values.setdefault(local_name(child), []).append(clean(child.text))
    return values


def _one(values: dict[str, list[str]], name: str) -> str:
    return (values.get(name) or [""])[0]


def map_opportunity(
    position: str, values: dict[str, list[str]], mappings: ImportMappings, options: ImportOptions
) -> SourceRecord:
    """One Grants.gov opportunity synopsis as a grant submission, or why not."""
    external_id = _one(values, "OpportunityID") or None
    warnings: list[str] = []
    try:
        if external_id is None:
            raise Unmappable("has no OpportunityID")
        instruments = [v for v in values.get("FundingInstrumentType", []) if v]
        if instruments and all(i == PROCUREMENT_CONTRACT for i in instruments):
            raise Unmappable("a procurement contract, not a grant")
        categories = [v for v in values.get("CategoryOfFundingActivity", []) if v]
        sectors = mappings.resolve(mappings.sector_tables, "grantsgov_category", categories)
        fields = {
            "external_id": external_id,
            "title": html_text(_one(values, "OpportunityTitle")),
            "description": clipped(html_text(_one(values, "Description")), "Description", warnings),
            "sectors": decide(sectors, "funding categories", categories, warnings),
            "countries": default_places(FORMAT, mappings, options),
            "applicant_types": _applicant_types(values, mappings, warnings),
            "deadline": _deadline(values),
            "languages": mappings.default_languages(FORMAT),
            "url": DETAIL_URL.format(id=external_id),
            **_amounts(values, warnings),
        }
    except Unmappable as exc:
        return Rejected(position, external_id, str(exc))
    return validated(position, fields, warnings)


def _applicant_types(
    values: dict[str, list[str]], mappings: ImportMappings, warnings: list[str]
) -> list[str]:
    codes = [v for v in values.get("EligibleApplicants", []) if v]
    found = mappings.resolve(mappings.applicant_tables, "grantsgov_eligibility", codes)
    types = decide(found, "eligible applicant types", codes, warnings)
    if types:
        return types
    if codes:
        warnings.append("eligibility is only described in text: default applicant types used")
    return mappings.default_applicant_types


def _deadline(values: dict[str, list[str]]) -> date | None:
    """CloseDate; without one the opportunity is open until it is archived (ArchiveDate),
    and with neither it is rolling (null)."""
    close = parse_us_date(_one(values, "CloseDate"), "CloseDate")
    return close or parse_us_date(_one(values, "ArchiveDate"), "ArchiveDate")


def _amounts(values: dict[str, list[str]], warnings: list[str]) -> dict[str, Any]:
    # The extract writes 0 (and "none") for "not given".
    floor = amount(_one(values, "AwardFloor"), "AwardFloor", warnings, zero_is_missing=True)
    ceiling = amount(_one(values, "AwardCeiling"), "AwardCeiling", warnings, zero_is_missing=True)
    if floor is not None and ceiling is not None and floor > ceiling:
        warnings.append(f"AwardFloor {floor:g} is above AwardCeiling {ceiling:g}; floor left out")
        floor = None
    if floor is None and ceiling is None:
        return {}
    return {"amount_min": floor, "amount_max": ceiling, "currency": "USD"}
