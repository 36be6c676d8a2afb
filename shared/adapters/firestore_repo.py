"""Firestore repository: the only module that knows how documents are laid out.

Each write that must be followed by an event is committed in one batch with its outbox
entry, so "stored but never announced" cannot happen: the relay publishes whatever the
request path could not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.events import Envelope
from shared.models import Grant, Match, Profile, Project
from shared.taxonomy import TargetKind

GRANTS = "grants"
PROJECTS = "projects"
PROFILES = "profiles"
MATCHES = "matches"
NOTIFICATIONS = "notifications"
FUNDERS = "funders"
API_KEYS = "api_keys"
OUTBOX = "outbox"
PROCESSED = "processed_events"

WORLDWIDE = "*"  # index key for "no restriction", so worldwide grants are found by query
ROLLING = "9999-12-31"  # index key for "no deadline", so rolling grants sort as never closing
IN_LIMIT = 30  # Firestore's limit on values in `in` / `array_contains_any`
# A batch holds at most 500 writes; each grant write carries its outbox entry.
MAX_WRITES_PER_BATCH = 500
MAX_GRANTS_PER_BATCH = MAX_WRITES_PER_BATCH // 2
_VERSION_FIELDS = ["content_hash", "revision", "created_at"]


class SaveOutcome(StrEnum):
    """What an upsert did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REPLAYED = "replayed"


class ClaimOutcome(StrEnum):
    """Result of trying to take a notification for sending."""

    CLAIMED = "claimed"
    DONE = "done"
    BUSY = "busy"


class ConcurrentUpdate(Exception):
    """Another writer changed the document between our read and our write."""


@dataclass(frozen=True)
class GrantVersion:
    """What an upsert needs to know about a stored grant: is it the same content, which
    revision it is, and when it was written (the precondition for replacing it)."""

    content_hash: str
    revision: int
    created_at: datetime
    update_time: datetime


@dataclass(frozen=True)
class GrantWrite:
    """A new or changed grant, its content hash, its event and the version it replaces."""

    grant: Grant
    content_hash: str
    event: Envelope
    previous: GrantVersion | None


def _doc(model: Any, **extra: Any) -> dict[str, Any]:
    """A model as Firestore data: JSON-mode values, real timestamps."""
    data = model.model_dump(mode="json")
    for key in ("created_at", "updated_at"):
        if key in data:
            data[key] = getattr(model, key)
    data.update(extra)
    return data


def _keys(values: list[str]) -> list[str]:
    return list(values) if values else [WORLDWIDE]


def _grant_doc(grant: Grant, content_hash: str) -> dict[str, Any]:
    """A grant as stored, with the index keys the candidate queries use."""
    return _doc(
        grant,
        content_hash=content_hash,
        country_keys=_keys(grant.countries),
        sector_keys=_keys([s.value for s in grant.sectors]),
        closes_on=grant.deadline.isoformat() if grant.deadline else ROLLING,
    )


