"""Harvested records become grants with provenance, on the sources' samples.

The EU sample is a real capture; the UN Partner Portal and simpler.grants.gov samples are
built from their serializer and OpenAPI schema (tests/fixtures/harvest/README.md).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests

from shared.domain.models import Grant
from shared.harvest.base import TRACKED_FIELDS, CallStatus, HarvestedCall, Origin, Rejected
from shared.harvest.eu_funding_tenders import EuFundingTenders
from shared.harvest.mapping import HarvestMappings, load_harvest_mappings
from shared.harvest.simpler_grants_gov import SimplerGrantsGov
from shared.harvest.un_partner_portal import UnPartnerPortal
from shared.matching.screening import Applicant, screen
from tests import builders as b

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest"
EU_SEEN = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
UNPP_SEEN = datetime(2019, 5, 20, 9, 0, tzinfo=UTC)
SGG_SEEN = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _json(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text("utf-8"))


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="module")
def eu(session):
    return EuFundingTenders(session)


@pytest.fixture(scope="module")
def eu_raw():
    return _json("eu_funding_tenders/portal_search_page.json")["results"]


@pytest.fixture(scope="module")
def eu_out(eu, eu_raw):
    return [eu.map_record(r, EU_SEEN) for r in eu_raw]


@pytest.fixture(scope="module")
def unpp_out(session):
    raw = [
        *_json("un_partner_portal/projects_page1.json")["results"],
        *_json("un_partner_portal/projects_page2.json")["results"],
    ]
    connector = UnPartnerPortal(session)
    return [connector.map_record(r, UNPP_SEEN) for r in raw]


@pytest.fixture(scope="module")
def sgg_out(session):
    raw = [
        *_json("simpler_grants_gov/search_page1.json")["data"],
        *_json("simpler_grants_gov/search_page2.json")["data"],
    ]
    connector = SimplerGrantsGov(session, api_key="test-key")
    return [connector.map_record(r, SGG_SEEN) for r in raw]


def _calls(outcomes) -> dict[str, HarvestedCall]:
    return {o.provenance.source_id: o for o in outcomes if isinstance(o, HarvestedCall)}


def _reasons(outcomes) -> Counter:
    return Counter(o.reason for o in outcomes if isinstance(o, Rejected))


def _stored(call: HarvestedCall) -> Grant:
    fields = {"id": "g_h", "funder_id": "harvest", "created_at": b.NOW, "updated_at": b.NOW}
    return Grant(**call.submission.model_dump(), **fields)


def _cambodian_ngo() -> Applicant:
    return Applicant.of(b.profile(countries=["KH"], sectors=[], applicant_type="registered_ngo"))


# --- EU Funding & Tenders (real capture) --------------------------------------------------


def test_the_eu_sample_maps_without_a_crash_and_says_why_it_rejects(eu_out):
    assert len(eu_out) == 9
    assert len(_calls(eu_out)) == 5
    # CL4 foresight, CL5 powertrains and the EOSC topic (twice in the capture) name no
    # keyword that reaches a Grant Match sector.
    assert _reasons(eu_out) == Counter({"no Grant Match sector in its keywords": 4})


def test_a_two_stage_call_takes_its_first_stage_deadline(eu_out):
    call = _calls(eu_out)["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert call.submission.deadline == date(2027, 4, 8)
    assert call.origins["deadline"] is Origin.GIVEN
    assert any("last stage 2027-09-14" in w for w in call.warnings)
    assert call.status is CallStatus.FORTHCOMING


def test_amounts_come_from_the_topics_own_action_in_budget_overview(eu_out):
    call = _calls(eu_out)["HORIZON-CL6-2026-04-GOVERNANCE-01"].submission
    assert (call.amount_min, call.amount_max, call.currency) == (60_000_000, 60_000_000, "EUR")


def test_a_cut_off_budget_overview_leaves_the_amounts_out_with_a_warning(eu_out):
    call = _calls(eu_out)["HORIZON-CL3-2026-02-CS-ECCC-01"]
    assert call.submission.amount_max is None and call.submission.currency is None
    assert call.origins["amounts"] is Origin.UNKNOWN
    assert any("budgetOverview is cut off" in w for w in call.warnings)


def test_an_open_status_with_a_past_deadline_is_closed_the_dates_decide(eu, eu_raw, eu_out):
    call = _calls(eu_out)["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"]
    assert call.status is CallStatus.CLOSED  # "forthcoming" at the portal, deadline 2024
    raw = next(r for r in eu_raw if "TRANSFORMATIONS" in r["metadata"]["identifier"][0])
    assert not eu.is_open(raw, EU_SEEN.date())


def test_is_open_reads_the_status_and_the_first_stage(eu, eu_raw):
    soil = next(r for r in eu_raw if r["metadata"]["identifier"][0].startswith("HORIZON-MISS"))
    assert eu.is_open(soil, date(2027, 4, 8))  # the deadline day itself is open
    assert not eu.is_open(soil, date(2027, 4, 9))  # first stage over: nobody new can apply
    closed = copy.deepcopy(soil)
    closed["metadata"]["status"] = ["31094503"]
    assert not eu.is_open(closed, date(2026, 1, 1))


def test_keywords_sent_as_one_json_encoded_list_are_read(eu_out):
    call = _calls(eu_out)["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"]
    assert {s.value for s in call.submission.sectors} == {"education", "gender-equality"}


def test_a_centricity_copy_links_the_topic_page_not_its_json_file(eu_out):
    call = _calls(eu_out)["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"]
    assert str(call.submission.url).endswith(
        "/topic-details/HORIZON-CL2-2024-TRANSFORMATIONS-01-08"
    )
    assert call.origins["url"] is Origin.INFERRED
    soil = _calls(eu_out)["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil.origins["url"] is Origin.GIVEN


def test_eu_programme_calls_default_to_member_states_so_a_cambodian_cso_is_not_alerted(eu_out):
    call = _calls(eu_out)["HORIZON-CL3-2026-02-CS-ECCC-01"]
    assert call.origins["countries"] is Origin.DEFAULT
    assert "KH" not in call.submission.countries and "DE" in call.submission.countries
    assert "member states" in call.notes["countries"]
    verdict = screen(_stored(call), _cambodian_ngo(), date(2026, 5, 1))
    assert not verdict.eligible and "country not covered" in verdict.failures


def _eu_variant(eu_raw, identifier: str, kind: str) -> dict:
    raw = copy.deepcopy(next(r for r in eu_raw if "ECCC" in r["metadata"]["identifier"][0]))
    raw["metadata"]["identifier"] = [identifier]
    raw["metadata"]["type"] = [kind]
    return raw


def test_a_europeaid_call_for_proposals_is_for_the_country_its_reference_names(eu, eu_raw):
    raw = _eu_variant(eu_raw, "EuropeAid/186571/DD/ACT/KH", "2")
    call = eu.map_record(raw, EU_SEEN)
    assert isinstance(call, HarvestedCall)
    assert call.submission.countries == ["KH"]
    assert call.origins["countries"] is Origin.INFERRED
    assert screen(_stored(call), _cambodian_ngo(), date(2026, 5, 1)).eligible


@pytest.mark.parametrize(
    ("identifier", "kind", "reason"),
    [
        ("EuropeAid/186572/DD/SER/KH", "2", "a tender (procurement), not a call for proposals"),
        ("SOME-CASCADE-CALL-01", "8", "a type this connector does not map"),
    ],
)
def test_tenders_and_unknown_types_are_rejected_with_a_reason(eu, eu_raw, identifier, kind, reason):
    outcome = eu.map_record(_eu_variant(eu_raw, identifier, kind), EU_SEEN)
    assert isinstance(outcome, Rejected) and outcome.reason == reason


def test_an_index_stub_without_a_status_is_rejected(eu, eu_raw):
    raw = copy.deepcopy(eu_raw[0])
    del raw["metadata"]["status"]
    outcome = eu.map_record(raw, EU_SEEN)
    assert isinstance(outcome, Rejected) and outcome.reason == "an index stub without a status"


def test_every_harvested_call_records_the_origin_of_every_field(eu_out, unpp_out, sgg_out):
    for call in _calls(eu_out + unpp_out + sgg_out).values():
        assert set(call.origins) == set(TRACKED_FIELDS)
        assert call.provenance.fetched_at.tzinfo is not None
        assert len(call.provenance.checksum) == 64


def test_provenance_names_the_source_its_id_and_page(eu_out):
    call = _calls(eu_out)["HORIZON-JU-CBE-2026-IAFlag-02"]
    assert call.provenance.source == "eu_funding_tenders"
    assert call.provenance.source_url == str(call.submission.url)
    assert call.provenance.source_checksum == (
        "26FBD0224B2334B3EA603476EDF40B1BEBB586BD61AB5C7D2DEC1BCE70D72876"
    )
    assert call.provenance.fetched_at == EU_SEEN


# --- checksum: cosmetic changes are invisible, real ones are not --------------------------


def _soil(eu_raw) -> dict:
    return copy.deepcopy(next(r for r in eu_raw if "SOIL" in r["metadata"]["identifier"][0]))


def test_whitespace_and_reordering_leave_the_checksum_alone(eu, eu_raw):
    before = eu.map_record(_soil(eu_raw), EU_SEEN)
    raw = _soil(eu_raw)
    meta = raw["metadata"]
    meta["title"] = [
        "  Living labs to enhance   soil health in Continental, Black Sea,\n"
        "Pannonian and Steppic biogeographical regions "
    ]
    meta["keywords"] = list(reversed(meta["keywords"]))
    meta["tags"] = list(reversed(meta["tags"]))
    meta["descriptionByte"] = [meta["descriptionByte"][0].replace("</p><p>", "</p>\n\n  <p>")]
    after = eu.map_record(raw, datetime(2026, 5, 2, tzinfo=UTC))
    assert after.submission.sectors != before.submission.sectors  # order did change
    assert after.provenance.checksum == before.provenance.checksum


def test_a_moved_deadline_changes_the_checksum(eu, eu_raw):
    before = eu.map_record(_soil(eu_raw), EU_SEEN)
    raw = _soil(eu_raw)
    raw["metadata"]["deadlineDate"] = [
        "2027-04-22T00:00:00.000+0000",
        "2027-09-14T00:00:00.000+0000",
    ]
    after = eu.map_record(raw, EU_SEEN)
    assert after.submission.deadline == date(2027, 4, 22)
    assert after.provenance.checksum != before.provenance.checksum


# --- UN Partner Portal (built from its serializer) ----------------------------------------


def test_the_unpp_sample_maps_without_a_crash_and_says_why_it_rejects(unpp_out):
    assert len(unpp_out) == 13
    assert len(_calls(unpp_out)) == 10
    assert _reasons(unpp_out) == Counter(
        {"no Grant Match sector in its specializations": 2, "names no country we know": 1}
    )


def test_unpp_country_names_become_iso_codes(unpp_out):
    calls = _calls(unpp_out)
    assert calls["CEF/LAO/2019/001"].submission.countries == ["LA"]  # "Lao, People's Dem. Rep"
    assert calls["CEF/VNM/2019/003"].submission.countries == ["VN"]  # "Viet Nam"
    assert calls["HCR/BGD/2019/007"].submission.countries == ["BD", "MM"]
    assert calls["HCR/TUR/2019/002"].submission.countries == ["TR"]
    assert all(c.origins["countries"] is Origin.GIVEN for c in calls.values())


def test_unpp_specializations_become_sectors(unpp_out):
    call = _calls(unpp_out)["HCR/MMR/2019/004"]
    assert {s.value for s in call.submission.sectors} == {"gender-equality", "human-rights"}
    assert call.origins["sectors"] is Origin.INFERRED
    assert str(call.submission.url) == (
        "https://www.unpartnerportal.org/api/public/export/projects/1920/"
    )
    assert call.notes["agency"] == "UNHCR"


def test_a_unpp_call_reaches_the_cso_of_its_country(unpp_out):
    call = _calls(unpp_out)["CEF/KHM/2019/004"]
    assert screen(_stored(call), _cambodian_ngo(), date(2019, 5, 20)).eligible
    other = _calls(unpp_out)["CEF/JOR/2019/009"]
    assert not screen(_stored(other), _cambodian_ngo(), date(2019, 5, 20)).eligible


# --- simpler.grants.gov (built from its OpenAPI schema) -----------------------------------


def test_the_simpler_sample_maps_without_a_crash_and_says_why_it_rejects(sgg_out):
    assert len(sgg_out) == 8
    assert len(_calls(sgg_out)) == 5
    assert _reasons(sgg_out) == Counter(
        {
            "no applicant type Grant Match covers": 1,
            "a procurement contract, not a grant": 1,
            "no Grant Match sector in its funding categories": 1,
        }
    )


def test_a_us_only_call_never_reaches_a_cambodian_ngo(sgg_out):
    calls = _calls(sgg_out)
    for source_id in (
        "123e4567-e89b-12d3-a456-426614174000",
        "123e4567-e89b-12d3-a456-426614174007",
    ):
        call = calls[source_id]
        assert call.submission.countries == ["US"]
        assert call.origins["countries"] is Origin.INFERRED
        assert "US applicants only" in call.notes["countries"]
        verdict = screen(_stored(call), _cambodian_ngo(), date(2026, 10, 1))
        assert not verdict.eligible and "country not covered" in verdict.failures


def test_foreign_applicants_and_named_mekong_countries_reach_those_countries(sgg_out):
    call = _calls(sgg_out)["123e4567-e89b-12d3-a456-426614174001"]
    assert sorted(call.submission.countries) == ["MM", "TH"]
    assert call.hold is None
    burmese = Applicant.of(b.profile(countries=["MM"], sectors=["human-rights"]))
    assert screen(_stored(call), burmese, date(2026, 10, 1)).eligible


def test_foreign_applicants_without_a_named_country_are_held_not_worldwide(sgg_out):
    call = _calls(sgg_out)["123e4567-e89b-12d3-a456-426614174002"]
    assert call.hold and "names no country" in call.hold
    assert not call.alertable
    assert call.origins["countries"] is Origin.UNKNOWN


def test_a_forecast_takes_its_estimated_close_date_marked_inferred(sgg_out):
    call = _calls(sgg_out)["123e4567-e89b-12d3-a456-426614174004"]
    assert call.status is CallStatus.FORTHCOMING
    assert call.submission.deadline == date(2027, 1, 15)
    assert call.origins["deadline"] is Origin.INFERRED
    assert call.submission.amount_min is None  # award_floor 0 means "not given"
    assert call.submission.amount_max == 200_000


def test_the_agency_contact_email_is_never_kept(sgg_out):
    for call in _calls(sgg_out).values():
        assert "@" not in call.submission.model_dump_json()
        assert "@" not in json.dumps(dict(call.notes))


# --- the mapping table ---------------------------------------------------------------------


def test_the_harvest_table_loads_through_the_importers_checks():
    mappings = load_harvest_mappings()
    assert mappings.country("Lao, People's Dem. Rep") == "LA"
    assert mappings.places_in_text("NGOs based in Burma, and the Mekong.") == [
        "MM",
        "KH",
        "LA",
        "TH",
        "VN",
    ]


def test_a_slug_outside_the_taxonomy_is_refused_when_loading():
    from importlib import resources

    data = json.loads(
        resources.files("shared").joinpath("data/harvest_mappings.json").read_text("utf-8")
    )
    data["sectors"]["eu_keyword"]["agriculture"] = ["agricultur"]
    with pytest.raises(ValueError, match="agricultur"):
        HarvestMappings(data)
    data = json.loads(
        resources.files("shared").joinpath("data/harvest_mappings.json").read_text("utf-8")
    )
    data["source_applicant_types"]["un_partner_portal"] = ["ngo"]
    with pytest.raises(ValueError, match="ngo"):
        HarvestMappings(data)
