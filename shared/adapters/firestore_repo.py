"""Firestore repository: the only module that knows how documents are laid out.

Each write that must be followed by an event is committed in one batch with its outbox
entry, so "stored but never announced" cannot happen: the relay publishes whatever the
request path could not.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore_keys import (
    ANY,
    IN_LIMIT,
    ROLLING,
    CandidateQuery,
    grant_queries,
    grant_reach_keys,
    target_queries,
    target_reach_keys,
)
from shared.events import Envelope
from shared.models import Grant, Interest, Match, Profile, Project
from shared.rate_limits import WindowCount
from shared.recipients import Recipient, RecipientKind
from shared.taxonomy import Frequency, TargetKind

GRANTS = "grants"
PROJECTS = "projects"
PROFILES = "profiles"
MATCHES = "matches"
NOTIFICATIONS = "notifications"
FUNDERS = "funders"
FUNDER_CONTACTS = "funder_contacts"  # private: kept apart from anything a funder API shows
ALERTS = "alerts"
INTERESTS = "interests"  # a funder's interest in a project; holds no address
API_KEYS = "api_keys"
OUTBOX = "outbox"
PROCESSED = "processed_events"
RATE_LIMITS = "rate_limits"  # one counter per bucket, subject and window (TTL)
ERASURE_REQUESTS = "erasure_requests"  # an address waiting for its erasure link (TTL)
REVOKED_SESSIONS = "revoked_sessions"  # funder web sessions signed out before they expire (TTL)

WORLDWIDE = ANY  # index key for "no restriction", so worldwide grants are found by query
BATCH_LIMIT = 500  # Firestore's limit on writes in one batch
# Each grant write carries its outbox entry.
MAX_GRANTS_PER_BATCH = BATCH_LIMIT // 2
_VERSION_FIELDS = ["content_hash", "revision", "created_at"]
_SUBSCRIBERS = {RecipientKind.PROFILE: PROFILES, RecipientKind.PROJECT: PROJECTS}


def alert_document_id(kind: RecipientKind, match_id: str) -> str:
    """One alert per recipient and match (a funder's is about the project's match)."""
    return f"{kind.value}:{match_id}"


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
        reach_keys=grant_reach_keys(grant),
        closes_on=grant.deadline.isoformat() if grant.deadline else ROLLING,
    )


def profile_document(profile: Profile, request_hash: str) -> dict[str, Any]:
    """A profile as stored, with the index keys its candidate queries use."""
    sectors = [s.value for s in profile.sectors]
    return _doc(
        profile,
        request_hash=request_hash,
        country_keys=list(profile.countries),
        sector_keys=_keys(sectors),
        reach_keys=target_reach_keys(profile.countries, sectors),
    )


class FirestoreRepository:
    """Reads and writes every collection; callers pass domain models and ids."""

    def __init__(self, client: firestore.Client) -> None:
        self._db = client
        # Documents streamed by candidate queries: logged by the matcher, printed by bench/.
        self.documents_read = 0

    # -- funders and keys ---------------------------------------------------------------
    def create_funder(self, funder_id: str, name: str, now: datetime) -> None:
        """Store a new funder."""
        self._db.collection(FUNDERS).document(funder_id).create({"name": name, "created_at": now})

    def set_funder_contact(self, funder_id: str, email: str, language: str, now: datetime) -> None:
        """Store a funder's private email (for the weekly "projects that fit" email)."""
        self._db.collection(FUNDER_CONTACTS).document(funder_id).set(
            {"email": email, "language": language, "unsubscribed_at": None, "created_at": now}
        )

    def funders_with_contact(self) -> list[str]:
        """Ids of funders that gave an email and did not unsubscribe."""
        query = self._db.collection(FUNDER_CONTACTS).where(
            filter=FieldFilter("unsubscribed_at", "==", None)
        )
        return [snap.id for snap in query.stream()]

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

    def revoke_session(self, sid: str, funder_id: str, now: datetime, expire_at: datetime) -> None:
        """Remember that a web session was signed out, until it would have expired anyway
        (Firestore TTL deletes the record then)."""
        self._db.collection(REVOKED_SESSIONS).document(sid).set(
            {"funder_id": funder_id, "revoked_at": now, "expire_at": expire_at}
        )

    def session_revoked(self, sid: str) -> bool:
        """True if the web session `sid` was signed out."""
        return self._db.collection(REVOKED_SESSIONS).document(sid).get().exists

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

    def delete_grant(self, grant_id: str) -> int:
        """Delete a grant with its matches and alerts; returns how many documents went."""
        refs = [self._db.collection(GRANTS).document(grant_id)]
        matches = self._db.collection(MATCHES).where(filter=FieldFilter("grant_id", "==", grant_id))
        alerts = self._db.collection(ALERTS).where(filter=FieldFilter("grant_id", "==", grant_id))
        refs += [snap.reference for snap in matches.select([]).stream()]
        refs += [snap.reference for snap in alerts.select([]).stream()]
        return self.delete_documents(refs)

    def delete_documents(self, refs: list[Any]) -> int:
        """Delete documents in batches of 500; returns how many were deleted."""
        for start in range(0, len(refs), BATCH_LIMIT):
            batch = self._db.batch()
            for ref in refs[start : start + BATCH_LIMIT]:
                batch.delete(ref)
            batch.commit()
        return len(refs)

    def open_grants_for(
        self, countries: list[str], today: date, sectors: list[str] | None = None
    ) -> Iterator[Grant]:
        """Grants still open at `today` that cover one of `countries` (or are worldwide)
        and fund one of `sectors` (or any sector); every sector when `sectors` is None."""
        seen: set[str] = set()
        for spec in grant_queries(countries, sectors or []):
            for snap in self._open_grants_stream(spec, today):
                self.documents_read += 1
                if snap.id not in seen:
                    seen.add(snap.id)
                    yield Grant.model_validate(snap.to_dict())

    def _open_grants_stream(self, spec: CandidateQuery, today: date) -> Iterator[Any]:
        # Each query is spelled out with literal fields, one helper per query family, so
        # tests/contract can read every query and check its composite index.
        query: Any = self._db.collection(GRANTS)
        if spec.field == "reach_keys":
            query = query.where(
                filter=FieldFilter("reach_keys", "array_contains_any", list(spec.values))
            )
        else:
            query = query.where(
                filter=FieldFilter("country_keys", "array_contains_any", list(spec.values))
            )
        query = query.where(filter=FieldFilter("closes_on", ">=", today.isoformat()))
        return query.stream()

    def grants_closing_between(self, first: date, last: date) -> list[Grant]:
        """Grants whose deadline falls between `first` and `last` (inclusive)."""
        query = (
            self._db.collection(GRANTS)
            .where(filter=FieldFilter("closes_on", ">=", first.isoformat()))
            .where(filter=FieldFilter("closes_on", "<=", last.isoformat()))
        )
        return [Grant.model_validate(snap.to_dict()) for snap in query.stream()]

    # -- projects and profiles ----------------------------------------------------------
    def create_project(self, project: Project, request_hash: str, event: Envelope) -> SaveOutcome:
        """Store a new project with its outbox event; REPLAYED for a repeated request."""
        sectors = [s.value for s in project.sectors]
        data = _doc(
            project,
            request_hash=request_hash,
            country_keys=[project.country],
            sector_keys=_keys(sectors),
            reach_keys=target_reach_keys([project.country], sectors),
            open_until=project.needed_by.isoformat() if project.needed_by else ROLLING,
        )
        return self._create_submission(PROJECTS, project.id, data, request_hash, event)

    def create_profile(self, profile: Profile, request_hash: str, event: Envelope) -> SaveOutcome:
        """Store a new profile with its outbox event; REPLAYED for a repeated request."""
        data = profile_document(profile, request_hash)
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

    def projects_newest_first(
        self,
        visibilities: list[str],
        *,
        sector: str | None,
        country: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Project]:
        """One page of confirmed projects with one of `visibilities`, newest first,
        optionally in one sector and one country, starting after the (created_at, id) of a
        previous page. An address nobody confirmed may not be its owner's: never listed."""
        query: Any = (
            self._db.collection(PROJECTS)
            .where(filter=FieldFilter("visibility", "in", visibilities))
            .where(filter=FieldFilter("confirmed", "==", True))
        )
        if country is not None:
            query = query.where(filter=FieldFilter("country", "==", country))
        if sector is not None:
            query = query.where(filter=FieldFilter("sector_keys", "array_contains", sector))
        query = query.order_by("created_at", direction=firestore.Query.DESCENDING).order_by(
            "id", direction=firestore.Query.DESCENDING
        )
        if after is not None:
            query = query.start_after({"created_at": after[0], "id": after[1]})
        return [Project.model_validate(s.to_dict()) for s in query.limit(limit).stream()]

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
        """Documents of `collection` the grant may fit, each once, by indexed queries."""
        seen: set[str] = set()
        for spec in target_queries(grant):
            for snap in self._targets_stream(collection, spec):
                self.documents_read += 1
                if snap.id not in seen:
                    seen.add(snap.id)
                    yield snap.to_dict()

    def _targets_stream(self, collection: str, spec: CandidateQuery) -> Iterator[Any]:
        query: Any = self._db.collection(collection)
        if spec.field == "reach_keys":
            query = query.where(
                filter=FieldFilter("reach_keys", "array_contains_any", list(spec.values))
            )
        elif spec.field == "country_keys":
            query = query.where(
                filter=FieldFilter("country_keys", "array_contains_any", list(spec.values))
            )
        if spec.types:
            query = query.where(filter=FieldFilter("applicant_type", "in", list(spec.types)))
        return query.stream()

    def get_funder_name(self, funder_id: str) -> str | None:
        """A funder's display name (public: shown to the CSOs it contacts)."""
        snap = self._db.collection(FUNDERS).document(funder_id).get()
        return snap.get("name") if snap.exists else None

    # -- interests: a funder tells a project it is interested ---------------------------
    def create_interest(self, interest: Interest, event: Envelope) -> bool:
        """Store a new interest, add its pledge to the project's total and queue its
        event, in one batch; False (and nothing written) if this funder already told
        this project, so a repeated request can never pledge twice."""
        batch = self._db.batch()
        batch.create(self._db.collection(INTERESTS).document(interest.id), _doc(interest))
        if interest.pledge:
            batch.update(
                self._db.collection(PROJECTS).document(interest.project_id),
                {"pledged_amount": firestore.Increment(interest.pledge)},
            )
        self._add_outbox(batch, event)
        try:
            batch.commit()
        except gexc.AlreadyExists:
            return False
        return True

    def get_interest(self, interest_id: str) -> Interest | None:
        """An interest by id."""
        snap = self._db.collection(INTERESTS).document(interest_id).get()
        return Interest.model_validate(snap.to_dict()) if snap.exists else None

    def get_interests(self, interest_ids: list[str]) -> dict[str, Interest]:
        """The interests among these ids that exist (one round trip), by id."""
        refs = [self._db.collection(INTERESTS).document(i) for i in interest_ids]
        found = self._db.get_all(refs) if refs else []
        return {s.id: Interest.model_validate(s.to_dict()) for s in found if s.exists}

    def accept_interest(self, interest_id: str, reply: str, now: datetime, event: Envelope) -> None:
        """Record that the CSO shares its address with the funder, and queue the event
        that emails it, in one batch (the event id is fixed: accepting twice is once)."""
        batch = self._db.batch()
        ref = self._db.collection(INTERESTS).document(interest_id)
        batch.update(ref, {"accepted_at": now, "reply": reply})
        self._add_outbox(batch, event)
        with contextlib.suppress(gexc.AlreadyExists):  # accepted before: keep the first
            batch.commit()

    # -- recipients (who gets email, and their consent) ---------------------------------
    def get_recipient(self, kind: RecipientKind, recipient_id: str) -> Recipient | None:
        """A profile, a project's contact or a funder's contact, as a recipient."""
        if kind is RecipientKind.PROFILE:
            profile = self.get_profile(recipient_id)
            return Recipient.of_profile(profile) if profile else None
        if kind is RecipientKind.PROJECT:
            project = self.get_project(recipient_id)
            return Recipient.of_project(project) if project else None
        contact = self._db.collection(FUNDER_CONTACTS).document(recipient_id).get()
        funder = self._db.collection(FUNDERS).document(recipient_id).get()
        if not (contact.exists and funder.exists):
            return None
        return Recipient.of_funder(
            recipient_id,
            funder.get("name"),
            contact.get("email"),
            contact.get("language"),
            contact.get("unsubscribed_at") is not None,
        )

    def confirm_recipient(
        self, kind: RecipientKind, recipient_id: str, now: datetime, event: Envelope
    ) -> None:
        """Mark an address confirmed and queue the event that releases what was held for
        it, in one batch (so a crash cannot confirm without announcing)."""
        batch = self._db.batch()
        ref = self._db.collection(_SUBSCRIBERS[kind]).document(recipient_id)
        batch.update(ref, {"confirmed": True, "confirmed_at": now, "updated_at": now})
        self._add_outbox(batch, event)
        with contextlib.suppress(gexc.AlreadyExists):  # a concurrent confirmation won
            batch.commit()

    def unsubscribe_recipient(self, kind: RecipientKind, recipient_id: str, now: datetime) -> None:
        """Withdraw consent for good: nothing more is sent to this recipient."""
        collection = _SUBSCRIBERS.get(kind, FUNDER_CONTACTS)
        ref = self._db.collection(collection).document(recipient_id)
        with contextlib.suppress(gexc.NotFound):
            ref.update({"unsubscribed_at": now})

    def weekly_profiles(self) -> list[str]:
        """Ids of confirmed, subscribed profiles that want the weekly digest."""
        query = (
            self._db.collection(PROFILES)
            .where(filter=FieldFilter("frequency", "==", Frequency.WEEKLY.value))
            .where(filter=FieldFilter("confirmed", "==", True))
            .where(filter=FieldFilter("unsubscribed_at", "==", None))
        )
        return [snap.id for snap in query.select([]).stream()]

    # -- erasure: everything kept for one address -------------------------------------
    def recipients_with_address(self, email: str) -> list[tuple[RecipientKind, str]]:
        """Every profile, project and funder contact that uses this address, by id."""
        # One literal query per collection, so tests/contract can read each of them.
        profiles = self._db.collection(PROFILES).where(filter=FieldFilter("email", "==", email))
        projects = self._db.collection(PROJECTS).where(
            filter=FieldFilter("contact_email", "==", email)
        )
        funders = self._db.collection(FUNDER_CONTACTS).where(
            filter=FieldFilter("email", "==", email)
        )
        found = [(RecipientKind.PROFILE, s.id) for s in profiles.select([]).stream()]
        found += [(RecipientKind.PROJECT, s.id) for s in projects.select([]).stream()]
        found += [(RecipientKind.FUNDER, s.id) for s in funders.select([]).stream()]
        return sorted(found)

    def documents_of_recipient(self, kind: RecipientKind, recipient_id: str) -> list[Any]:
        """References to every document about one recipient: the profile, project or
        funder contact itself, its matches, the alerts about them (its own and, for a
        project, its funders'), the notifications sent or pending for it, and for a
        project the funders' interests in it with the emails they caused (the funder's
        introduction too: it named the project)."""
        own = {
            RecipientKind.PROFILE: PROFILES,
            RecipientKind.PROJECT: PROJECTS,
            RecipientKind.FUNDER: FUNDER_CONTACTS,
        }[kind]
        refs = [self._db.collection(own).document(recipient_id)]
        if kind is not RecipientKind.FUNDER:
            matches = (
                self._db.collection(MATCHES)
                .where(filter=FieldFilter("target_kind", "==", kind.value))
                .where(filter=FieldFilter("target_id", "==", recipient_id))
            )
            for snap in matches.select([]).stream():
                refs.append(snap.reference)
                funders_alert = alert_document_id(RecipientKind.FUNDER, snap.id)
                refs.append(self._db.collection(ALERTS).document(funders_alert))
        alerts = (
            self._db.collection(ALERTS)
            .where(filter=FieldFilter("recipient_kind", "==", kind.value))
            .where(filter=FieldFilter("recipient_id", "==", recipient_id))
        )
        notifications = (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("recipient_kind", "==", kind.value))
            .where(filter=FieldFilter("recipient_id", "==", recipient_id))
        )
        refs += [snap.reference for snap in alerts.select([]).stream()]
        refs += [snap.reference for snap in notifications.select([]).stream()]
        if kind is RecipientKind.PROJECT:
            refs += self._interests_in_project(recipient_id)
        return refs

    def _interests_in_project(self, project_id: str) -> list[Any]:
        interests = self._db.collection(INTERESTS).where(
            filter=FieldFilter("project_id", "==", project_id)
        )
        refs = []
        for snap in interests.select([]).stream():
            refs += [snap.reference, *self._notifications_caused_by(snap.id)]
        return refs

    def _notifications_caused_by(self, interest_id: str) -> list[Any]:
        """The email records an interest caused: the CSO's, and the funder's introduction."""
        caused = self._db.collection(NOTIFICATIONS).where(
            filter=FieldFilter("cause_payload.interest_id", "==", interest_id)
        )
        return [snap.reference for snap in caused.select([]).stream()]

    def create_erasure_request(
        self, request_id: str, email: str, now: datetime, expire_at: datetime, event: Envelope
    ) -> None:
        """Keep an address until its erasure link is sent, with the event that sends it."""
        batch = self._db.batch()
        ref = self._db.collection(ERASURE_REQUESTS).document(request_id)
        batch.create(ref, {"email": email, "created_at": now, "expire_at": expire_at})
        self._add_outbox(batch, event)
        batch.commit()

    def get_erasure_request(self, request_id: str) -> dict[str, Any] | None:
        """An erasure request (its address) by id."""
        snap = self._db.collection(ERASURE_REQUESTS).document(request_id).get()
        return snap.to_dict() if snap.exists else None

    def erasure_requests_for(self, email: str) -> list[Any]:
        """References to the pending erasure requests of an address."""
        query = self._db.collection(ERASURE_REQUESTS).where(
            filter=FieldFilter("email", "==", email)
        )
        return [snap.reference for snap in query.select([]).stream()]

    def delete_erasure_request(self, request_id: str) -> None:
        """Forget a handled erasure request (and with it the address)."""
        self._db.collection(ERASURE_REQUESTS).document(request_id).delete()

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
            ref.update({**fields, **claim, "attempts": firestore.Increment(1)}, option=option)
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

    # -- alerts: one per (recipient, match), the ledger of what each was told ------------
    def add_alert(self, alert_id: str, fields: dict[str, Any], now: datetime) -> bool:
        """Record a match a recipient should hear about; False if it was recorded before."""
        ref = self._db.collection(ALERTS).document(alert_id)
        try:
            ref.create({**fields, "status": "pending", "created_at": now, "updated_at": now})
        except gexc.AlreadyExists:
            return False
        return True

    def get_alert(self, alert_id: str) -> dict[str, Any] | None:
        """An alert by id."""
        snap = self._db.collection(ALERTS).document(alert_id).get()
        return {"id": snap.id, **snap.to_dict()} if snap.exists else None

    def set_alert(self, alert_id: str, fields: dict[str, Any], now: datetime) -> None:
        """Create or change an alert (merge): used when a recipient mutes a grant."""
        ref = self._db.collection(ALERTS).document(alert_id)
        ref.set({**fields, "updated_at": now}, merge=True)

    def alerts_of(
        self, kind: RecipientKind, recipient_id: str, statuses: tuple[str, ...] = ("pending",)
    ) -> list[dict[str, Any]]:
        """A recipient's alerts in the given statuses."""
        query = (
            self._db.collection(ALERTS)
            .where(filter=FieldFilter("recipient_kind", "==", kind.value))
            .where(filter=FieldFilter("recipient_id", "==", recipient_id))
            .where(filter=FieldFilter("status", "in", list(statuses)))
        )
        return [{"id": s.id, **s.to_dict()} for s in query.stream()]

    def alerts_for_grants(self, grant_ids: list[str]) -> list[dict[str, Any]]:
        """Every alert about any of these grants."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(grant_ids), IN_LIMIT):
            found.extend(self._alerts_for_grant_chunk(grant_ids[start : start + IN_LIMIT]))
        return found

    def _alerts_for_grant_chunk(self, chunk: list[str]) -> list[dict[str, Any]]:
        query = self._db.collection(ALERTS).where(filter=FieldFilter("grant_id", "in", chunk))
        return [{"id": s.id, **s.to_dict()} for s in query.stream()]

    def update_alerts(self, alert_ids: list[str], fields: dict[str, Any], now: datetime) -> None:
        """Apply the same change to several alerts atomically (per 500)."""
        for start in range(0, len(alert_ids), BATCH_LIMIT):
            batch = self._db.batch()
            for alert_id in alert_ids[start : start + BATCH_LIMIT]:
                ref = self._db.collection(ALERTS).document(alert_id)
                batch.update(ref, {**fields, "updated_at": now})
            batch.commit()

    def due_alerts(self, now: datetime, limit: int) -> list[tuple[dict[str, Any], datetime]]:
        """Alerts whose instant email is due, with their update times (for `postpone`)."""
        query = (
            self._db.collection(ALERTS)
            .where(filter=FieldFilter("due_at", "<=", now))
            .order_by("due_at")
            .limit(limit)
        )
        return [({"id": s.id, **s.to_dict()}, s.update_time) for s in query.stream()]

    def postpone_alert(self, alert_id: str, seen: datetime, until: datetime) -> bool:
        """Move an alert's due time, unless it changed since `seen` (e.g. it was sent)."""
        ref = self._db.collection(ALERTS).document(alert_id)
        try:
            ref.update({"due_at": until}, option=self._db.write_option(last_update_time=seen))
        except (gexc.FailedPrecondition, gexc.NotFound):
            return False
        return True

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
        for start in range(0, len(event_ids), BATCH_LIMIT):
            batch = self._db.batch()
            for event_id in event_ids[start : start + BATCH_LIMIT]:
                batch.delete(self._db.collection(OUTBOX).document(event_id))
            batch.commit()

    # -- rate limits ----------------------------------------------------------------------
    def rate_windows(self, counter_ids: list[str]) -> list[WindowCount]:
        """The windows' admitted requests per tick, in the order asked (empty for a
        window never counted), in one read."""
        refs = [self._db.collection(RATE_LIMITS).document(i) for i in counter_ids]
        found = {snap.id: snap.to_dict() for snap in self._db.get_all(refs) if snap.exists}
        windows = []
        for counter_id in counter_ids:
            doc = found.get(counter_id, {})
            ticks = {int(name[1:]): int(n) for name, n in (doc.get("ticks") or {}).items()}
            windows.append(WindowCount(ticks, float(doc.get("last_seen", 0))))
        return windows

    def count_admitted(self, counter_id: str, expire_at: datetime, tick: int, at: float) -> int:
        """Count a request as admitted in its window and tick, keep the latest request
        time, and return the window's admitted total, in one atomic write (Firestore
        returns the results of the increments with the write)."""
        ref = self._db.collection(RATE_LIMITS).document(counter_id)
        result = ref.set(
            {
                "count": firestore.Increment(1),
                "admitted": firestore.Increment(1),
                "ticks": {f"t{tick}": firestore.Increment(1)},
                "last_seen": firestore.Maximum(at),
                "expire_at": expire_at,
            },
            merge=True,
        )
        # The client sends, and Firestore answers, the transforms sorted by field path.
        paths = sorted(["count", "admitted", f"ticks.t{tick}", "last_seen"])
        return int(result.transform_results[paths.index("admitted")].integer_value)

    def count_refused(self, counter_id: str, expire_at: datetime) -> None:
        """Count a request refused in its window (it takes no room in the window)."""
        ref = self._db.collection(RATE_LIMITS).document(counter_id)
        ref.set({"count": firestore.Increment(1), "expire_at": expire_at}, merge=True)

    # -- processed-event ledger -----------------------------------------------------------
    def was_processed(self, consumer: str, event_id: str) -> bool:
        """True if `consumer` already finished handling `event_id`."""
        return self._db.collection(PROCESSED).document(f"{consumer}:{event_id}").get().exists

    def mark_processed(self, consumer: str, event_id: str, now: datetime, ttl: timedelta) -> None:
        """Remember that `consumer` handled `event_id` (expires via Firestore TTL)."""
        self._db.collection(PROCESSED).document(f"{consumer}:{event_id}").set(
            {"processed_at": now, "expire_at": now + ttl}
        )