class FirestoreRepository:
    """Reads and writes every collection; callers pass domain models and ids."""

    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    # -- funders and keys ---------------------------------------------------------------
    def create_funder(self, funder_id: str, name: str, now: datetime) -> None:
        """Store a new funder."""
        self._db.collection(FUNDERS).document(funder_id).create({"name": name, "created_at": now})

    def funder_exists(self, funder_id: str) -> bool:
        """True if the funder was created (imports refuse unknown funder ids)."""
        return self._db.collection(FUNDERS).document(funder_id).get().exists

    def add_api_key(self, key_id: str, funder_id: str, secret_hash: str, now: datetime) -> None:
        """Store a key's hash for a funder."""
        self._db.collection(API_KEYS).document(key_id).create(
            {
                "funder_id": funder_id,
                "secret_hash": secret_hash,
                "created_at": now,
                "revoked_at": None,
            }
        )

    def get_api_key(self, key_id: str) -> dict[str, Any] | None:
        """A key record (funder_id, secret_hash, revoked_at) or None."""
        snap = self._db.collection(API_KEYS).document(key_id).get()
        return snap.to_dict() if snap.exists else None

    def revoke_api_key(self, key_id: str, now: datetime) -> bool:
        """Mark a key revoked; False if there is no such key."""
        try:
            self._db.collection(API_KEYS).document(key_id).update({"revoked_at": now})
        except gexc.NotFound:
            return False
        return True

    # -- grants -------------------------------------------------------------------------
    def get_grant_version(self, grant_id: str) -> GrantVersion | None:
        """The stored grant's hash, revision and update time, for an upsert."""
        return self.grant_versions([grant_id]).get(grant_id)

    def grant_versions(self, grant_ids: list[str]) -> dict[str, GrantVersion]:
        """Versions of many grants in one round trip (missing ids are absent)."""
        refs = [self._db.collection(GRANTS).document(gid) for gid in grant_ids]
        found = {}
        for snap in self._db.get_all(refs, field_paths=_VERSION_FIELDS):
            if snap.exists:
                data = snap.to_dict()
                found[snap.id] = GrantVersion(
                    data.get("content_hash", ""),
                    data.get("revision", 1),
                    data["created_at"],
                    snap.update_time,
                )
        return found

    def get_grant(self, grant_id: str) -> Grant | None:
        """A grant by id."""
        snap = self._db.collection(GRANTS).document(grant_id).get()
        return Grant.model_validate(snap.to_dict()) if snap.exists else None

    def save_grants(self, writes: list[GrantWrite]) -> None:
        """Create or replace grants together with their outbox events, in one atomic
        batch (at most MAX_GRANTS_PER_BATCH: two writes each, 500 per batch).

        Raises ConcurrentUpdate if any grant changed (or appeared) since its version was
        read; then nothing is written.
        """
        if len(writes) > MAX_GRANTS_PER_BATCH:
            raise ValueError(f"at most {MAX_GRANTS_PER_BATCH} grants per batch")
        if not writes:
            return
        batch = self._db.batch()
        for write in writes:
            ref = self._db.collection(GRANTS).document(write.grant.id)
            data = _grant_doc(write.grant, write.content_hash)
            if write.previous is None:
                batch.create(ref, data)
            else:
                option = self._db.write_option(last_update_time=write.previous.update_time)
                batch.update(ref, data, option=option)
            self._add_outbox(batch, write.event)
        try:
            batch.commit()
        except (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.NotFound) as exc:
            raise ConcurrentUpdate(", ".join(w.grant.id for w in writes[:3])) from exc

    def open_grants_for(self, countries: list[str], today: date) -> Iterator[Grant]:
        """Grants still open at `today` that cover any of `countries` or are worldwide."""
        keys = [*countries[: IN_LIMIT - 1], WORLDWIDE]
        query = (
            self._db.collection(GRANTS)
            .where(filter=FieldFilter("country_keys", "array_contains_any", keys))
            .where(filter=FieldFilter("closes_on", ">=", today.isoformat()))
        )
        for snap in query.stream():
            yield Grant.model_validate(snap.to_dict())

    # -- projects and profiles ----------------------------------------------------------
    def create_project(self, project: Project, request_hash: str, event: Envelope) -> SaveOutcome:
        """Store a new project with its outbox event; REPLAYED for a repeated request."""
        data = _doc(
            project,
            request_hash=request_hash,
            country_keys=[project.country],
            sector_keys=_keys([s.value for s in project.sectors]),
        )
        return self._create_submission(PROJECTS, project.id, data, request_hash, event)

    def create_profile(self, profile: Profile, request_hash: str, event: Envelope) -> SaveOutcome:
        """Store a new profile with its outbox event; REPLAYED for a repeated request."""
        data = _doc(
            profile,
            request_hash=request_hash,
            country_keys=list(profile.countries),
            sector_keys=_keys([s.value for s in profile.sectors]),
        )
        return self._create_submission(PROFILES, profile.id, data, request_hash, event)

    def _create_submission(
        self, collection: str, doc_id: str, data: dict[str, Any], request_hash: str, event: Envelope
    ) -> SaveOutcome:
        ref = self._db.collection(collection).document(doc_id)
        batch = self._db.batch()
        batch.create(ref, data)
        self._add_outbox(batch, event)
        try:
            batch.commit()
        except gexc.AlreadyExists as exc:
            existing = ref.get()
            if existing.exists and existing.get("request_hash") == request_hash:
                return SaveOutcome.REPLAYED
            raise ConcurrentUpdate(doc_id) from exc
        return SaveOutcome.CREATED

    def get_project(self, project_id: str) -> Project | None:
        """A project by id."""
        snap = self._db.collection(PROJECTS).document(project_id).get()
        return Project.model_validate(snap.to_dict()) if snap.exists else None

    def get_profile(self, profile_id: str) -> Profile | None:
        """A profile by id."""
        snap = self._db.collection(PROFILES).document(profile_id).get()
        return Profile.model_validate(snap.to_dict()) if snap.exists else None

    def candidate_profiles(self, grant: Grant) -> Iterator[Profile]:
        """Profiles that may fit a grant, found by an indexed query (never a full scan
        when the grant names countries or sectors)."""
        for data in self._candidates(PROFILES, grant):
            yield Profile.model_validate(data)

    def candidate_projects(self, grant: Grant) -> Iterator[Project]:
        """Projects that may fit a grant, found by an indexed query."""
        for data in self._candidates(PROJECTS, grant):
            yield Project.model_validate(data)

    def _candidates(self, collection: str, grant: Grant) -> Iterator[dict[str, Any]]:
        query: Any = self._db.collection(collection)
        if grant.countries and len(grant.countries) <= IN_LIMIT:
            query = query.where(
                filter=FieldFilter("country_keys", "array_contains_any", grant.countries)
            )
        elif grant.sectors:
            keys = [s.value for s in grant.sectors] + [WORLDWIDE]
            query = query.where(filter=FieldFilter("sector_keys", "array_contains_any", keys))
        for snap in query.stream():
            yield snap.to_dict()

    # -- matches ------------------------------------------------------------------------
    def save_match(self, match: Match, now: datetime) -> bool:
        """Create the match, or refresh its score and reasons; True if it is new."""
        ref = self._db.collection(MATCHES).document(match.id)
        data = {**match.model_dump(mode="json"), "created_at": now, "updated_at": now}
        try:
            ref.create(data)
        except gexc.AlreadyExists:
            ref.update({"score": match.score, "reasons": match.reasons, "updated_at": now})
            return False
        return True

    def get_match(self, match_id: str) -> Match | None:
        """A match by id."""
        snap = self._db.collection(MATCHES).document(match_id).get()
        return Match.model_validate(snap.to_dict()) if snap.exists else None

    def matches_for_target(self, kind: TargetKind, target_id: str) -> list[Match]:
        """Every match of one profile or project."""
        query = (
            self._db.collection(MATCHES)
            .where(filter=FieldFilter("target_kind", "==", kind.value))
            .where(filter=FieldFilter("target_id", "==", target_id))
        )
        return [Match.model_validate(s.to_dict()) for s in query.stream()]

    # -- notifications ------------------------------------------------------------------
    def claim_notification(
        self, notification_id: str, fields: dict[str, Any], now: datetime, lease: timedelta
    ) -> ClaimOutcome:
        """Take a notification for sending, unless it was sent or someone holds it."""
        ref = self._db.collection(NOTIFICATIONS).document(notification_id)
        claim = {"status": "sending", "lease_until": now + lease, "updated_at": now}
        try:
            ref.create({**fields, **claim, "created_at": now, "attempts": 1})
            return ClaimOutcome.CLAIMED
        except gexc.AlreadyExists:
            pass
        snap = ref.get()
        status = snap.get("status")
        if status in ("sent", "failed"):
            return ClaimOutcome.DONE
        if status == "sending" and snap.get("lease_until") > now:
            return ClaimOutcome.BUSY
        try:
            option = self._db.write_option(last_update_time=snap.update_time)
            ref.update({**claim, "attempts": firestore.Increment(1)}, option=option)
        except gexc.FailedPrecondition:
            return ClaimOutcome.BUSY
        return ClaimOutcome.CLAIMED

    def finish_notification(
        self, notification_id: str, fields: dict[str, Any], now: datetime
    ) -> None:
        """Record the outcome of a send (status sent/failed, provider message id...)."""
        ref = self._db.collection(NOTIFICATIONS).document(notification_id)
        ref.update({**fields, "updated_at": now, "lease_until": None})

    def release_notification(self, notification_id: str, now: datetime, error: str) -> None:
        """Give a claim back after a retryable failure so the next delivery can take it."""
        ref = self._db.collection(NOTIFICATIONS).document(notification_id)
        ref.update(
            {"status": "retrying", "lease_until": now, "last_error": error, "updated_at": now}
        )

    def get_notification(self, notification_id: str) -> dict[str, Any] | None:
        """A notification record by id."""
        snap = self._db.collection(NOTIFICATIONS).document(notification_id).get()
        return snap.to_dict() if snap.exists else None

    def stale_notifications(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Notifications whose sender vanished (lease expired while still `sending`)."""
        query = (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("status", "==", "sending"))
            .where(filter=FieldFilter("lease_until", "<", now))
            .limit(limit)
        )
        return [{"id": s.id, **s.to_dict()} for s in query.stream()]

    # -- outbox -------------------------------------------------------------------------
    def _add_outbox(self, batch: Any, event: Envelope) -> None:
        batch.create(
            self._db.collection(OUTBOX).document(event.id),
            {
                "envelope": event.model_dump_json(),
                "topic": event.topic,
                "created_at": event.occurred_at,
            },
        )

    def pending_events(self, older_than: datetime, limit: int) -> list[Envelope]:
        """Outbox events written before `older_than` and not yet confirmed published."""
        query = (
            self._db.collection(OUTBOX)
            .where(filter=FieldFilter("created_at", "<", older_than))
            .order_by("created_at")
            .limit(limit)
        )
        return [Envelope.model_validate(json.loads(s.get("envelope"))) for s in query.stream()]

    def event_published(self, event_id: str) -> None:
        """Drop an outbox entry once Pub/Sub has accepted the event."""
        self._db.collection(OUTBOX).document(event_id).delete()

    def events_published(self, event_ids: list[str]) -> None:
        """Drop many outbox entries, in batches of at most 500 deletes."""
        for start in range(0, len(event_ids), MAX_WRITES_PER_BATCH):
            batch = self._db.batch()
            for event_id in event_ids[start : start + MAX_WRITES_PER_BATCH]:
                batch.delete(self._db.collection(OUTBOX).document(event_id))
            batch.commit()

    # -- processed-event ledger -----------------------------------------------------------
    def was_processed(self, consumer: str, event_id: str) -> bool:
        """True if `consumer` already finished handling `event_id`."""
        return self._db.collection(PROCESSED).document(f"{consumer}:{event_id}").get().exists

    def mark_processed(self, consumer: str, event_id: str, now: datetime, ttl: timedelta) -> None:
        """Remember that `consumer` handled `event_id` (expires via Firestore TTL)."""
        self._db.collection(PROCESSED).document(f"{consumer}:{event_id}").set(
            {"processed_at": now, "expire_at": now + ttl}
        )
