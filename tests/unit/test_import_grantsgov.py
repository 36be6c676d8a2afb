"""The Grants.gov XML extract becomes grants, opportunity by opportunity.

The fixture follows the extract's schema OpportunityDetail-V1.0 (namespace
http://apply.grants.gov/system/OpportunityDetail-V1.0; OpportunitySynopsisDetail_1_0 and
OpportunityForecastDetail_1_0 records; MMDDYYYY dates).
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from shared.domain.taxonomy import ApplicantType
from shared.importers import read_records
from shared.importers.records import ImportOptions
from tests.import_fixtures import mapped, read_fixture, rejected


@pytest.fixture(scope="module")
def records():
    return read_fixture("grantsgov", "grantsgov.xml")


def test_an_open_opportunity_keeps_its_deadline_range_eligibility_and_categories(records):
    grant = mapped(records)["900001"].submission
    assert grant.deadline == date(2027, 3, 31)  # CloseDate 03312027
    assert (grant.amount_min, grant.amount_max, grant.currency) == (10_000, 50_000, "USD")
    assert [a.value for a in grant.applicant_types] == ["registered_ngo"]  # codes 12 and 13
    assert [s.value for s in grant.sectors] == ["education", "health"]
    assert str(grant.url) == "https://www.grants.gov/search-results-detail/900001"


def test_the_grantors_contact_email_is_never_imported(records):
    for record in mapped(records).values():
        assert "@" not in record.submission.model_dump_json()


def test_the_extract_names_no_place_so_the_default_or_the_funders_choice_applies(records):
    assert mapped(records)["900001"].submission.countries == ["US"]
    chosen = read_fixture("grantsgov", "grantsgov.xml", ImportOptions(countries=("KH", "MM")))
    assert mapped(chosen)["900001"].submission.countries == ["KH", "MM"]


def test_eligibility_only_in_text_falls_back_to_the_default_with_a_warning(records):
    record = mapped(records)["900002"]
    assert [a.value for a in record.submission.applicant_types] == ["registered_ngo"]
    assert record.submission.title == "Acceso a la justicia — Año 2027"
    assert record.submission.deadline == date(2027, 12, 31)  # no CloseDate: ArchiveDate
    assert record.submission.amount_min is None and record.submission.amount_max is None
    assert record.warnings == (
        "eligibility is only described in text: default applicant types used",
    )


def test_unrestricted_eligibility_opens_every_applicant_type(records):
    record = mapped(records)["900007"]
    assert set(record.submission.applicant_types) == set(ApplicantType)
    assert record.submission.sectors == []  # category O says nothing: not restricted
    assert record.submission.deadline is None  # no close or archive date: rolling
    assert record.submission.amount_max == 250_000 and record.submission.amount_min is None
    assert any("AwardFloor 300000 is above AwardCeiling" in w for w in record.warnings)


def test_forecasts_contracts_and_out_of_scope_opportunities_are_reported(records):
    assert [(r.external_id, r.reason) for r in rejected(records)] == [
        ("900003", "none of its eligible applicant types (00, 01) is one Grant Match covers"),
        ("900004", "a procurement contract, not a grant"),
        ("900005", "a forecast, not an opportunity open for applications"),
        ("900006", "none of its funding categories (AR) is one Grant Match covers"),
    ]
    assert rejected(records)[2].position == "/Grants/OpportunityForecastDetail_1_0[5] (line 75)"


def test_an_extract_without_namespace_is_read_too():
    body = b"""<Grants><OpportunitySynopsisDetail_1_0>
      <OpportunityID>1</OpportunityID><OpportunityTitle>T</OpportunityTitle>
      <EligibleApplicants>12</EligibleApplicants><CloseDate>2027-01-31</CloseDate>
    </OpportunitySynopsisDetail_1_0></Grants>"""
    (record,) = read_records("grantsgov", io.BytesIO(body))
    assert record.submission.deadline == date(2027, 1, 31)


def test_a_bad_close_date_rejects_the_record_with_the_value():
    body = b"""<Grants><OpportunitySynopsisDetail_1_0>
      <OpportunityID>2</OpportunityID><OpportunityTitle>T</OpportunityTitle>
      <CloseDate>13452027</CloseDate></OpportunitySynopsisDetail_1_0></Grants>"""
    (record,) = read_records("grantsgov", io.BytesIO(body))
    assert record.reason == "CloseDate '13452027' is not a MMDDYYYY date"
