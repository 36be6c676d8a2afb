"""360Giving JSON packages and CSV files become grants, record by record.

Fixtures follow the 360Giving Data Standard schema (github.com/ThreeSixtyGiving/standard:
schema/360-giving-package-schema.json, schema/360-giving-schema.json and the CSV column
titles of schema/summary-table/360-giving-schema-titles.csv/grants.csv).
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from shared.importers import date_order, read_records
from shared.importers.records import FileNote, ImportOptions, SourceFormatError
from tests.import_fixtures import mapped, read_fixture, rejected


@pytest.fixture(scope="module")
def json_records():
    return read_fixture("360giving", "360giving.json")


@pytest.fixture(scope="module")
def csv_records():
    return read_fixture("360giving", "360giving.csv")


def test_every_json_record_is_either_mapped_or_rejected_in_file_order(json_records):
    assert [r.position for r in json_records] == [f"grants[{i}]" for i in range(7)]


def test_a_khmer_grant_keeps_its_title_and_maps_classifications_places_and_dates(json_records):
    grant = mapped(json_records)["360G-MRF-0001"].submission
    assert grant.title == "សិទ្ធិមនុស្ស និងការអប់រំសហគមន៍"
    assert [s.value for s in grant.sectors] == ["human-rights", "education"]  # "&" read as "and"
    assert grant.countries == ["KH"]
    assert (grant.amount_min, grant.amount_max, grant.currency) == (None, 25000, "USD")
    assert grant.deadline == date(2027, 12, 31)  # end of the funded period
    assert [a.value for a in grant.applicant_types] == ["registered_ngo"]  # documented default


def test_a_grant_without_amount_or_end_date_is_kept_and_says_so(json_records):
    record = mapped(json_records)["360G-MRF-0002"]
    assert record.submission.amount_max is None and record.submission.currency is None
    assert record.submission.countries == ["TH"]  # from the location's name
    assert record.submission.deadline == date(2027, 3, 15)  # award date + 365 days
    assert "no amountAwarded" in record.warnings
    assert any(w.startswith("no end date") for w in record.warnings)


def test_unknown_classifications_and_places_are_warnings_not_rejections(json_records):
    record = mapped(json_records)["360G-MRF-0003"]
    assert [s.value for s in record.submission.sectors] == ["migration"]
    assert record.submission.countries == ["MM"]  # "Burma", through the alias table
    assert record.submission.deadline == date(2027, 10, 1)  # 2026-04 + 18 months
    assert "unknown classifications knitting circles ignored" in record.warnings
    assert "unknown beneficiary location Atlantis ignored" in record.warnings


def test_records_that_cannot_be_grants_are_reported_with_position_and_reason(json_records):
    reasons = {r.position: r.reason for r in rejected(json_records)}
    assert reasons == {
        "grants[3]": "none of its classifications (arts and culture) is one Grant Match covers",
        "grants[4]": "has no id (Identifier)",
    }


def test_a_returned_grant_keeps_no_amount_and_falls_back_to_the_recipients_country(json_records):
    record = mapped(json_records)["360G-MRF-0006"]
    assert record.submission.amount_max is None
    assert record.submission.countries == ["LA"]
    assert record.submission.deadline == date(2026, 11, 30)  # "2026-11" ends with November
    assert any("not positive" in w for w in record.warnings)


def test_a_record_naming_no_place_takes_the_uk_default_or_the_funders_choice(json_records):
    assert mapped(json_records)["360G-MRF-0007"].submission.countries == ["GB"]
    chosen = read_fixture("360giving", "360giving.json", ImportOptions(countries=("KH", "LA")))
    assert mapped(chosen)["360G-MRF-0007"].submission.countries == ["KH", "LA"]


def test_csv_columns_with_and_without_index_are_read_and_unknown_columns_ignored(csv_records):
    grant = mapped(csv_records)["360G-MRF-C1"].submission
    assert grant.countries == ["KH", "LA"]
    assert [s.value for s in grant.sectors] == ["digital-security", "organisational-development"]
    assert grant.amount_max == 40000  # "40,000"
    assert grant.description.count("\n") == 1  # a quoted multi-line cell stays one record
    assert str(grant.url) == "https://fund.example.org/programmes/safe-tech"


def test_csv_positions_name_the_row_and_the_line_after_multiline_cells(csv_records):
    assert [r.position for r in csv_records] == [
        "row 1 (line 3)",
        "row 2 (line 4)",
        "row 3 (line 5)",
        "row 4 (line 6)",
    ]
    assert {r.reason for r in rejected(csv_records)} == {
        "has no id (Identifier)",
        "awardDate 'next spring' is not a date",
    }


def test_a_bad_link_costs_the_link_not_the_grant(csv_records):
    record = mapped(csv_records)["360G-MRF-C2"]
    assert record.submission.url is None and record.submission.countries == ["VN"]
    assert any("not an http(s) URL" in w for w in record.warnings)


def test_json_that_is_not_a_package_is_a_format_error():
    with pytest.raises(SourceFormatError, match="no grants found"):
        list(read_records("360giving", io.BytesIO(b'[{"id": "x"}]')))


def test_broken_json_stops_the_read_after_the_records_before_it():
    body = b'{"grants": [{"id": "a", "title": "A", "awardDate": "2026-01-01"}, {"id": '
    records = read_records("360giving", io.BytesIO(body))
    first = next(records)
    assert first.submission.external_id == "a"
    with pytest.raises(SourceFormatError, match=r"after grants\[0\]: not valid JSON"):
        next(records)


def test_json_nested_deeper_than_a_grant_can_be_is_a_format_error_not_a_recursion():
    body = b'{"grants": [{"id": "a", "title": "A", "awardDate": "2026-01-01"}, {"id": "b", '
    body += b'"title": ' + b"[" * 1000 + b"]" * 1000 + b"}]}"
    records = read_records("360giving", io.BytesIO(body))
    assert next(records).submission.external_id == "a"
    with pytest.raises(SourceFormatError, match=r"after grants\[0\]: nested deeper than 64"):
        next(records)


def test_a_grant_that_is_not_an_object_is_rejected_not_an_error():
    body = b'{"grants": [[1], 2, "x", {"id": "a", "title": "A", "awardDate": "2026-01-01"}]}'
    records = list(read_records("360giving", io.BytesIO(body)))
    assert [r.reason for r in records[:3]] == ["is not a JSON object"] * 3
    assert records[3].submission.external_id == "a"


def test_a_csv_without_an_identifier_column_is_a_format_error():
    with pytest.raises(SourceFormatError, match="no 'Identifier' column"):
        list(read_records("360giving", io.BytesIO(b"Title,Amount\nx,1\n")))


def test_a_csv_that_is_not_utf8_is_a_format_error():
    body = "Identifier,Title,Award Date\nA-1,Caf\xe9,2026-01-01\n".encode("latin-1")
    with pytest.raises(SourceFormatError, match="not valid UTF-8"):
        list(read_records("360giving", io.BytesIO(body)))


def test_a_json_error_does_not_quote_the_file():
    body = b'{"grants": [{"id": "someone@example.org" oops}]}'
    with pytest.raises(SourceFormatError) as caught:
        list(read_records("360giving", io.BytesIO(body)))
    assert "example.org" not in caught.value.message


def _one_grant(**fields) -> bytes:
    grant = {"id": "Z-1", "title": "T", "awardDate": "2026-01-01", **fields}
    return json.dumps({"grants": [grant]}, ensure_ascii=False).encode()


def test_imported_text_is_normalised_like_posted_text():
    (record,) = read_records("360giving", io.BytesIO(_one_grant(title="ျမန္မာ")))
    assert record.submission.title == "မြန်မာ"  # Zawgyi converted to Unicode


def test_a_record_breaking_the_grant_contract_is_rejected_naming_the_field():
    (record,) = read_records("360giving", io.BytesIO(_one_grant(title="x" * 301)))
    assert record.reason.startswith("breaks the grant contract: title: String should have at most")
    assert "xxxx" not in record.reason  # the value itself is never echoed


# -- Dates the standard does not allow (issue 17) ------------------------------------------
# A real 360Giving CSV wrote every date like `05/06/2014` (spreadsheet exports do): its
# 379 records were rejected one by one, 379 identical lines in the report. The rows
# below have that shape: the standard's column titles, dates day/month/year.
HEADER = (
    "Identifier,Title,Currency,Amount Awarded,Award Date,Planned Dates:End Date,"
    "Beneficiary Location:0:Country Code\n"
)


def _dated_csv(*dates: tuple[str, str]) -> io.BytesIO:
    """A CSV with one grant per (award date, planned end date)."""
    rows = [f"D-{i},Grant {i},GBP,1000,{award},{end},KH" for i, (award, end) in enumerate(dates, 1)]
    return io.BytesIO((HEADER + "\n".join(rows) + "\n").encode())


def _notes(records) -> list[str]:
    return [r.message for r in records if isinstance(r, FileNote)]


def test_day_first_dates_are_read_once_a_day_above_12_shows_the_order_and_said_once():
    records = list(read_records("360giving", _dated_csv(
        ("05/06/2014", ""), ("25/06/2014", "30/06/2015"), ("2014-06-05T00:00:00", "")
    )))  # fmt: skip
    grants = mapped(records)
    assert [r.position for r in records if not isinstance(r, FileNote)] == [
        "row 1 (line 2)", "row 2 (line 3)", "row 3 (line 4)"
    ]  # fmt: skip
    assert grants["D-1"].submission.deadline == date(2015, 6, 5)  # 5 June 2014 + 365 days
    assert grants["D-2"].submission.deadline == date(2015, 6, 30)
    assert grants["D-3"].submission.deadline == date(2015, 6, 5)  # ISO date-time, as before
    assert not any("date" in w.lower() and "/" in w for g in grants.values() for w in g.warnings)
    assert _notes(records) == [
        "2 records give dates as day/month/year ('05/06/2014'), not ISO 8601 (YYYY-MM-DD) "
        "as the 360Giving standard requires: read as day/month/year, the order '25/06/2014' "
        "shows"
    ]


def test_month_first_dates_are_read_when_the_file_shows_that_order():
    records = list(read_records("360giving", _dated_csv(("06/05/2014", ""), ("06/25/2014", ""))))
    assert mapped(records)["D-1"].submission.deadline == date(2015, 6, 5)
    assert "read as month/day/year, the order '06/25/2014' shows" in _notes(records)[0]


def test_dates_that_never_tell_day_from_month_are_rejected_and_said_once_per_file():
    records = list(read_records("360giving", _dated_csv(
        ("05/06/2014", ""), ("01/04/2014", ""), ("2014-06-05", ""), ("03/02/2014", "")
    )))  # fmt: skip
    assert list(mapped(records)) == ["D-3"]
    dated = rejected(records)
    assert [r.external_id for r in dated] == ["D-1", "D-2", "D-4"]
    assert all(r.summarised for r in dated)  # the note speaks for them
    assert dated[0].reason == (
        "awardDate '05/06/2014' is not an ISO 8601 date, and no date in the file shows "
        "whether the day or the month comes first"
    )
    assert _notes(records) == [
        "3 records rejected for their dates, the first at row 1 (line 2): dates such as "
        "'05/06/2014' are not ISO 8601 (YYYY-MM-DD), as the 360Giving standard requires, "
        "and no date in the file shows whether the day or the month comes first"
    ]


def test_a_date_that_does_not_fit_the_files_order_is_rejected_within_a_summary():
    records = list(read_records("360giving", _dated_csv(("25/06/2014", ""), ("06/25/2014", ""))))
    assert list(mapped(records)) == ["D-1"]
    (misfit,) = rejected(records)
    assert misfit.summarised
    assert misfit.reason == "awardDate '06/25/2014' is not a day/month/year date, as the file's are"
    assert _notes(records)[1] == (
        "1 record rejected for its dates, the first at row 2 (line 3): dates such as "
        "'06/25/2014' do not fit the order of the file's other dates (day/month/year)"
    )


def test_records_held_until_the_order_is_known_are_released_when_too_many_wait(monkeypatch):
    monkeypatch.setattr(date_order, "MAX_HELD_FOR_DATE_ORDER", 2)
    records = list(read_records("360giving", _dated_csv(
        ("05/06/2014", ""), ("03/02/2014", ""), ("04/02/2014", ""), ("25/06/2014", "")
    )))  # fmt: skip
    assert [r.external_id for r in rejected(records)] == ["D-1", "D-2"]  # waited, undecided
    assert mapped(records)["D-3"].submission.deadline == date(2015, 2, 4)
    assert [r.position for r in records if not isinstance(r, FileNote)] == [
        f"row {i} (line {i + 1})" for i in range(1, 5)
    ]


def test_records_held_for_their_date_order_come_out_before_a_broken_file_stops():
    body = b'{"grants": [{"id": "a", "title": "A", "awardDate": "05/06/2014"}, {"id": '
    records = read_records("360giving", io.BytesIO(body))
    held = next(records)
    assert (held.external_id, held.summarised) == ("a", True)
    assert "1 record rejected for its dates" in next(records).message
    with pytest.raises(SourceFormatError, match=r"after grants\[0\]: not valid JSON"):
        next(records)
