"""The hard eligibility rules, each edge on its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.matching.screening import Applicant, screen
from shared.services.matchmaking import deadline_today
from tests import builders as b

TODAY = b.today()


def _screen(grant_kwargs: dict, target=None):
    target = target or b.project()
    return screen(b.grant(**grant_kwargs), Applicant.of(target), TODAY)


def test_grant_open_on_its_deadline_day():
    assert _screen({"deadline": TODAY.isoformat()}).eligible


def test_grant_closed_the_day_after_its_deadline():
    result = _screen({"deadline": (TODAY - timedelta(days=1)).isoformat()})
    assert not result.eligible
    assert any(f.startswith("closed on") for f in result.failures)


def test_rolling_grant_is_always_open():
    result = _screen({"deadline": None})
    assert result.eligible
    assert "deadline: rolling" in result.reasons


def test_empty_country_list_means_worldwide():
    result = _screen({"countries": []}, b.project(country="MM"))
    assert result.eligible
    assert "country: worldwide" in result.reasons


def test_country_outside_the_grant_is_excluded():
    result = _screen({"countries": ["TH"]}, b.project(country="LA"))
    assert not result.eligible
    assert "country not covered" in result.failures


def test_profile_fits_when_any_of_its_countries_is_covered():
    result = _screen({"countries": ["VN", "KH"]}, b.profile(countries=["KH", "TH"]))
    assert result.eligible
    assert "country: KH" in result.reasons


def test_unregistered_group_fits_through_a_fiscal_sponsor():
    target = b.project(applicant_type="unregistered_group")
    result = _screen({"applicant_types": ["registered_ngo"], "fiscal_sponsor_ok": True}, target)
    assert result.eligible and result.via_fiscal_sponsor
    assert "applicant: unregistered group via fiscal sponsor" in result.reasons


def test_unregistered_group_excluded_without_fiscal_sponsor():
    target = b.project(applicant_type="unregistered_group")
    result = _screen({"applicant_types": ["registered_ngo"], "fiscal_sponsor_ok": False}, target)
    assert not result.eligible


def test_unregistered_group_named_by_the_grant_needs_no_sponsor():
    target = b.project(applicant_type="unregistered_group")
    result = _screen({"applicant_types": ["unregistered_group"], "fiscal_sponsor_ok": True}, target)
    assert result.eligible and not result.via_fiscal_sponsor


def test_fiscal_sponsor_does_not_help_other_applicant_types():
    target = b.project(applicant_type="individual")
    result = _screen({"applicant_types": ["registered_ngo"], "fiscal_sponsor_ok": True}, target)
    assert not result.eligible


def test_grant_without_sectors_fits_any_sector():
    assert _screen({"sectors": []}, b.project(sectors=["health"])).eligible


def test_no_shared_sector_is_excluded():
    result = _screen({"sectors": ["climate"]}, b.project(sectors=["health"]))
    assert not result.eligible
    assert "no shared sector" in result.failures


def test_shared_sector_is_given_as_reason():
    result = _screen({"sectors": ["climate", "health"]}, b.project(sectors=["health"]))
    assert "sector: health" in result.reasons


def test_all_failures_are_reported_together():
    result = _screen(
        {"deadline": "2020-01-01", "countries": ["TH"], "sectors": ["climate"]},
        b.project(country="LA", sectors=["health"]),
    )
    assert len(result.failures) == 3


def test_deadline_day_ends_anywhere_on_earth():
    # 2026-12-01 23:30 in UTC-12 is 2026-12-02 11:30 UTC: the deadline day is not over yet.
    assert deadline_today(datetime(2026, 12, 2, 11, 30, tzinfo=UTC)) == date(2026, 12, 1)
    assert deadline_today(datetime(2026, 12, 2, 12, 30, tzinfo=UTC)) == date(2026, 12, 2)


def test_profile_without_sectors_fits_a_grant_of_any_sector():
    result = _screen({"sectors": ["climate"]}, b.profile(sectors=[]))
    assert result.eligible
    assert "sector: any (profile has no sector preference)" in result.reasons


def test_profile_with_no_shared_country_is_excluded():
    result = _screen({"countries": ["VN"]}, b.profile(countries=["KH", "TH"]))
    assert not result.eligible


def test_worldwide_grant_for_any_sector_still_checks_the_applicant_type():
    grant = {"countries": [], "sectors": [], "applicant_types": ["academic"]}
    assert not _screen(grant, b.project(applicant_type="registered_ngo")).eligible
    assert _screen(grant, b.project(applicant_type="academic")).eligible


def test_deadline_tomorrow_is_open_and_yesterday_closed_for_a_profile_too():
    profile = b.profile(applicant_type="registered_ngo")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert _screen({"deadline": tomorrow}, profile).eligible
    assert not _screen({"deadline": yesterday}, profile).eligible


def test_reasons_read_sector_country_applicant_then_deadline():
    reasons = _screen({"deadline": "2027-03-31"}).reasons
    assert [r.split(":")[0] for r in reasons] == ["sector", "country", "applicant", "deadline"]
