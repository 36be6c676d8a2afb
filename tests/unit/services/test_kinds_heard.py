"""Who hears of a training, an event or a tech offer: a profile only if it asked for
that kind (grants by default); a project's own contact hears of grants only, while the
training provider sees the projects its training fits as a funder sees them for a grant."""

from __future__ import annotations

from datetime import timedelta

from shared.domain.events import EventName, ScheduleTick, new_event
from shared.domain.opportunities import OpportunityKind, TrainingSubmission
from shared.domain.recipients import RecipientKind
from shared.domain.schedule import Job, region_date
from shared.domain.taxonomy import TargetKind
from shared.services.funders import create_funder
from shared.services.opportunities import submit_item
from tests.opportunity_builders import training_body
from tests.unit.services.pipeline import (
    CORRELATION,
    confirmed_profile,
    confirmed_project,
    deliver,
    emails,
    new_grant,
    new_profile,
    pump,
)

PROFILE, PROJECT = TargetKind.PROFILE, TargetKind.PROJECT


def _post_training(ad, funder_id: str = "f_1", **overrides) -> str:
    submission = TrainingSubmission.model_validate(training_body(**overrides))
    accepted = submit_item(ad, funder_id, submission, correlation_id=CORRELATION)
    pump(ad)
    return accepted.id


def test_a_training_reaches_only_the_profiles_that_asked_for_trainings(ad):
    grants_only = new_profile(ad, countries=["KH"])
    trainings = new_profile(ad, countries=["KH"], kinds=["grant", "training"], email="t@x.org")
    _post_training(ad)
    assert ad.matches.for_target(PROFILE, grants_only) == []
    assert len(ad.matches.for_target(PROFILE, trainings)) == 1


def test_a_profile_that_asks_for_trainings_later_meets_the_open_ones(ad):
    _post_training(ad)
    pid = new_profile(ad, countries=["KH"], kinds=["training"])
    pump(ad)
    assert len(ad.matches.for_target(PROFILE, pid)) == 1


def test_an_on_site_training_reaches_only_its_own_country(ad):
    kh = new_profile(ad, countries=["KH"], kinds=["training"])
    la = new_profile(ad, countries=["LA"], kinds=["training"], email="la@x.org")
    _post_training(ad, countries=["KH", "LA"])
    assert len(ad.matches.for_target(PROFILE, kh)) == 1
    assert ad.matches.for_target(PROFILE, la) == []


def test_an_online_training_open_to_the_region_reaches_every_country(ad):
    body = training_body()
    online = {**body["details"], "attendance": "online", "city": None, "country": None}
    ids = [
        new_profile(ad, countries=[c], kinds=["training"], email=f"{c}@x.org")
        for c in ("KH", "LA", "MM", "TH", "VN")
    ]
    _post_training(ad, details=online)
    assert all(len(ad.matches.for_target(PROFILE, pid)) == 1 for pid in ids)


def test_the_provider_is_told_of_fitting_projects_but_the_project_is_not_emailed(ad):
    provider = create_funder(ad, "Trainers", email="courses@trainers.example.org")
    project = confirmed_project(ad, country="KH", visibility="funders")
    _post_training(ad, provider.funder_id)
    assert len(ad.matches.for_target(PROJECT, project)) == 1
    assert ad.alerts.of_recipient(RecipientKind.PROJECT, project) == []
    assert len(ad.alerts.of_recipient(RecipientKind.FUNDER, provider.funder_id)) == 1


def test_a_profile_that_wants_grants_only_gets_no_training_email(ad):
    confirmed_profile(ad, countries=["KH"])
    wanted = confirmed_profile(ad, countries=["KH"], kinds=["training"], email="t@x.org")
    _post_training(ad)
    ad.clock.advance(seconds=ad.settings.alert_batch_window_seconds + 1)
    pump(ad)
    [email] = emails(ad, "alerts")
    assert email.to == ad.subscribers.get_profile(wanted).email
    assert ad.publisher.events(EventName.MATCH_FOUND)
    assert OpportunityKind.TRAINING in ad.subscribers.get_profile(wanted).kinds


def _tick(ad, job: Job, event_id: str):
    return new_event(
        ScheduleTick(job=job), correlation_id="s", now=ad.clock.now(), event_id=event_id
    )


def test_a_weekly_digest_tells_grants_and_trainings_in_one_email_grouped_by_kind(ad):
    confirmed_profile(ad, countries=["KH"], kinds=["grant", "training"], frequency="weekly")
    new_grant(ad, title="Radio safety grant", countries=["KH"])
    _post_training(ad)
    deliver(ad, _tick(ad, Job.WEEKLY_DIGEST, "weekly"))
    pump(ad)
    [digest] = emails(ad, "digest")
    text = digest.text
    assert text.index("== Grants ==") < text.index("Radio safety grant")
    assert text.index("== Trainings ==") < text.index(training_body()["title"])
    assert "Register by: January 31, 2027" in text


def test_a_registration_deadline_within_a_week_is_reminded(ad):
    confirmed_profile(ad, countries=["KH"], kinds=["training"])
    today = region_date(ad.clock.now())
    body = training_body()
    soon = (today + timedelta(days=3)).isoformat()
    _post_training(ad, details={**body["details"], "registration_deadline": soon})
    ad.clock.advance(seconds=ad.settings.alert_batch_window_seconds + 1)
    pump(ad)
    deliver(ad, _tick(ad, Job.DEADLINE_REMINDERS, "daily"))
    pump(ad)
    [reminder] = emails(ad, "reminder")
    assert training_body()["title"] in reminder.text
    assert "Register by" in reminder.text
