"""360Giving Data Standard (schema 1.x, https://standard.threesixtygiving.org): JSON
packages and the flat CSV that the standard's spreadsheet template produces.

360Giving publishes grants already *awarded*, not open calls. A record becomes a grant
that shows who funds what, where: `amountAwarded` is `amount_max`, `deadline` is the end
of the funded period (`plannedDates`), and `applicant_types` is the documented default
because the standard has no eligibility field. JSON is read with ijson and CSV row by
row, so memory does not grow with the file.

Dates. The standard requires ISO 8601 (`2014-06-05`, or a date-time such as
`2014-06-05T00:00:00`, both read as they are), but spreadsheet exports often write
`05/06/2014`. Such a date is read only when the file itself shows which comes first:
the first date with a number above 12 in first place (`25/06/2014`) makes the file
day/month/year, one above 12 in second place (`06/25/2014`) month/day/year. Records
with slashed dates wait, in file order, until one shows the order (at most
`date_order.MAX_HELD_FOR_DATE_ORDER` of them; if none has by then, those are rejected). A date
that does not fit the order, or slashed dates in a file that never shows one, reject
their record. Either way the report says it once for the file, in a `FileNote`
naming the format, an example and how many records, not once per record.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

import ijson

from shared.importers.date_order import MapOne, in_date_order
from shared.importers.fields import (
    add_months,
    amount,
    clean,
    clipped,
    default_places,
    link,
    parse_date,
    places,
    relevant_until,
)
from shared.importers.mapping import ImportMappings, decide
from shared.importers.records import (
    ImportOptions,
    Rejected,
    SourceFormatError,
    SourceRecord,
    Unmappable,
    validated,
)

FORMAT = "360giving"
CLASSIFICATIONS = "classification_title"
#: A 360Giving grant nests a few levels (grants[].recipientOrganization[].location[]…);
#: a file nested deeper is refused as it is read, before anything recurses over it.
MAX_DEPTH = 64

#: CSV column titles (the standard's "titles" spreadsheet) -> JSON property names.
TOP_LEVEL = {
    "Identifier": "id",
    "Title": "title",
    "Description": "description",
    "Currency": "currency",
    "Amount Awarded": "amountAwarded",
    "Amount Applied For": "amountAppliedFor",
    "Award Date": "awardDate",
    "URL": "url",
}
SECTIONS = {
    "Planned Dates": ("plannedDates", {"Start Date": "startDate", "End Date": "endDate",
                                       "Duration (months)": "duration"}),
    "Beneficiary Location": ("beneficiaryLocation", {"Name": "name",
                                                     "Country Code": "countryCode"}),
    "Recipient Org": ("recipientOrganization", {"Identifier": "id", "Name": "name",
                                                "Country": "addressCountry"}),
    "Funding Org": ("fundingOrganization", {"Identifier": "id", "Name": "name"}),
    "Grant Programme": ("grantProgramme", {"Code": "code", "Title": "title", "URL": "url"}),
    "Classifications": ("classifications", {"Vocabulary": "vocabulary", "Code": "code",
                                            "Title": "title"}),
}  # fmt: skip


def read(
    stream: IO[bytes], mappings: ImportMappings, options: ImportOptions
) -> Iterator[SourceRecord]:
    """Every grant of a 360Giving JSON package or CSV file, JSON or CSV told by the first
    character."""
    if _first_char(stream) in "{[":
        yield from read_json(stream, mappings, options)
    else:
        yield from read_csv(stream, mappings, options)


def _first_char(stream: IO[bytes]) -> str:
    head = stream.peek(64)[:64]  # type: ignore[attr-defined]
    return head.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace").lstrip()[:1]


def read_json(
    stream: IO[bytes], mappings: ImportMappings, options: ImportOptions
) -> Iterator[SourceRecord]:
    """Grants of a JSON package `{"grants": [...]}`, one at a time."""
    return in_date_order(_json_grants(stream), _mapper(mappings, options))


def _json_grants(stream: IO[bytes]) -> Iterator[tuple[str, Any]]:
    index = -1
    try:
        events = _within_depth(ijson.parse(stream, use_float=True))
        for index, grant in enumerate(ijson.items(events, "grants.item")):
            yield f"grants[{index}]", grant
    except _TooDeep as exc:
        raise SourceFormatError(f"after grants[{index}]", str(exc)) from exc
    except ijson.JSONError as exc:
        # Only the first line: the parser's next lines quote the file, which may be personal.
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceFormatError(f"after grants[{index}]", f"not valid JSON: {detail}") from exc
    if index < 0:
        raise SourceFormatError(
            "grants", 'no grants found: a 360Giving JSON file is {"grants": [...]}'
        )


class _TooDeep(Exception):
    """The file nests deeper than MAX_DEPTH."""


def _within_depth(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """The parser's events, stopped by _TooDeep once arrays and objects nest past
    MAX_DEPTH (a deeply nested value would make the mapping recurse until it fails)."""
    depth = 0
    for prefix, event, value in events:
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep(f"nested deeper than {MAX_DEPTH} levels")
        elif event in ("end_map", "end_array"):
            depth -= 1
        yield prefix, event, value


def read_csv(
    stream: IO[bytes], mappings: ImportMappings, options: ImportOptions
) -> Iterator[SourceRecord]:
    """Grants of a flat CSV with the standard's column titles, one row at a time."""
    return in_date_order(_csv_grants(stream), _mapper(mappings, options))


