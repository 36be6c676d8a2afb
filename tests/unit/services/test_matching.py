"""Matching a new grant and a new profile: matches stored under deterministic ids,
`match.found` published once, and a redelivered event changes nothing."""

from __future__ import annotations

from shared.domain.events import EventName
from shared.domain.ids import match_id
from shared.domain.taxonomy import TargetKind
from tests.unit.services.pipeline import deliver, new_grant, new_profile, new_project

PROFILE, PROJECT = TargetKind.PROFILE, TargetKind.PROJECT


def _match_events(ad) -> list:
    return ad.publisher.events(EventName.MATCH_FOUND)


def _deliver_last(ad, name: EventName) -> None:
    deliver(ad, ad.publisher.events(name)[-1])


def test_a_new_grant_is_matched_with_the_profiles_and_projects_it_fits(ad):
    fits = new_profile(ad, countries=["KH"])
    elsewhere = new_profile(ad, countries=["VN"], email="vn@cso.example.org")
    project = new_project(ad, country="LA")
    gid = new_grant(ad, countries=["KH", "LA"])
    _deliver_last(ad, EventName.GRANT_PUBLISHED)
    assert [m.id for m in ad.matches.for_target(PROFILE, fits)] == [match_id(gid, "profile", fits)]
    assert [m.id for m in ad.matches.for_target(PROJECT, project)] == [
        match_id(gid, "project", project)
    ]
    assert ad.matches.for_target(PROFILE, elsewhere) == []


def test_a_new_grant_publishes_match_found_once_per_match(ad):
    pid = new_profile(ad)
    gid = new_grant(ad)
    _deliver_last(ad, EventName.GRANT_PUBLISHED)
    [event] = _match_events(ad)
    assert (event.parsed().match_id, event.parsed().target_id) == (
        match_id(gid, "profile", pid),
        pid,
    )


def test_a_redelivered_grant_event_publishes_nothing_more(ad):
    new_profile(ad)
    new_grant(ad)
    grant_published = ad.publisher.events(EventName.GRANT_PUBLISHED)[-1]
    deliver(ad, grant_published)
    assert deliver(ad, grant_published) == ["duplicate"]
    assert len(_match_events(ad)) == 1


def test_matching_again_after_a_lost_ledger_stores_no_new_match_and_reuses_event_ids(ad):
    pid = new_profile(ad)
    new_grant(ad)
    grant_published = ad.publisher.events(EventName.GRANT_PUBLISHED)[-1]
    deliver(ad, grant_published)
    matches_before = ad.matches.for_target(PROFILE, pid)
    ad.processed.forget_all()  # the consumer died before it recorded the event
    deliver(ad, grant_published)
    assert ad.matches.for_target(PROFILE, pid) == matches_before
    first, again = _match_events(ad)
    assert again.id == first.id  # notify's ledger drops the repeat


def test_a_new_profile_is_matched_with_the_open_grants_it_fits(ad):
    open_grant = new_grant(ad, title="Open call")
    new_grant(ad, title="Closed call", deadline="2026-01-31")
    new_grant(ad, title="Elsewhere", countries=["VN"])
    pid = new_profile(ad, countries=["KH"])
    _deliver_last(ad, EventName.PROFILE_CREATED)
    assert [m.grant_id for m in ad.matches.for_target(PROFILE, pid)] == [open_grant]
    [event] = _match_events(ad)
    assert event.parsed().match_id == match_id(open_grant, "profile", pid)


def test_a_redelivered_profile_event_changes_nothing(ad):
    new_grant(ad)
    pid = new_profile(ad)
    profile_created = ad.publisher.events(EventName.PROFILE_CREATED)[-1]
    deliver(ad, profile_created)
    matches_before = ad.matches.for_target(PROFILE, pid)
    assert deliver(ad, profile_created) == ["duplicate", "duplicate"]
    assert ad.matches.for_target(PROFILE, pid) == matches_before
    assert len(_match_events(ad)) == 1
