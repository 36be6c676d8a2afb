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

from shared.importers import read_records
from shared.importers.records import ImportOptions, SourceFormatError
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