def _csv_grants(stream: IO[bytes]) -> Iterator[tuple[str, dict[str, Any]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if not header or "Identifier" not in header:
            raise SourceFormatError("line 1", "not a 360Giving CSV: no 'Identifier' column")
        columns = [_column(title) for title in header]
        for row_number, row in enumerate(reader, start=1):
            if not any(cell.strip() for cell in row):
                continue
            yield f"row {row_number} (line {reader.line_num})", _nest(columns, row)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SourceFormatError(f"line {reader.line_num}", f"not valid UTF-8 CSV: {exc}") from exc
    finally:
        text.detach()  # leave the caller's stream open


def _mapper(mappings: ImportMappings, options: ImportOptions) -> MapOne:
    """Map one grant with this import's mappings and options."""
    return lambda position, grant: map_grant(position, grant, mappings, options)


def _column(title: str) -> tuple[str, int, str] | None:
    """('plannedDates', 0, 'endDate') for 'Planned Dates:End Date' or
    'Planned Dates:0:End Date'; (key, -1, '') for a top-level column; None to ignore."""
    title = title.strip()
    if title in TOP_LEVEL:
        return TOP_LEVEL[title], -1, ""
    parts = title.split(":")
    if len(parts) == 3 and parts[1].isdigit():
        section, index, field = parts[0], int(parts[1]), parts[2]
    elif len(parts) == 2:
        section, index, field = parts[0], 0, parts[1]
    else:
        return None
    key, fields = SECTIONS.get(section, ("", {}))
    return (key, index, fields[field]) if field in fields else None


def _nest(columns: list[tuple[str, int, str] | None], row: list[str]) -> dict[str, Any]:
    grant: dict[str, Any] = {}
    for column, cell in zip(columns, row, strict=False):
        if column is None or not cell.strip():
            continue
        key, index, field = column
        if index < 0:
            grant[key] = cell
            continue
        items = grant.setdefault(key, [])
        while len(items) <= index:
            items.append({})
        items[index][field] = cell
    return grant


def map_grant(
    position: str, grant: dict[str, Any], mappings: ImportMappings, options: ImportOptions
) -> SourceRecord:
    """One 360Giving grant as a grant submission, or why it cannot be one."""
    external_id = clean(grant.get("id")) or None
    warnings: list[str] = []
    try:
        if external_id is None:
            raise Unmappable("has no id (Identifier)")
        fields = {
            "external_id": external_id,
            "title": clean(grant.get("title")),
            "description": clipped(clean(grant.get("description")), "description", warnings),
            "sectors": _sectors(grant, mappings, warnings),
            "countries": _countries(grant, mappings, options, warnings),
            "applicant_types": mappings.default_applicant_types,
            "deadline": _end_of_funding(grant, mappings, warnings),
            "languages": mappings.default_languages(FORMAT),
            "url": link(grant.get("url") or _first(grant, "grantProgramme").get("url"), warnings),
            **_amounts(grant, warnings),
        }
    except Unmappable as exc:
        return Rejected(position, external_id, str(exc))
    return validated(position, fields, warnings)


def _first(grant: dict[str, Any], key: str) -> dict[str, Any]:
    items = grant.get(key) or [{}]
    return items[0] if isinstance(items, list) and isinstance(items[0], dict) else {}


def _amounts(grant: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    if clean(grant.get("amountAwarded")) == "":
        warnings.append("no amountAwarded")
        return {}
    awarded = amount(grant.get("amountAwarded"), "amountAwarded", warnings)
    if awarded is None:
        return {}
    currency = clean(grant.get("currency")) or None
    if currency is None:
        raise Unmappable("gives amountAwarded without a currency")
    return {"amount_max": awarded, "currency": currency}


def _end_of_funding(grant: dict[str, Any], mappings: ImportMappings, warnings: list[str]) -> date:
    planned = _first(grant, "plannedDates")
    start = parse_date(planned.get("startDate"), "plannedDates.startDate")
    end = parse_date(planned.get("endDate"), "plannedDates.endDate", end_of_period=True)
    duration = clean(planned.get("duration"))
    if end is None and start is not None and duration:
        try:
            end = add_months(start, round(float(duration)))
        except ValueError:
            warnings.append(f"plannedDates.duration {duration!r} is not a number of months")
    awarded = parse_date(grant.get("awardDate"), "awardDate")
    return relevant_until(end, start or awarded, mappings, warnings)


def _countries(
    grant: dict[str, Any], mappings: ImportMappings, options: ImportOptions, warnings: list[str]
) -> list[str]:
    named = [
        clean(loc.get("countryCode")) or clean(loc.get("name"))
        for loc in grant.get("beneficiaryLocation") or []
        if isinstance(loc, dict)
    ]
    countries = places([n for n in named if n], mappings, "beneficiary location", warnings)
    if not countries:
        recipient = clean(_first(grant, "recipientOrganization").get("addressCountry"))
        countries = places(
            [recipient] if recipient else [], mappings, "recipient country", warnings
        )
    return countries or default_places(FORMAT, mappings, options)


def _sectors(grant: dict[str, Any], mappings: ImportMappings, warnings: list[str]) -> list[str]:
    titles = [
        " ".join(clean(c.get("title")).casefold().replace("&", " and ").split())
        for c in grant.get("classifications") or []
        if isinstance(c, dict) and clean(c.get("title"))
    ]
    resolution = mappings.resolve(mappings.sector_tables, CLASSIFICATIONS, titles)
    return decide(resolution, "classifications", titles, warnings)
