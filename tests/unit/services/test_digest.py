"""The weekly digest: once per week, the best N pending matches, the rest next week."""

from __future__ import annotations

import pytest

from shared.domain.events import ScheduleTick, new_event
from shared.domain.schedule import Job
from shared.domain.taxonomy import TargetKind
from shared.services import digests
from tests.unit.services.pipeline import confirmed_profile, deliver, emails, new_grant, pump

CAP = 2
# Three grants that fit one profile ever less well: both its sectors, one, none named.
GRANTS = {
    "Best fit": {"sectors": ["digital-security", "human-rights"]},
    "Good fit": {"sectors": ["digital-security", "health"]},
    "Loose fit": {"sectors": []},
}


def _tick(ad):
    """Cloud Scheduler's fixed message: the same envelope id every week."""
    tick = ScheduleTick(job=Job.WEEKLY_DIGEST)
    return new_event(tick, correlation_id="scheduler", now=ad.clock.now(), event_id="weekly")


@pytest.fixture
def weekly(ad, monkeypatch) -> str:
    """A confirmed weekly profile with three pending matches, and a digest cap of two."""
    monkeypatch.setattr(digests, "DIGEST_MAX_ITEMS", CAP)
    pid = confirmed_profile(ad, frequency="weekly")
    for title, fields in GRANTS.items():
        new_grant(ad, title=title, **fields)
    pump(ad)
    return pid


def test_weekly_matches_wait_for_the_digest(ad, weekly):
    assert [e.category for e in emails(ad)] == ["confirmation"]


def test_a_redelivered_tick_sends_no_second_digest(ad, weekly):
    for _ in range(2):
        deliver(ad, _tick(ad))
        pump(ad)
    assert len(emails(ad, "digest")) == 1


def test_a_second_run_in_the_same_week_sends_no_second_digest(ad, weekly):
    deliver(ad, _tick(ad))
    pump(ad)
    ad.clock.advance(hours=1)  # still the same week (NOW is a Sunday evening in UTC+7)
    ad.processed.forget_all()  # not even the ledger stops it: the week's digest record does
    deliver(ad, _tick(ad))
    pump(ad)
    assert len(emails(ad, "digest")) == 1


def test_the_digest_shows_the_best_matches_up_to_the_cap(ad, weekly):
    scores = {m.grant_id: m.score for m in ad.matches.for_target(TargetKind.PROFILE, weekly)}
    best_first = sorted(scores, key=lambda gid: -scores[gid])
    assert len(set(scores.values())) == len(GRANTS)  # no tie decides the order
    deliver(ad, _tick(ad))
    pump(ad)
    [digest] = emails(ad, "digest")
    shown = [ad.grants.get(gid).title for gid in best_first[:CAP]]
    left = ad.grants.get(best_first[CAP]).title
    assert all(title in digest.text for title in shown) and left not in digest.text
    assert digest.subject == f"Your weekly grants: {CAP} matches"


def test_the_next_week_brings_the_matches_left_over(ad, weekly):
    deliver(ad, _tick(ad))
    pump(ad)
    ad.clock.advance(days=7)
    deliver(ad, _tick(ad))
    pump(ad)
    _, second = emails(ad, "digest")
    assert second.subject == "Your weekly grants: 1 match"
