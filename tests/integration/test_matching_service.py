"""Matching in both directions against real Firestore queries, idempotent on redelivery."""

from __future__ import annotations

from shared.domain.events import GrantPublished, ProfileCreated, ProjectSubmitted, new_event
from shared.domain.models import GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.services.matchmaking import on_grant_published, on_profile_created, on_project_submitted
from shared.services.submissions import submit_grant, submit_profile, submit_project
from tests.builders import grant_body, profile_body, project_body
from tests.real_adapters import client_of, documents_read


def _grant(ad, **overrides):
    return submit_grant(
        ad,
        "f_1",
        GrantSubmission(**grant_body(**overrides)),
        correlation_id="c-grant-1",
    )


def _project(ad, **overrides):
    return submit_project(
        ad,
        ProjectSubmission(**project_body(**overrides)),
        idempotency_key=None,
        correlation_id="c-proj-1",
    )


def _profile(ad, **overrides):
    return submit_profile(
        ad,
        ProfileSubmission(**profile_body(**overrides)),
        idempotency_key=None,
        correlation_id="c-prof-1",
    )


def _grant_event(ad, grant_id):
    grant = ad.grants.get(grant_id)
    payload = GrantPublished(grant_id=grant_id, funder_id=grant.funder_id, revision=grant.revision)
    return new_event(payload, correlation_id="c-grant-1", now=ad.clock.now())


def _grant_published(ad, grant_id):
    event = _grant_event(ad, grant_id)
    return on_grant_published(event, ad, event.parsed())


def _matches(ad) -> list[dict]:
    return [s.to_dict() for s in client_of(ad).collection("matches").stream()]


def test_new_grant_matches_fitting_profiles_and_projects_only(ad, bus):
    fits_profile = _profile(ad, countries=["KH"], sectors=["digital-security"]).id
    _profile(ad, countries=["TH"], sectors=["digital-security"])  # wrong country
    fits_project = _project(ad, country="LA", sectors=["media-freedom"]).id
    _project(ad, country="LA", sectors=["health"])  # no shared sector
    grant_id = _grant(ad).id
    bus.pull("match-found")  # discard: nothing matched before the grant existed

    matches = _grant_published(ad, grant_id)

    assert {(m.target_kind.value, m.target_id) for m in matches} == {
        ("profile", fits_profile),
        ("project", fits_project),
    }
    assert len(_matches(ad)) == 2
    announced = bus.events("match-found")
    assert {e.parsed().target_id for e in announced} == {fits_profile, fits_project}
    assert all(e.correlation_id == "c-grant-1" for e in announced)


def test_worldwide_grant_reaches_every_country(ad):
    profile_id = _profile(ad, countries=["MM"], sectors=["digital-security"]).id
    grant_id = _grant(ad, countries=[]).id
    matches = _grant_published(ad, grant_id)
    assert [m.target_id for m in matches] == [profile_id]


def test_redelivered_grant_event_creates_no_second_match(ad, bus):
    _profile(ad)
    grant_id = _grant(ad).id
    event = _grant_event(ad, grant_id)
    on_grant_published(event, ad, event.parsed())
    on_grant_published(event, ad, event.parsed())
    assert len(_matches(ad)) == 1
    announced = bus.events("match-found")
    # Same cause, same match: the announcement carries the same event id both times.
    assert len({e.id for e in announced}) == 1


def test_new_project_finds_open_grants_including_worldwide_and_rolling(ad):
    regional = _grant(ad, external_id="regional", countries=["LA"]).id
    worldwide = _grant(ad, external_id="worldwide", countries=[], deadline=None).id
    _grant(ad, external_id="closed", countries=["LA"], deadline="2020-01-01")
    _grant(ad, external_id="elsewhere", countries=["TH"])
    project_id = _project(ad, country="LA").id
    event = new_event(
        ProjectSubmitted(project_id=project_id), correlation_id="c-proj-1", now=ad.clock.now()
    )
    matches = on_project_submitted(event, ad, event.parsed())
    assert {m.grant_id for m in matches} == {regional, worldwide}


def test_new_profile_finds_open_grants(ad):
    grant_id = _grant(ad, countries=["KH"]).id
    profile_id = _profile(ad, countries=["KH", "VN"]).id
    event = new_event(
        ProfileCreated(profile_id=profile_id), correlation_id="c-prof-1", now=ad.clock.now()
    )
    assert [m.grant_id for m in on_profile_created(event, ad, event.parsed())] == [grant_id]


def test_event_for_a_deleted_grant_is_a_no_op(ad):
    event = new_event(
        GrantPublished(grant_id="g_gone", funder_id="f", revision=1),
        correlation_id="c-1234567",
        now=ad.clock.now(),
    )
    assert on_grant_published(event, ad, event.parsed()) == []


def test_stored_match_carries_the_engine_score_and_reasons(ad):
    project_id = _project(ad, country="LA", amount_needed=25000, currency="USD").id
    grant_id = _grant(ad).id
    (match,) = _grant_published(ad, grant_id)
    stored = ad.matches.get(match.id)
    assert stored.target_id == project_id
    assert 0 < stored.score <= 1
    assert "amount fits: 25,000 USD in 5,000–40,000 USD" in stored.reasons
    assert stored.reasons[-1] == "deadline: 2027-03-31"


def test_closed_grant_reads_no_candidates(ad):
    _profile(ad, countries=["KH"])
    grant_id = _grant(ad, deadline="2020-01-01").id
    reads_before = documents_read(ad)
    assert _grant_published(ad, grant_id) == []
    assert documents_read(ad) == reads_before
