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


# The real extract's titles and descriptions are HTML, escaped once more for XML: after
# the XML is read they still say `S&amp;T`, `&quot;`, `&#167;` and `<p>` (issue 17, seen
# in an import of a real GrantsDBExtract…v2.xml). The record below has that shape.
HTML_RECORD = b"""<Grants><OpportunitySynopsisDetail_1_0>
  <OpportunityID>3</OpportunityID>
  <OpportunityTitle>Civic S&amp;amp;T Fellows &amp;amp; Mentors</OpportunityTitle>
  <EligibleApplicants>12</EligibleApplicants>
  <CloseDate>01312027</CloseDate>
  <Description>&lt;p&gt;The Office of S&amp;amp;T invites &amp;quot;community-based&amp;quot;
proposals under 22 U.S.C. &amp;#167;&amp;nbsp;2151.&lt;/p&gt;&lt;p&gt;Eligible:&lt;/p&gt;&lt;ul&gt;
&lt;li&gt;NGOs&lt;/li&gt;&lt;li&gt;networks&lt;br/&gt;of NGOs&lt;/li&gt;&lt;/ul&gt;
&lt;script&gt;track()&lt;/script&gt;</Description>
</OpportunitySynopsisDetail_1_0></Grants>"""


def test_html_entities_and_tags_in_titles_and_descriptions_become_plain_text():
    (record,) = read_records("grantsgov", io.BytesIO(HTML_RECORD))
    assert record.submission.title == "Civic S&T Fellows & Mentors"
    assert record.submission.description == (
        'The Office of S&T invites "community-based" proposals under 22 U.S.C. § 2151.'
        "\n\nEligible:\n\n- NGOs\n- networks\nof NGOs"
    )


def test_plain_text_descriptions_keep_their_line_breaks_and_a_lone_less_than_sign():
    body = HTML_RECORD.replace(
        HTML_RECORD[HTML_RECORD.index(b"<Description>") : HTML_RECORD.index(b"</Description>")],
        b"<Description>Budget &amp;lt; $50,000.\nTwo lines",
    )
    (record,) = read_records("grantsgov", io.BytesIO(body))
    assert record.submission.description == "Budget < $50,000.\nTwo lines"
