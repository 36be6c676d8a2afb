"""One contract, two implementations: every store behaviour the services rely on, run on
the in-memory fakes (tests/fakes) and on the Firestore stores against the emulator.

A fake that answers differently from Firestore would let a unit test pass on behaviour
production does not have; each test here runs on both, with the same expected values, so
the two cannot drift. The fake half needs no Java; the Firestore half uses the session's
emulators and an empty database (the `ad` fixture).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.adapters.ports import (
    AlertStatus,
    ClaimOutcome,
    ConcurrentUpdate,
    GrantWrite,
    NotificationClaim,
    NotificationStatus,
    SaveOutcome,
    alert_id,
)
from shared.domain.events import (
    ErasureRequested,
    GrantPublished,
    InterestAccepted,
    InterestExpressed,
    ProfileCreated,
    ProjectSubmitted,
    SubscriptionConfirmed,
    new_event,
)
from shared.domain.ids import interest_id, match_id
from shared.domain.models import Grant, GrantProvenance, Interest, Match
from shared.domain.recipients import EmailKind, RecipientKind
from shared.domain.taxonomy import ApplicantType, TargetKind
from shared.runtime.bootstrap import Adapters
from tests.builders import NOW, grant, profile, project
from tests.fakes import fake_adapters

PROFILE, PROJECT, FUNDER = RecipientKind.PROFILE, RecipientKind.PROJECT, RecipientKind.FUNDER
LEASE = timedelta(seconds=120)


@pytest.fixture(params=["fake", pytest.param("firestore", marks=pytest.mark.integration)])
def stores(request: pytest.FixtureRequest) -> Adapters:
    """The fakes, or the Firestore stores on an empty emulator database."""
    if request.param == "fake":
        return fake_adapters()
    return request.getfixturevalue("ad")


# -- helpers ---------------------------------------------------------------------------------
def _event(payload, minutes: int = 0, event_id: str | None = None):
    return new_event(
        payload,
        correlation_id="c-contract",
        now=NOW + timedelta(minutes=minutes),
        event_id=event_id,
    )


def _save_grant(ad: Adapters, g: Grant, digest: str = "h1", minutes: int = 0) -> GrantWrite:
    write = GrantWrite(
        g,
        digest,
        _event(GrantPublished(grant_id=g.id, funder_id=g.funder_id, revision=g.revision), minutes),
        None,
    )
    ad.grants.save([write])
    return write


def _new_project(ad: Adapters, pid: str, request_hash: str = "r1", **fields):
    p = project(id=pid, **fields)
    return ad.subscribers.create_project(p, request_hash, _event(ProjectSubmitted(project_id=pid)))


def _new_profile(ad: Adapters, pid: str, request_hash: str = "r1", **fields):
    p = profile(id=pid, **fields)
    return ad.subscribers.create_profile(p, request_hash, _event(ProfileCreated(profile_id=pid)))


def _match(g: str, kind: TargetKind, target: str, score: float = 0.5) -> Match:
    mid = match_id(g, kind.value, target)
    return Match(id=mid, grant_id=g, target_kind=kind, target_id=target, score=score, reasons=[])


def _claim(kind: RecipientKind, rid: str, alert_ids=(), payload=None) -> NotificationClaim:
    return NotificationClaim(
        kind=EmailKind.ALERTS,
        recipient_kind=kind,
        recipient_id=rid,
        alert_ids=tuple(alert_ids),
        event_id="e-cause",
        correlation_id="c-contract",
        cause_name="notification.due",
        cause_payload=payload or {"recipient_id": rid},
    )


def _pending_ids(ad: Adapters) -> list[str]:
    return [e.id for e in ad.outbox.pending(NOW + timedelta(days=365), 100)]


# -- grants ----------------------------------------------------------------------------------
def test_a_saved_grant_is_read_back_with_its_version(stores):
    g = grant(id="g_1")
    _save_grant(stores, g, "hash-1")
    assert stores.grants.get("g_1") == g
    version = stores.grants.version("g_1")
    assert (version.content_hash, version.revision, version.created_at) == ("hash-1", 1, NOW)
    assert stores.grants.get("g_missing") is None
    assert set(stores.grants.versions(["g_1", "g_missing"])) == {"g_1"}


def test_a_grant_write_queues_its_event_in_the_outbox(stores):
    write = _save_grant(stores, grant(id="g_1"))
    assert _pending_ids(stores) == [write.event.id]


def test_replacing_a_grant_needs_the_version_that_was_read(stores):
    _save_grant(stores, grant(id="g_1"))
    read = stores.grants.version("g_1")
    newer = grant(id="g_1", title="Second title", revision=2)
    event = _event(GrantPublished(grant_id="g_1", funder_id="f_test", revision=2), 1)
    stores.grants.save([GrantWrite(newer, "h2", event, read)])
    assert stores.grants.get("g_1").title == "Second title"
    stale = GrantWrite(grant(id="g_1", title="Lost update"), "h3", _event(event.parsed(), 2), read)
    with pytest.raises(ConcurrentUpdate):
        stores.grants.save([stale])
    assert stores.grants.get("g_1").title == "Second title"
    assert stores.grants.version("g_1").content_hash == "h2"


def test_creating_a_grant_that_appeared_meanwhile_writes_nothing(stores):
    _save_grant(stores, grant(id="g_1"))
    other = grant(id="g_2")
    writes = [
        GrantWrite(
            other, "h", _event(GrantPublished(grant_id="g_2", funder_id="f", revision=1)), None
        ),
        GrantWrite(
            grant(id="g_1"),
            "h",
            _event(GrantPublished(grant_id="g_1", funder_id="f", revision=1)),
            None,
        ),
    ]
    with pytest.raises(ConcurrentUpdate):
        stores.grants.save(writes)
    assert stores.grants.get("g_2") is None
    assert len(_pending_ids(stores)) == 1


def test_deleting_a_grant_takes_its_matches_and_alerts(stores):
    _save_grant(stores, grant(id="g_1"))
    _save_grant(stores, grant(id="g_2"))
    doomed = _match("g_1", TargetKind.PROFILE, "a_1")
    kept = _match("g_2", TargetKind.PROFILE, "a_1")
    for m in (doomed, kept):
        stores.matches.save(m, NOW)
        stores.alerts.add(PROFILE, "a_1", m.id, m.grant_id, "c", NOW)
    assert stores.grants.delete("g_1") == 3
    assert stores.grants.get("g_1") is None and stores.matches.get(doomed.id) is None
    assert [a.id for a in stores.alerts.of_recipient(PROFILE, "a_1")] == [
        alert_id(PROFILE, kept.id)
    ]


def test_grants_closing_between_two_dates_inclusive(stores):
    for gid, deadline in [("g_a", "2026-12-01"), ("g_b", "2026-12-07"), ("g_c", "2026-12-08")]:
        _save_grant(stores, grant(id=gid, deadline=deadline))
    _save_grant(stores, grant(id="g_rolling", deadline=None))
    found = stores.grants.closing_between(date(2026, 12, 1), date(2026, 12, 7))
    assert [g.id for g in found] == ["g_a", "g_b"]


def test_open_grants_for_a_target_are_found_by_country_and_sector(stores):
    grants = {
        "g_kh_digital": {"countries": ["KH"], "sectors": ["digital-security"]},
        "g_la_digital": {"countries": ["LA"], "sectors": ["digital-security"]},
        "g_world_any": {"countries": [], "sectors": []},
        "g_kh_health": {"countries": ["KH"], "sectors": ["health"]},
        "g_kh_closed": {"countries": ["KH"], "sectors": [], "deadline": "2026-01-01"},
        "g_kh_rolling": {"countries": ["KH"], "sectors": [], "deadline": None},
    }
    for gid, fields in grants.items():
        _save_grant(stores, grant(id=gid, **fields))
    before = stores.grants.documents_read
    found = list(stores.grants.open_for(["KH"], date(2026, 11, 29), ["digital-security"]))
    assert sorted(g.id for g in found) == ["g_kh_digital", "g_kh_rolling", "g_world_any"]
    every_sector = list(stores.grants.open_for(["KH"], date(2026, 11, 29)))
    assert sorted(g.id for g in every_sector) == [
        "g_kh_digital",
        "g_kh_health",
        "g_kh_rolling",
        "g_world_any",
    ]
    assert stores.grants.documents_read - before == 7


# -- profiles, projects and recipients --------------------------------------------------------
def test_a_submission_is_created_once_and_replayed_after(stores):
    assert _new_project(stores, "p_1", "hash-a") is SaveOutcome.CREATED
    assert _new_project(stores, "p_1", "hash-a") is SaveOutcome.REPLAYED
    with pytest.raises(ConcurrentUpdate):
        _new_project(stores, "p_1", "hash-b")
    assert _new_profile(stores, "a_1") is SaveOutcome.CREATED
    assert stores.subscribers.get_project("p_1") == project(id="p_1")
    assert stores.subscribers.get_profile("a_1") == profile(id="a_1")
    assert len(_pending_ids(stores)) == 2


def test_candidate_queries_find_the_targets_a_grant_may_fit(stores):
    _new_profile(stores, "a_kh_digital", countries=["KH"], sectors=["digital-security"])
    _new_profile(stores, "a_kh_no_sectors", countries=["KH"], sectors=[])
    _new_profile(stores, "a_vn_digital", countries=["VN"], sectors=["digital-security"])
    _new_profile(
        stores, "a_kh_company", countries=["KH"], sectors=[], applicant_type="social_enterprise"
    )
    _new_project(stores, "p_la_digital", country="LA", sectors=["digital-security"])
    _new_project(stores, "p_kh_health", country="KH", sectors=["health"])
    g = grant(
        id="g_1",
        countries=["KH", "LA"],
        sectors=["digital-security"],
        applicant_types=["registered_ngo", "network"],
        fiscal_sponsor_ok=True,
    )
    before = stores.subscribers.documents_read
    profiles = [p.id for p in stores.subscribers.candidate_profiles(g)]
    projects = [p.id for p in stores.subscribers.candidate_projects(g)]
    assert profiles == ["a_kh_digital", "a_kh_no_sectors"]
    assert projects == ["p_la_digital"]
    assert stores.subscribers.documents_read - before == 3
    everyone = [t.value for t in ApplicantType]
    worldwide = grant(id="g_2", countries=[], sectors=[], applicant_types=everyone)
    assert len(list(stores.subscribers.candidate_profiles(worldwide))) == 4


def test_profiles_and_projects_are_found_by_their_address_key_and_retired(stores):
    _new_profile(stores, "a_1", email="one@cso.example.org", email_key="k1")
    _new_profile(stores, "a_2", email="one@cso.example.org", email_key="")
    _new_project(stores, "p_1", contact_email="one@cso.example.org", email_key="k1")
    _new_profile(stores, "a_3", email="other@cso.example.org", email_key="k3")
    assert stores.subscribers.with_address_key("k1") == [(PROFILE, "a_1"), (PROJECT, "p_1")]
    records = sorted(stores.subscribers.address_records())
    assert records == [
        (PROFILE, "a_1", "one@cso.example.org", "k1"),
        (PROFILE, "a_2", "one@cso.example.org", ""),
        (PROFILE, "a_3", "other@cso.example.org", "k3"),
        (PROJECT, "p_1", "one@cso.example.org", "k1"),
    ]
    stores.subscribers.set_email_key(PROFILE, "a_2", "k1")
    assert stores.subscribers.with_address_key("k1") == [
        (PROFILE, "a_1"), (PROFILE, "a_2"), (PROJECT, "p_1")
    ]  # fmt: skip
    stores.subscribers.retire_profile("a_1", "a_2", NOW)
    retired = stores.subscribers.get_profile("a_1")
    assert retired.unsubscribed_at == NOW and retired.superseded_by == "a_2"
    assert stores.subscribers.get_recipient(PROFILE, "a_1").unsubscribed
    stores.subscribers.retire_profile("a_gone", "a_2", NOW)  # gone meanwhile: nothing to do


def test_confirming_an_address_queues_its_event_once(stores):
    _new_profile(stores, "a_1", frequency="weekly")
    _new_profile(stores, "a_2", frequency="weekly")
    stores.outbox.published_many(stores.outbox.pending(NOW + timedelta(days=365), 100), NOW, NOW)
    event = _event(SubscriptionConfirmed(recipient_kind=PROFILE, recipient_id="a_1"), 5, "e-conf")
    stores.subscribers.confirm_recipient(PROFILE, "a_1", NOW, event)
    stores.subscribers.confirm_recipient(PROFILE, "a_1", NOW, event)
    recipient = stores.subscribers.get_recipient(PROFILE, "a_1")
    assert recipient.confirmed and not recipient.unsubscribed
    assert _pending_ids(stores) == ["e-conf"]
    assert stores.subscribers.weekly_profiles() == ["a_1"]
    stores.subscribers.unsubscribe_recipient(PROFILE, "a_1", NOW)
    assert stores.subscribers.get_recipient(PROFILE, "a_1").unsubscribed
    assert stores.subscribers.weekly_profiles() == []


def test_confirmed_projects_are_listed_newest_first_page_by_page(stores):
    for n in range(4):
        pid = f"p_{n}"
        created = NOW + timedelta(minutes=n)
        p = project(id=pid, visibility="public").model_copy(update={"created_at": created})
        stores.subscribers.create_project(p, "r", _event(ProjectSubmitted(project_id=pid)))
        if n != 2:
            event = _event(SubscriptionConfirmed(recipient_kind=PROJECT, recipient_id=pid))
            stores.subscribers.confirm_recipient(PROJECT, pid, NOW, event)
    first = stores.subscribers.projects_newest_first(
        ["public"], sector=None, country=None, after=None, limit=2
    )
    assert [p.id for p in first] == ["p_3", "p_1"]
    cursor = (first[-1].created_at, first[-1].id)
    rest = stores.subscribers.projects_newest_first(
        ["public"], sector="digital-security", country="LA", after=cursor, limit=2
    )
    assert [p.id for p in rest] == ["p_0"]
    assert (
        stores.subscribers.projects_newest_first(
            ["funders"], sector=None, country=None, after=None, limit=5
        )
        == []
    )


# -- funders ---------------------------------------------------------------------------------
def test_a_funder_with_a_contact_is_a_recipient_until_it_unsubscribes(stores):
    stores.funders.create("f_1", "Mekong Fund", NOW)
    stores.funders.create("f_2", "Quiet Fund", NOW)
    assert stores.funders.exists("f_1") and not stores.funders.exists("f_3")
    assert stores.funders.name_of("f_1") == "Mekong Fund"
    assert stores.subscribers.get_recipient(FUNDER, "f_1") is None  # no contact yet
    stores.funders.set_contact("f_1", "grants@fund.example.org", "km", NOW)
    funder = stores.subscribers.get_recipient(FUNDER, "f_1")
    assert (funder.email, funder.name, funder.language) == (
        "grants@fund.example.org",
        "Mekong Fund",
        "km",
    )
    assert stores.funders.with_contact() == ["f_1"]
    stores.subscribers.unsubscribe_recipient(FUNDER, "f_1", NOW)
    assert stores.funders.with_contact() == []
    assert stores.subscribers.get_recipient(FUNDER, "f_1").unsubscribed


def test_an_api_key_is_stored_hashed_and_can_be_revoked(stores):
    stores.funders.add_api_key("k_1", "f_1", "hash", NOW)
    key = stores.funders.get_api_key("k_1")
    assert (key.funder_id, key.secret_hash, key.revoked_at) == ("f_1", "hash", None)
    assert stores.funders.revoke_api_key("k_1", NOW) is True
    assert stores.funders.get_api_key("k_1").revoked_at == NOW
    assert stores.funders.revoke_api_key("k_missing", NOW) is False
    assert stores.funders.get_api_key("k_missing") is None


def test_a_signed_out_web_session_is_remembered_as_revoked(stores):
    assert stores.funders.session_revoked("sid-1") is False
    stores.funders.revoke_session("sid-1", "f_1", NOW, NOW + timedelta(hours=2))
    assert stores.funders.session_revoked("sid-1") is True
    assert stores.funders.session_revoked("sid-2") is False


# -- matches ---------------------------------------------------------------------------------
def test_a_match_is_new_once_then_refreshed(stores):
    m = _match("g_1", TargetKind.PROJECT, "p_1", 0.4)
    assert stores.matches.save(m, NOW) is True
    assert stores.matches.save(m.model_copy(update={"score": 0.9, "reasons": ["x"]}), NOW) is False
    assert (stores.matches.get(m.id).score, stores.matches.get(m.id).reasons) == (0.9, ["x"])
    stores.matches.save(_match("g_2", TargetKind.PROFILE, "p_1"), NOW)  # same id, other kind
    assert [x.id for x in stores.matches.for_target(TargetKind.PROJECT, "p_1")] == [m.id]


def test_a_grant_s_matches_are_counted_by_kind_never_listed(stores):
    for target in ("a_1", "a_2", "a_3"):
        stores.matches.save(_match("g_1", TargetKind.PROFILE, target), NOW)
    stores.matches.save(_match("g_1", TargetKind.PROJECT, "p_1"), NOW)
    stores.matches.save(_match("g_2", TargetKind.PROFILE, "a_1"), NOW)
    stores.matches.save(_match("g_1", TargetKind.PROFILE, "a_1"), NOW)  # again: still one
    assert stores.matches.count_for_grant("g_1", TargetKind.PROFILE) == 3
    assert stores.matches.count_for_grant("g_1", TargetKind.PROJECT) == 1
    assert stores.matches.count_for_grant("g_3", TargetKind.PROFILE) == 0


# -- alerts ----------------------------------------------------------------------------------
def test_an_alert_is_recorded_once_per_recipient_and_match(stores):
    assert stores.alerts.add(PROFILE, "a_1", "m_1", "g_1", "c-1", NOW) is True
    assert stores.alerts.add(PROFILE, "a_1", "m_1", "g_1", "c-2", NOW) is False
    alert = stores.alerts.get(alert_id(PROFILE, "m_1"))
    assert (alert.status, alert.due_at, alert.correlation_id) == (AlertStatus.PENDING, None, "c-1")
    assert alert.created_at == alert.updated_at == NOW


def test_due_alerts_come_earliest_first_and_postpone_once(stores):
    for n, minutes in [(1, 5), (2, 1), (3, 30)]:
        stores.alerts.add(PROFILE, "a_1", f"m_{n}", "g_1", "c", NOW)
        stores.alerts.set_due([alert_id(PROFILE, f"m_{n}")], NOW + timedelta(minutes=minutes), NOW)
    due = stores.alerts.due(NOW + timedelta(minutes=10), 10)
    assert [d.alert.id for d in due] == [alert_id(PROFILE, "m_2"), alert_id(PROFILE, "m_1")]
    first, second = due
    later = NOW + timedelta(hours=1)
    assert stores.alerts.postpone(first.alert.id, first.seen, later) is True
    assert stores.alerts.get(first.alert.id).due_at == later
    assert stores.alerts.postpone(first.alert.id, first.seen, later) is False  # written since
    stores.alerts.mark_sent([second.alert.id], "n-1", NOW)  # sent while being announced
    assert stores.alerts.postpone(second.alert.id, second.seen, later) is False
    assert stores.alerts.postpone("profile:m_missing", first.seen, later) is False
    assert stores.alerts.due(NOW + timedelta(minutes=10), 10) == []


def test_alerts_are_marked_sent_reminded_or_closed(stores):
    for n in range(1, 5):
        stores.alerts.add(PROFILE, "a_1", f"m_{n}", f"g_{n}", "c", NOW)
    ids = [alert_id(PROFILE, f"m_{n}") for n in range(1, 5)]
    later = NOW + timedelta(minutes=1)
    stores.alerts.mark_sent([ids[0]], "alerts:profile:a_1:m_1", later)
    stores.alerts.mark_reminded([ids[1]], "reminder:profile:a_1:2026-11-29", later)
    stores.alerts.close([ids[2]], AlertStatus.EXPIRED, later)
    sent, reminded, expired, pending = (stores.alerts.get(i) for i in ids)
    assert (sent.status, sent.sent_in, sent.sent_at, sent.updated_at) == (
        AlertStatus.SENT,
        "alerts:profile:a_1:m_1",
        later,
        later,
    )
    assert (reminded.status, reminded.reminded_at) == (AlertStatus.SENT, later)
    assert expired.status is AlertStatus.EXPIRED
    assert [a.id for a in stores.alerts.of_recipient(PROFILE, "a_1")] == [pending.id]
    both = stores.alerts.of_recipient(PROFILE, "a_1", (AlertStatus.PENDING, AlertStatus.SENT))
    assert [a.id for a in both] == [ids[0], ids[1], ids[3]]
    assert [a.id for a in stores.alerts.for_grants(["g_1", "g_3", "g_9"])] == [ids[0], ids[2]]


def test_muting_a_grant_creates_or_changes_its_alert(stores):
    stores.alerts.add(PROFILE, "a_1", "m_1", "g_1", "c", NOW)
    stores.alerts.mute(PROFILE, "a_1", "m_1", "g_1", NOW)
    stores.alerts.mute(PROFILE, "a_1", "m_2", "g_2", NOW)  # muted before it ever matched
    changed, created = stores.alerts.get("profile:m_1"), stores.alerts.get("profile:m_2")
    assert (changed.status, changed.created_at) == (AlertStatus.MUTED, NOW)
    assert (created.status, created.created_at, created.grant_id) == (
        AlertStatus.MUTED,
        None,
        "g_2",
    )
    assert stores.alerts.add(PROFILE, "a_1", "m_2", "g_2", "c", NOW) is False


# -- notifications ---------------------------------------------------------------------------
def test_a_notification_is_claimed_by_one_sender_then_done(stores):
    claim = _claim(PROFILE, "a_1", ["profile:m_1"])
    notifications = stores.notifications
    assert notifications.claim("n-1", claim, NOW, LEASE) is ClaimOutcome.CLAIMED
    assert notifications.claim("n-1", claim, NOW + timedelta(seconds=5), LEASE) is ClaimOutcome.BUSY
    notifications.mark_sent("n-1", message_id="msg-1", provider_status=202, event_id="e-2", now=NOW)
    record = notifications.get("n-1")
    assert (record.status, record.message_id, record.sent_by_event, record.lease_until) == (
        NotificationStatus.SENT,
        "msg-1",
        "e-2",
        None,
    )
    assert record.alert_ids == ("profile:m_1",) and record.attempts == 1
    assert notifications.claim("n-1", claim, NOW + LEASE * 2, LEASE) is ClaimOutcome.DONE


def test_a_released_claim_is_taken_again_and_a_failed_one_is_done(stores):
    claim = _claim(PROFILE, "a_1")
    stores.notifications.claim("n-1", claim, NOW, LEASE)
    stores.notifications.release("n-1", NOW, "sendgrid 503")
    record = stores.notifications.get("n-1")
    assert (record.status, record.last_error) == (NotificationStatus.RETRYING, "sendgrid 503")
    assert stores.notifications.claim("n-1", claim, NOW, LEASE) is ClaimOutcome.CLAIMED
    assert stores.notifications.get("n-1").attempts == 2
    stores.notifications.mark_failed("n-1", error="bad address", provider_status=400, now=NOW)
    assert stores.notifications.get("n-1").status is NotificationStatus.FAILED
    assert stores.notifications.claim("n-1", claim, NOW, LEASE) is ClaimOutcome.DONE
    assert stores.notifications.get("n-missing") is None


def test_a_claim_whose_lease_ran_out_is_stale(stores):
    stores.notifications.claim("n-old", _claim(PROFILE, "a_1"), NOW, LEASE)
    stores.notifications.claim("n-new", _claim(PROFILE, "a_2"), NOW + LEASE, LEASE)
    stale = stores.notifications.stale(NOW + LEASE + timedelta(seconds=1), 10)
    assert [(r.id, r.cause_name, r.cause_payload) for r in stale] == [
        ("n-old", "notification.due", {"recipient_id": "a_1"})
    ]


# -- interests -------------------------------------------------------------------------------
def test_an_interest_pledges_once_and_is_accepted_once(stores):
    _new_project(stores, "p_1")
    iid = interest_id("f_1", "p_1")
    interest = Interest(
        id=iid, funder_id="f_1", project_id="p_1", pledge=2500, currency="USD", created_at=NOW
    )
    expressed = _event(InterestExpressed(interest_id=iid), event_id="e-expressed")
    assert stores.interests.create(interest, expressed) is True
    assert stores.interests.create(interest, _event(InterestExpressed(interest_id=iid))) is False
    assert stores.subscribers.get_project("p_1").pledged_amount == 2500
    assert stores.interests.get_many([iid, "i_missing"]) == {iid: interest}
    accepted = _event(InterestAccepted(interest_id=iid), event_id="e-accepted")
    stores.interests.accept(iid, "Write to us", NOW, accepted)
    stores.interests.accept(iid, "Changed my mind", NOW + timedelta(hours=1), accepted)
    stored = stores.interests.get(iid)
    assert (stored.accepted_at, stored.reply) == (NOW, "Write to us")
    assert "e-expressed" in _pending_ids(stores) and "e-accepted" in _pending_ids(stores)


# -- erasure ---------------------------------------------------------------------------------
def test_erasure_deletes_everything_kept_for_an_address_and_nothing_else(stores):
    leaving, staying = "leaving@cso.example.org", "staying@cso.example.org"
    _new_profile(stores, "a_1", email=leaving)
    _new_project(stores, "p_1", contact_email=leaving, visibility="public")
    _new_project(stores, "p_2", contact_email=staying)
    for target_kind, tid in [(TargetKind.PROFILE, "a_1"), (TargetKind.PROJECT, "p_1")]:
        m = _match("g_1", target_kind, tid)
        stores.matches.save(m, NOW)
        stores.alerts.add(RecipientKind(target_kind.value), tid, m.id, "g_1", "c", NOW)
    project_match = _match("g_1", TargetKind.PROJECT, "p_1").id
    stores.alerts.add(FUNDER, "f_1", project_match, "g_1", "c", NOW)
    kept = _match("g_1", TargetKind.PROJECT, "p_2")
    stores.matches.save(kept, NOW)
    iid = interest_id("f_1", "p_1")
    stores.interests.create(
        Interest(id=iid, funder_id="f_1", project_id="p_1", created_at=NOW),
        _event(InterestExpressed(interest_id=iid)),
    )
    stores.notifications.claim("n-profile", _claim(PROFILE, "a_1"), NOW, LEASE)
    stores.notifications.claim(
        "n-intro", _claim(FUNDER, "f_1", payload={"interest_id": iid}), NOW, LEASE
    )
    stores.notifications.claim("n-staying", _claim(PROJECT, "p_2"), NOW, LEASE)
    request = _event(ErasureRequested(request_id="e_1"))
    stores.erasure.create_request("e_1", leaving, NOW, NOW + timedelta(days=2), request)

    found = stores.erasure.recipients_with_address(leaving)
    assert found == [(PROFILE, "a_1"), (PROJECT, "p_1")]
    # Counted by reference, found or only named: a profile, a project, 2 matches, 4
    # alerts (its own 2, the funder's about the project, and the funder's id for the
    # profile's match, which was never written), 1 interest, 2 notifications, 1 request.
    assert stores.erasure.erase(found, leaving) == 12

    assert stores.subscribers.get_profile("a_1") is None
    assert stores.subscribers.get_project("p_1") is None
    assert stores.matches.for_target(TargetKind.PROJECT, "p_1") == []
    assert stores.alerts.for_grants(["g_1"]) == []
    assert stores.interests.get(iid) is None
    assert stores.notifications.get("n-profile") is None
    assert stores.notifications.get("n-intro") is None
    assert stores.erasure.get_request("e_1") is None
    assert stores.subscribers.get_project("p_2") is not None
    assert stores.matches.get(kept.id) is not None
    assert stores.notifications.get("n-staying") is not None


def test_an_erasure_request_is_kept_until_handled(stores):
    event = _event(ErasureRequested(request_id="e_1"))
    stores.erasure.create_request("e_1", "x@cso.example.org", NOW, NOW + timedelta(days=2), event)
    request = stores.erasure.get_request("e_1")
    assert (request.email, request.expire_at) == ("x@cso.example.org", NOW + timedelta(days=2))
    assert _pending_ids(stores) == [event.id]
    stores.erasure.delete_request("e_1")
    assert stores.erasure.get_request("e_1") is None


# -- ledgers ---------------------------------------------------------------------------------
def test_the_outbox_gives_older_events_first_until_published(stores):
    events = [
        _event(ErasureRequested(request_id=f"e_{n}"), minutes=m)
        for n, m in [(1, 3), (2, 1), (3, 2), (4, 10)]
    ]
    for n, event in enumerate(events, 1):
        stores.erasure.create_request(f"e_{n}", "x@y.org", NOW, NOW, event)
    older_than = NOW + timedelta(minutes=5)
    assert stores.outbox.pending(older_than, 2) == [events[1], events[2]]
    stores.outbox.published(events[1], NOW, NOW)
    stores.outbox.published_many([events[2], events[0]], NOW, NOW)
    assert stores.outbox.pending(older_than, 10) == []
    assert stores.outbox.pending(NOW + timedelta(hours=1), 10) == [events[3]]


def test_a_published_event_is_awaited_until_retired_and_checked_in_order(stores):
    events = [_event(ErasureRequested(request_id=f"h_{n}"), minutes=n) for n in range(3)]
    later = NOW + timedelta(minutes=2)
    stores.outbox.published_many(events[:2], NOW, later)
    stores.outbox.published(events[2], NOW + timedelta(minutes=1), NOW + timedelta(minutes=1))
    assert stores.outbox.pending(NOW + timedelta(days=1), 10) == []
    assert stores.outbox.awaiting(NOW, 10) == []
    due = stores.outbox.awaiting(later, 10)
    assert due[0].envelope == events[2]  # checked earliest; the two others tie, any order
    assert {h.envelope.id for h in due[1:]} == {events[0].id, events[1].id}
    assert (due[0].published_at, due[0].announcements) == (NOW + timedelta(minutes=1), 0)
    stores.outbox.announced_again(events[0].id, 1, NOW + timedelta(hours=1))
    assert [h.envelope for h in stores.outbox.awaiting(later, 10)] == [events[2], events[1]]
    assert stores.outbox.awaiting(NOW + timedelta(hours=1), 1)[0].envelope == events[2]
    assert stores.outbox.owed_since(NOW + timedelta(seconds=30)) == 2
    stores.outbox.retire([events[1].id, events[2].id])
    [left] = stores.outbox.awaiting(NOW + timedelta(hours=1), 10)
    assert (left.envelope, left.announcements) == (events[0], 1)
    assert stores.outbox.owed_since(NOW + timedelta(days=1)) == 1


def test_who_processed_an_event_is_read_per_consumer(stores):
    stores.processed.mark_processed("notify", "e-1", NOW, timedelta(days=14))
    stores.processed.mark_processed("match", "e-2", NOW, timedelta(days=14))
    stores.processed.mark_processed("notify", "e-2", NOW, timedelta(days=14))
    found = stores.processed.who_processed(["e-1", "e-2", "e-3"], {"match", "notify"})
    assert found == {"e-1": {"notify"}, "e-2": {"match", "notify"}, "e-3": set()}


def test_erasure_forgets_the_hand_offs_that_name_the_erased_ids(stores):
    _new_profile(stores, "a_1", email="leaving@cso.example.org")
    _new_profile(stores, "a_2", email="staying@cso.example.org")
    naming = [
        _event(SubscriptionConfirmed(recipient_kind=PROFILE, recipient_id=r))
        for r in ("a_1", "a_2")
    ]
    stores.outbox.published_many(naming, NOW, NOW)
    stores.erasure.erase([(PROFILE, "a_1")], "leaving@cso.example.org")
    left = stores.outbox.awaiting(NOW + timedelta(days=1), 10)
    assert [h.envelope for h in left] == [naming[1]]


def test_a_processed_event_is_remembered_per_consumer(stores):
    assert stores.processed.was_processed("notify", "e-1") is False
    stores.processed.mark_processed("notify", "e-1", NOW, timedelta(days=14))
    assert stores.processed.was_processed("notify", "e-1") is True
    assert stores.processed.was_processed("match", "e-1") is False


def test_a_rate_counter_counts_admitted_requests_per_tick_and_refused_ones_apart(stores):
    expire = NOW + timedelta(minutes=2)
    admitted = [
        stores.rate_counters.count_admitted("ip:w1", expire, 5, 100.0 + i) for i in range(3)
    ]
    assert admitted == [1, 2, 3]
    stores.rate_counters.count_refused("ip:w1", expire)  # takes no room
    assert stores.rate_counters.count_admitted("ip:w1", expire, 7, 99.0) == 4
    first, never = stores.rate_counters.rate_windows(["ip:w1", "ip:w2"])
    assert (dict(first.ticks), first.last_seen) == ({5: 3, 7: 1}, 102.0)
    assert (dict(never.ticks), never.last_seen) == ({}, 0.0)


# -- harvest ---------------------------------------------------------------------------------
def _harvested(gid: str, source: str, source_id: str, closed: bool = False) -> Grant:
    provenance = GrantProvenance(
        source=source,
        source_id=source_id,
        source_url=f"https://example.org/{source_id}",
        fetched_at=NOW,
        checksum="c-" + source_id,
        closed_at=NOW if closed else None,
    )
    return grant(id=gid).model_copy(update={"provenance": provenance})


def test_a_harvest_run_keeps_its_cursor_and_seen_ids_until_it_finishes(stores):
    assert stores.harvest.progress("unpp") is None
    stores.harvest.start_run("unpp", "run-1", NOW)
    stores.harvest.record_page("unpp", "run-1", "page-2", ["a", "b"], NOW)
    stores.harvest.record_page("unpp", "run-1", "page-3", ["b", "c"], NOW)
    progress = stores.harvest.progress("unpp")
    assert progress is not None
    assert (progress.run_id, progress.cursor, progress.seen) == ("run-1", "page-3", {"a", "b", "c"})
    assert stores.harvest.progress("eu") is None
    stores.harvest.finish_run("unpp", "run-1", NOW)
    assert stores.harvest.progress("unpp") is None


def test_the_calls_stored_from_a_source_are_read_from_its_grants(stores):
    _save_grant(stores, _harvested("g_h1", "unpp", "S-1"))
    _save_grant(stores, _harvested("g_h2", "unpp", "S-2", closed=True))
    _save_grant(stores, _harvested("g_h3", "eu", "E-1"))
    _save_grant(stores, grant(id="g_posted"))
    calls = stores.harvest.stored_calls("unpp")
    assert sorted(calls) == ["S-1", "S-2"]
    assert (calls["S-1"].grant_id, calls["S-1"].checksum, calls["S-1"].open) == (
        "g_h1",
        "c-S-1",
        True,
    )
    assert calls["S-2"].open is False


def test_an_identity_is_held_by_the_first_source_that_claims_it(stores):
    assert stores.harvest.claim_identities("unpp", {"g_a": ["url:x.org/1", "id:AB-1"]}, NOW) == {}
    taken = stores.harvest.claim_identities("eu", {"g_b": ["url:x.org/1"], "g_c": ["u:2"]}, NOW)
    assert taken == {"g_b": "g_a"}
    # the same source may list two calls behind one page: the key stays with its first grant
    assert stores.harvest.claim_identities("unpp", {"g_d": ["url:x.org/1"]}, NOW) == {}
    assert stores.harvest.claim_identities("eu", {"g_e": ["id:AB-1"]}, NOW) == {"g_e": "g_a"}
    assert stores.harvest.claim_identities("unpp", {"g_f": ["u:2"]}, NOW) == {"g_f": "g_c"}
