"""Accepting submissions: store first, then announce.

The document and its event are written in one batch (the event into the outbox), then
published straight away. If Pub/Sub is down the submission is still accepted: the outbox
relay publishes the event later. Nothing a user sent is lost between the two.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from shared.adapters.ports import (
    ConcurrentUpdate,
    GrantVersion,
    GrantWrite,
    PublishFailed,
    SaveOutcome,
)
from shared.domain.errors import Conflict
from shared.domain.events import (
    Envelope,
    GrantPublished,
    ProfileCreated,
    ProjectSubmitted,
    new_event,
)
from shared.domain.ids import address_key, content_hash, grant_id, submission_id
from shared.domain.models import (
    Grant,
    GrantProvenance,
    GrantSubmission,
    Profile,
    ProfileSubmission,
    Project,
    ProjectSubmission,
)
from shared.runtime.bootstrap import Adapters
from shared.services.handoffs import await_consumers

log = logging.getLogger(__name__)
UPSERT_ATTEMPTS = 3


@dataclass(frozen=True)
class Accepted:
    """The stored id and what happened."""

    id: str
    outcome: SaveOutcome
    event_id: str | None = None


def fingerprint(submission: BaseModel) -> str:
    """A canonical hash of a submission, to tell an unchanged re-post from an edit."""
    return content_hash(json.dumps(submission.model_dump(mode="json"), sort_keys=True))


def revise_grant(
    funder_id: str,
    submission: GrantSubmission,
    digest: str,
    previous: GrantVersion | None,
    *,
    correlation_id: str,
    now: datetime,
    provenance: GrantProvenance | None = None,
) -> GrantWrite:
    """The stored form of a new or changed grant and the event that announces it.

    Shared by a single POST, a bulk import and the harvest (which adds the call's
    `provenance`), so all three store and announce alike."""
    gid = grant_id(funder_id, submission.external_id)
    fields = {**submission.model_dump(), "provenance": provenance}
    return catalogue_write(fields, gid, funder_id, digest, previous, correlation_id, now)


def catalogue_write(
    fields: dict[str, Any],
    item_id: str,
    funder_id: str,
    digest: str,
    previous: GrantVersion | None,
    correlation_id: str,
    now: datetime,
) -> GrantWrite:
    """A catalogue item (a grant, or a training, event or tech offer) as stored, one
    revision on from `previous`, and the `grant.published` event that announces it."""
    grant = Grant(
        **fields,
        id=item_id,
        funder_id=funder_id,
        created_at=previous.created_at if previous else now,
        updated_at=now,
        revision=previous.revision + 1 if previous else 1,
    )
    event = new_event(
        GrantPublished(grant_id=item_id, funder_id=funder_id, revision=grant.revision),
        correlation_id=correlation_id,
        now=now,
    )
    return GrantWrite(grant, digest, event, previous)


def submit_grant(
    ad: Adapters, funder_id: str, submission: GrantSubmission, *, correlation_id: str
) -> Accepted:
    """Create or update a funder's grant (keyed by its external_id) and announce changes."""
    gid = grant_id(funder_id, submission.external_id)
    return save_catalogue_item(
        ad,
        gid,
        funder_id,
        {**submission.model_dump(), "provenance": None},
        fingerprint(submission),
        correlation_id=correlation_id,
        logged_as="grant",
        conflict="this grant is being changed by another request at the same time; retry",
    )


def save_catalogue_item(
    ad: Adapters,
    item_id: str,
    funder_id: str,
    fields: dict[str, Any],
    digest: str,
    *,
    correlation_id: str,
    logged_as: str,
    conflict: str,
    log_extra: dict[str, Any] | None = None,
) -> Accepted:
    """Create or update one posted catalogue item (a grant, or a training, event or tech
    offer) by id: an unchanged re-post changes nothing; a concurrent writer is retried,
    then `conflict` is the 409's message."""
    now = ad.clock.now()
    for _ in range(UPSERT_ATTEMPTS):
        previous = ad.grants.version(item_id)
        if previous is not None and previous.content_hash == digest:
            return Accepted(item_id, SaveOutcome.UNCHANGED)
        write = catalogue_write(fields, item_id, funder_id, digest, previous, correlation_id, now)
        try:
            ad.grants.save([write])
        except ConcurrentUpdate:
            continue
        outcome = SaveOutcome.UPDATED if previous else SaveOutcome.CREATED
        extra = {"grant_id": item_id, **(log_extra or {}), "revision": write.grant.revision}
        log.info(f"{logged_as} %s", outcome.value, extra=extra)
        publish_now(ad, write.event)
        return Accepted(item_id, outcome, write.event.id)
    raise Conflict(conflict)


