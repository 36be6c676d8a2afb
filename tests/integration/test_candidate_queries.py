"""Candidate retrieval against the real Firestore emulator: indexed queries find every
target a grant can fit (and every grant a target can fit) without reading the rest."""

from __future__ import annotations

from datetime import timedelta

import pycountry

from shared.domain.models import GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.services.submissions import submit_grant, submit_profile, submit_project
from tests.builders import NOW, grant_body, profile_body, project_body
from tests.real_adapters import at, documents_read


def _project(ad, **overrides) -> str:
    body = ProjectSubmission(**project_body(**overrides))
    return submit_project(at(ad, NOW), body, idempotency_key=None, correlation_id="c-test-01").id


def _profile(ad, **overrides) -> str:
    body = ProfileSubmission(**profile_body(**overrides))
    return submit_profile(at(ad, NOW), body, idempotency_key=None, correlation_id="c-test-01").id


def _grant(ad, **overrides):
    body = GrantSubmission(**grant_body(**overrides))
    gid = submit_grant(at(ad, NOW), "f_1", body, correlation_id="c-test-01").id
    return ad.grants.get(gid)


def _read(ad, fetch) -> tuple[set[str], int]:
    before = documents_read(ad)
    ids = {doc.id for doc in fetch()}
    return ids, documents_read(ad) - before


def test_grant_reads_only_projects_in_its_countries_sectors_and_types(ad):
    fits = {
        _project(ad, country="KH", sectors=["digital-security"]),
        _project(ad, country="LA", sectors=["health", "media-freedom"]),
        _project(ad, country="LA", sectors=["media-freedom"], applicant_type="unregistered_group"),
    }
    _project(ad, country="TH", sectors=["digital-security"])  # other country
    _project(ad, country="KH", sectors=["health"])  # other sector
    _project(ad, country="KH", applicant_type="individual")  # other applicant type
    grant = _grant(ad, countries=["KH", "LA"], sectors=["digital-security", "media-freedom"])

    found, reads = _read(ad, lambda: ad.subscribers.candidate_projects(grant))

    assert found == fits
    assert reads == len(fits)


def test_worldwide_grant_finds_targets_by_sector_in_every_country(ad):
    fits = {
        _profile(ad, countries=["MM"], sectors=["health"]),
        _profile(ad, countries=["VN", "TH"], sectors=[]),  # no sectors: wants every sector
    }
    _profile(ad, countries=["KH"], sectors=["climate"])
    grant = _grant(ad, countries=[], sectors=["health"])

    found, reads = _read(ad, lambda: ad.subscribers.candidate_profiles(grant))

    assert found == fits
    assert reads == len(fits)


def test_any_sector_grant_finds_targets_by_country(ad):
    fits = {_project(ad, country="LA", sectors=["climate"])}
    _project(ad, country="TH", sectors=["climate"])
    grant = _grant(ad, countries=["LA"], sectors=[])
    found, reads = _read(ad, lambda: ad.subscribers.candidate_projects(grant))
    assert found == fits and reads == 1


def test_unregistered_groups_are_candidates_only_when_a_fiscal_sponsor_is_accepted(ad):
    group = _profile(ad, applicant_type="unregistered_group")
    without = _grant(
        ad, external_id="no-sponsor", applicant_types=["registered_ngo"], fiscal_sponsor_ok=False
    )
    with_sponsor = _grant(
        ad, external_id="sponsor", applicant_types=["registered_ngo"], fiscal_sponsor_ok=True
    )
    assert _read(ad, lambda: ad.subscribers.candidate_profiles(without))[0] == set()
    assert _read(ad, lambda: ad.subscribers.candidate_profiles(with_sponsor))[0] == {group}


def test_grant_naming_more_countries_than_one_query_takes_still_finds_everyone(ad):
    # 40 countries x 3 sectors x 3 applicant types is far past Firestore's 30 disjunctions.
    countries = sorted(c.alpha_2 for c in pycountry.countries)[:40]
    far = _profile(ad, countries=[countries[-1]], sectors=["youth"])
    near = _profile(ad, countries=[countries[0]], sectors=["health"])
    grant = _grant(
        ad,
        countries=countries,
        sectors=["youth", "health", "education"],
        applicant_types=["registered_ngo", "network", "academic"],
        fiscal_sponsor_ok=True,
    )
    assert _read(ad, lambda: ad.subscribers.candidate_profiles(grant))[0] == {far, near}


def test_new_profile_finds_open_grants_of_any_sector_when_it_names_none(ad):
    today = NOW.date()
    fits = {
        _grant(ad, external_id="kh", countries=["KH"], sectors=["health"]).id,
        _grant(ad, external_id="world", countries=[], sectors=["climate"], deadline=None).id,
        _grant(ad, external_id="today", countries=["VN"], deadline=today.isoformat()).id,
    }
    _grant(
        ad, external_id="closed", countries=["KH"], deadline=(today - timedelta(days=1)).isoformat()
    )
    _grant(ad, external_id="elsewhere", countries=["TH"])
    found, reads = _read(ad, lambda: ad.grants.open_for(["KH", "VN"], today, None))
    assert found == fits
    assert reads == len(fits)


def test_new_project_reads_only_grants_of_its_sectors(ad):
    today = NOW.date()
    fits = {
        _grant(ad, external_id="ds", countries=["LA"], sectors=["digital-security"]).id,
        _grant(ad, external_id="any", countries=["LA"], sectors=[]).id,
    }
    _grant(ad, external_id="health", countries=["LA"], sectors=["health"])
    found, reads = _read(
        ad, lambda: ad.grants.open_for(["LA"], today, ["digital-security", "youth"])
    )
    assert found == fits
    assert reads == len(fits)
