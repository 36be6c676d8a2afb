"""Matching, in both directions: a new grant against profiles and projects, a new
profile or project against open grants. Candidates come from indexed queries; screening
and ranking happen in memory; every match is stored under a deterministic id and
announced with a deterministic event id, so a redelivered event changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from shared.domain.events import (
    Envelope,
    GrantPublished,
    MatchFound,
    ProfileCreated,
    ProjectSubmitted,
    new_event,
)
from shared.domain.ids import content_hash
from shared.domain.models import Grant, Match, Profile, Project
from shared.matching.engine import evaluate
from shared.matching.screening import deadline_today
from shared.runtime.bootstrap import Adapters
from shared.services.handoffs import await_consumers

log = logging.getLogger(__name__)


def on_grant_published(envelope: Envelope, ad: Adapters, payload: GrantPublished) -> list[Match]:
    """Match a new or changed grant against candidate profiles and projects."""
    grant = ad.grants.get(payload.grant_id)
    if grant is None:
        log.info("grant no longer exists", extra={"grant_id": payload.grant_id})
        return []
    now = ad.clock.now()
    today = deadline_today(now)
    if not grant.alertable or (grant.deadline is not None and grant.deadline < today):
        # A closed grant fits nobody (screening rule 1): skip the candidate queries, which
        # a bulk import of past awards would otherwise run thousands of times.
        log.info("grant closed; nothing to match", extra={"grant_id": grant.id})
        return []
    reads_before = ad.subscribers.documents_read
    targets: list[Profile | Project] = [
        *ad.subscribers.candidate_profiles(grant),
        *ad.subscribers.candidate_projects(grant),
    ]
    matches = [m for t in targets if (m := evaluate(grant, t, today)) is not None]
    _record(ad, envelope, matches, now)
    log.info(
        "grant matched",
        extra={
            "grant_id": grant.id,
            "candidates": len(targets),
            "documents_read": ad.subscribers.documents_read - reads_before,
            "matches": len(matches),
        },
    )
    return matches


def on_project_submitted(
    envelope: Envelope, ad: Adapters, payload: ProjectSubmitted
) -> list[Match]:
    """Match a new project against open grants."""
    project = ad.subscribers.get_project(payload.project_id)
    if project is None:
        log.info("project no longer exists", extra={"project_id": payload.project_id})
        return []
    sectors = [s.value for s in project.sectors]
    return _match_target(envelope, ad, project, [project.country], sectors)


def on_profile_created(envelope: Envelope, ad: Adapters, payload: ProfileCreated) -> list[Match]:
    """Match a new alert profile against open grants."""
    profile = ad.subscribers.get_profile(payload.profile_id)
    if profile is None:
        log.info("profile no longer exists", extra={"profile_id": payload.profile_id})
        return []
    sectors = [s.value for s in profile.sectors]
    return _match_target(envelope, ad, profile, list(profile.countries), sectors)


def _match_target(
    envelope: Envelope,
    ad: Adapters,
    target: Profile | Project,
    countries: list[str],
    sectors: list[str],
) -> list[Match]:
    now = ad.clock.now()
    today = deadline_today(now)
    grants: Iterable[Grant] = ad.grants.open_for(countries, today, sectors or None)
    matches = [m for g in grants if (m := evaluate(g, target, today)) is not None]
    _record(ad, envelope, matches, now)
    log.info("target matched", extra={"target_id": target.id, "matches": len(matches)})
    return matches


def _record(ad: Adapters, cause: Envelope, matches: list[Match], now: datetime) -> None:
    """Store each match, then announce it, and await notify's record of each announcement
    (the relay announces again what notify never recorded). Announcing an existing match
    again is harmless (notify sends each match once) and covers a crash between store and
    publish: the cause is redelivered, or announced again, until this handler finishes."""
    for match in matches:
        ad.matches.save(match, now)
    events = [
        new_event(
            MatchFound(
                match_id=m.id, grant_id=m.grant_id, target_kind=m.target_kind, target_id=m.target_id
            ),
            correlation_id=cause.correlation_id,
            now=now,
            event_id=content_hash(f"{cause.id}/{m.id}")[:32],
        )
        for m in matches
    ]
    ad.publisher.publish_many(events)
    await_consumers(ad, events, now)
