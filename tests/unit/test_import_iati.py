"""IATI activity XML (2.01-2.03) becomes grants, activity by activity.

Fixtures follow the IATI Activity Standard (iati-activities-schema.xsd of
github.com/IATI/IATI-Schemas, versions 2.01 and 2.03).
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from shared.importers import read_records
from shared.importers.records import SourceFormatError
from shared.importers.xml_stream import iter_records
from tests.import_fixtures import FIXTURES, mapped, read_fixture, rejected


@pytest.fixture(scope="module")
def records():
    return read_fixture("iati", "iati-2.03.xml")


def _activity(identifier: str, body: str = "") -> str:
    return f"""<iati-activity xml:lang="en" default-currency="USD">
      <iati-identifier>{identifier}</iati-identifier>
      <title><narrative>Activity {identifier}</narrative></title>
      <activity-date type="1" iso-date="2026-01-01"/>
      <recipient-country code="KH"/>{body}
    </iati-activity>"""


def _file(*activities: str, version: str = "2.03") -> io.BytesIO:
    return io.BytesIO(
        f'<iati-activities version="{version}">{"".join(activities)}</iati-activities>'.encode()
    )


def test_positions_are_xpaths_with_line_numbers(records):
    assert records[0].position == "/iati-activities/iati-activity[1] (line 6)"
    assert len(records) == 6


def test_revised_budgets_replace_original_ones_and_other_currencies_are_left_out(records):
    record = mapped(records)["XM-EXAMPLE-1-KH-001"]
    grant = record.submission
    # 2026: revised 120 000 replaces the original 100 000; 2027: 80 000 in the default USD.
    assert (grant.amount_max, grant.currency) == (200_000, "USD")
    assert any("EUR (1 value(s)) left out" in w for w in record.warnings)


def test_titles_prefer_the_activity_language_and_every_language_is_listed(records):
    grant = mapped(records)["XM-EXAMPLE-1-KH-001"].submission
    assert grant.title == "Independent media and human rights in Cambodia"
    assert grant.languages == ["en", "km"]
    assert grant.description == "Grants to community radio and rights defenders."  # type 1
    thai = mapped(records)["XM-EXAMPLE-1-TH-006"].submission
    assert thai.title == "สิทธิสตรีในชุมชนชายแดน" and thai.languages == ["th", "en"]


def test_dac_codes_countries_dates_and_website_are_mapped(records):
    grant = mapped(records)["XM-EXAMPLE-1-KH-001"].submission
    assert [s.value for s in grant.sectors] == ["human-rights", "media-freedom"]
    assert grant.countries == ["KH"]
    assert grant.deadline == date(2028, 12, 31)  # planned end
    assert str(grant.url) == "https://example.org/activities/kh-001"


def test_a_mekong_region_becomes_its_countries_and_commitments_stand_in_for_budgets(records):
    record = mapped(records)["XM-EXAMPLE-1-VN-002"]
    grant = record.submission
    assert {"KH", "LA", "MM", "TH", "VN"} <= set(grant.countries)
    assert [s.value for s in grant.sectors] == ["water-sanitation"]  # vocabulary 2, "140"
    assert (grant.amount_max, grant.currency) == (1_500_000_000, "VND")  # the commitment only
    assert grant.deadline == date(2027, 3, 1)  # actual start + 365 days
    assert grant.title == "Nước sạch cho các xã vùng cao"


def test_sdg_goals_map_and_reporting_org_vocabularies_are_warned_about(records):
    record = mapped(records)["XM-EXAMPLE-1-TH-006"]
    assert [s.value for s in record.submission.sectors] == ["gender-equality"]
    assert record.submission.countries == ["TH", "MM"]
    assert record.submission.deadline == date(2027, 12, 31)  # end date "2027": all of 2027
    assert "unknown sectors LOCAL-7 (vocabulary 99) ignored" in record.warnings


def test_activities_that_cannot_be_grants_are_reported_with_reasons(records):
    assert [(r.external_id, r.reason) for r in rejected(records)] == [
        ("XM-EXAMPLE-1-TRANSPORT", "none of its sectors (21020) is one Grant Match covers"),
        ("XM-EXAMPLE-1-NOWHERE", "names no country or region: pass the countries it is for"),
        (None, "has no iati-identifier"),
    ]


def test_version_2_01_files_are_read():
    grant = mapped(read_fixture("iati", "iati-2.01.xml"))["XM-EXAMPLE-2-MM-01"].submission
    assert [s.value for s in grant.sectors] == ["peacebuilding"]  # vocabulary defaults to 1
    assert (grant.amount_max, grant.currency) == (75_000, "EUR")


def test_version_1_files_are_refused_as_a_whole():
    with pytest.raises(SourceFormatError, match=r"not IATI activity XML 2\.01-2\.03"):
        list(read_records("iati", _file(_activity("A-1"), version="1.05")))


def test_broken_xml_is_a_format_error_with_its_line():
    body = io.BytesIO(b'<iati-activities version="2.03">\n<iati-activity>\n</iati-activities>')
    with pytest.raises(SourceFormatError, match=r"^line 3: not valid XML"):
        list(read_records("iati", body))


def test_external_entities_are_never_resolved():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<iati-activities version="2.03">'
        + _activity("A-1").encode().replace(b"Activity A-1", b"Activity &secret;")
        + b"</iati-activities>"
    )
    (record,) = read_records("iati", io.BytesIO(xxe))
    assert "root:" not in record.submission.title


def test_finished_activities_are_unlinked_so_memory_does_not_grow_with_the_file():
    activities = [_activity(f"A-{i}", "<description><narrative>x</narrative></description>")
                  for i in range(5000)]  # fmt: skip
    sizes = [
        len(root)
        for root, _ in iter_records(_file(*activities), "iati-activities", ("iati-activity",), "")
    ]
    # What stays in the tree is what lxml parsed ahead (one read buffer), not the file.
    assert len(sizes) == 5000 and max(sizes) < 500


def test_a_file_of_another_standard_is_refused_before_it_is_parsed():
    body = io.BytesIO((FIXTURES / "grantsgov.xml").read_bytes())
    with pytest.raises(SourceFormatError, match="the root element is <Grants>"):
        next(read_records("iati", body))


# -- Where an activity is open, and whether it still is (issue 17: false alerts) ---------
# The MAEC fixture is shaped after a real Spanish file for Indonesia whose 66 activities
# all came out open to the twelve countries of region 789, Cambodia included.


@pytest.fixture(scope="module")
def maec():
    return read_fixture("iati", "iati-maec-indonesia.xml")


def _place(kind: str, code: str, percentage: object) -> str:
    return f'<recipient-{kind} code="{code}" percentage="{percentage}"/>'


def _placed(places: str, status: str = "2") -> io.BytesIO:
    """One activity with the given recipient-country/-region elements and status."""
    return _file(
        f"""<iati-activity xml:lang="en" default-currency="USD">
          <iati-identifier>A-1</iati-identifier>
          <title><narrative>Activity A-1</narrative></title>
          <activity-status code="{status}"/>
          <activity-date type="1" iso-date="2026-01-01"/>{places}
        </iati-activity>"""
    )


def test_a_country_named_at_100_percent_is_not_widened_to_the_countries_of_its_region(maec):
    record = mapped(maec)["ES-DIR3-E04585801-2024-ID-0001"]
    assert record.submission.countries == ["ID"]  # not KH and the ten others of region 789
    assert not any("789" in w for w in record.warnings)  # the country covers 100%: nothing lost


def test_a_region_is_ignored_with_a_warning_when_the_countries_named_leave_it_a_real_share():
    body = _place("country", "KH", 30) + _place("region", "789", 70)
    (record,) = read_records("iati", _placed(body))
    assert record.submission.countries == ["KH"]
    assert "recipient-region 789 (70%) ignored: the activity names its countries" in record.warnings


def test_a_country_with_a_small_share_does_not_open_the_grant_to_it():
    body = _place("country", "KH", 95) + _place("country", "TH", 5)
    (record,) = read_records("iati", _placed(body))
    assert record.submission.countries == ["KH"]
    assert "recipient-country TH (5%) left out: under 10% of the activity" in record.warnings


def test_a_region_is_expanded_when_no_country_has_a_material_share():
    body = _place("country", "KH", 5) + _place("region", "789", 95)
    (record,) = read_records("iati", _placed(body))
    assert {"KH", "LA", "MM", "TH", "VN"} <= set(record.submission.countries)


def test_a_region_with_a_small_share_is_not_expanded():
    body = _place("region", "789", 95) + _place("region", "798", 5)
    (record,) = read_records("iati", _placed(body))
    assert "IN" not in record.submission.countries  # 798 (South & Central Asia) is 5%
    assert "recipient-region 798 (5%) left out: under 10% of the activity" in record.warnings


def test_an_activity_whose_every_place_has_a_small_share_is_rejected():
    body = _place("country", "KH", 5) + _place("country", "TH", 5)
    (record,) = read_records("iati", _placed(body))
    assert record.reason == (
        "every recipient-country and recipient-region has under 10% of the activity: "
        "too small a share to say it is open there"
    )


def test_an_unreadable_percentage_counts_as_not_given_with_a_warning():
    body = _place("country", "KH", "most")
    (record,) = read_records("iati", _placed(body))
    assert record.submission.countries == ["KH"]
    assert (
        "recipient-country KH percentage 'most' is not a percentage (0-100); taken as "
        "not given" in record.warnings
    )


def test_finalising_closed_cancelled_and_suspended_activities_are_rejected_with_the_status(maec):
    prefix, why = "ES-DIR3-E04585801-", "no longer open, so not imported as a grant"
    assert [(r.external_id, r.reason) for r in rejected(maec)] == [
        (f"{prefix}2019-ID-0002", f"activity-status 3 (Finalisation): {why}"),
        (f"{prefix}2018-ID-0003", f"activity-status 4 (Closed): {why}"),
        (f"{prefix}2024-ID-0004", f"activity-status 5 (Cancelled): {why}"),
        (f"{prefix}2023-ID-0005", f"activity-status 6 (Suspended): {why}"),
    ]


def test_pipeline_and_implementation_activities_are_imported(maec):
    assert sorted(mapped(maec)) == [
        "ES-DIR3-E04585801-2024-ID-0001",  # 2 Implementation
        "ES-DIR3-E04585801-2026-ID-0006",  # 1 Pipeline/identification
    ]


def test_an_activity_status_outside_the_codelist_is_rejected():
    (record,) = read_records("iati", _placed('<recipient-country code="KH"/>', status="9"))
    assert record.reason == "activity-status '9' is not in the IATI ActivityStatus codelist (1-6)"


def test_an_activity_without_a_status_is_kept_with_a_warning():
    body = _file(_activity("A-1"))  # the helper's activity has no activity-status
    (record,) = read_records("iati", body)
    assert record.submission.countries == ["KH"]
    assert "no activity-status: taken as current (its end date still bounds it)" in record.warnings