def address_key_of(ad: Adapters, email: str) -> str:
    """The keyed hash an address is indexed by (keyed with the link-signing secret)."""
    return address_key(ad.settings.link_signing_secret.get_secret_value(), email)


def submit_project(
    ad: Adapters,
    submission: ProjectSubmission,
    *,
    idempotency_key: str | None,
    correlation_id: str,
) -> Accepted:
    """Store a new project and announce it."""
    now = ad.clock.now()
    pid = submission_id("p", idempotency_key)
    project = Project(
        **submission.model_dump(),
        id=pid,
        created_at=now,
        updated_at=now,
        email_key=address_key_of(ad, str(submission.contact_email)),
    )
    event = new_event(ProjectSubmitted(project_id=pid), correlation_id=correlation_id, now=now)
    try:
        outcome = ad.subscribers.create_project(project, fingerprint(submission), event)
    except ConcurrentUpdate as exc:
        raise Conflict("this Idempotency-Key was already used for a different project") from exc
    return _announce(ad, pid, outcome, event, "project")


def submit_profile(
    ad: Adapters,
    submission: ProfileSubmission,
    *,
    idempotency_key: str | None,
    correlation_id: str,
) -> Accepted:
    """Store a new alert profile and announce it.

    An address that already has a profile gets a new one all the same, answered alike
    (201, a new id), so the API never tells whether an address is known. The new one
    waits for its confirmation link like any other; once confirmed it replaces the
    address's older profiles (see `subscriptions.retire_older_profiles`)."""
    now = ad.clock.now()
    pid = submission_id("a", idempotency_key)
    profile = Profile(
        **submission.model_dump(),
        id=pid,
        created_at=now,
        updated_at=now,
        email_key=address_key_of(ad, str(submission.email)),
    )
    event = new_event(ProfileCreated(profile_id=pid), correlation_id=correlation_id, now=now)
    try:
        outcome = ad.subscribers.create_profile(profile, fingerprint(submission), event)
    except ConcurrentUpdate as exc:
        raise Conflict("this Idempotency-Key was already used for a different profile") from exc
    return _announce(ad, pid, outcome, event, "profile")


def _announce(
    ad: Adapters, doc_id: str, outcome: SaveOutcome, event: Envelope, kind: str
) -> Accepted:
    if outcome is SaveOutcome.REPLAYED:
        # The first request stored it (and its outbox event): nothing new to announce.
        return Accepted(doc_id, outcome)
    log.info("%s stored", kind, extra={f"{kind}_id": doc_id})
    publish_now(ad, event)
    return Accepted(doc_id, outcome, event.id)


def publish_now(ad: Adapters, event: Envelope) -> bool:
    """Try to publish at once; on failure the outbox keeps the event for the relay."""
    return publish_all_now(ad, [event])


def publish_all_now(ad: Adapters, events: list[Envelope]) -> bool:
    """Publish events together; if Pub/Sub does not confirm them all, the outbox keeps
    them all for the relay (consumers skip the ones that did get through)."""
    if not events:
        return True
    try:
        ad.publisher.publish_many(events)
    except PublishFailed as exc:
        log.warning(
            "publish failed, left in outbox for the relay",
            extra={
                "event_ids": [e.id for e in events[:10]],
                "events": len(events),
                "error": str(exc),
            },
        )
        return False
    try:
        await_consumers(ad, events, ad.clock.now())
    except Exception as exc:
        # The outbox still holds them: the relay publishes them again, harmlessly.
        log.warning("outbox hand-over failed", extra={"events": len(events), "error": str(exc)})
    return True
