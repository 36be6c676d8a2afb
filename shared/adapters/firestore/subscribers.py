"""Profiles and projects, the candidate queries that find them for a grant, and every
email recipient's consent (a funder's contact included)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import FirestoreStore, keys_or_any, model_document
from shared.adapters.firestore.funders import contact_ref, funder_recipient
from shared.adapters.firestore.keys import (
    ROLLING,
    CandidateQuery,
    target_queries,
    target_reach_keys,
)
from shared.adapters.firestore.ledgers import add_outbox
from shared.adapters.ports import ConcurrentUpdate, SaveOutcome
from shared.domain.events import Envelope
from shared.domain.models import Grant, Profile, Project
from shared.domain.recipients import Recipient, RecipientKind
from shared.domain.taxonomy import Frequency

PROJECTS = "projects"
PROFILES = "profiles"
_SUBSCRIBERS = {RecipientKind.PROFILE: PROFILES, RecipientKind.PROJECT: PROJECTS}


def profile_document(profile: Profile, request_hash: str) -> dict[str, Any]:
    """A profile as stored, with the index keys its candidate queries use."""
    sectors = [s.value for s in profile.sectors]
    return model_document(
        profile,
        request_hash=request_hash,
        country_keys=list(profile.countries),
        sector_keys=keys_or_any(sectors),
        reach_keys=target_reach_keys(profile.countries, sectors),
    )


def _project_document(project: Project, request_hash: str) -> dict[str, Any]:
    sectors = [s.value for s in project.sectors]
    return model_document(
        project,
        request_hash=request_hash,
        country_keys=[project.country],
        sector_keys=keys_or_any(sectors),
        reach_keys=target_reach_keys([project.country], sectors),
        open_until=project.needed_by.isoformat() if project.needed_by else ROLLING,
    )


class FirestoreSubscribers(FirestoreStore):
    """Profiles, projects and recipients."""

    def __init__(self, client: firestore.Client) -> None:
        super().__init__(client)
        # Documents streamed by the candidate queries: logged by the matcher, and bench/.
        self.documents_read = 0

    def create_project(self, project: Project, request_hash: str, event: Envelope) -> SaveOutcome:
        """Store a new project with its outbox event; REPLAYED for a repeated request."""
        data = _project_document(project, request_hash)
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
        add_outbox(self._db, batch, event)
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

    def weekly_profiles(self) -> list[str]:
        """Ids of confirmed, subscribed profiles that want the weekly digest."""
        query = (
            self._db.collection(PROFILES)
            .where(filter=FieldFilter("frequency", "==", Frequency.WEEKLY.value))
            .where(filter=FieldFilter("confirmed", "==", True))
            .where(filter=FieldFilter("unsubscribed_at", "==", None))
        )
        return [snap.id for snap in query.select([]).stream()]

    # -- recipients (who gets email, and their consent) ---------------------------------
    def get_recipient(self, kind: RecipientKind, recipient_id: str) -> Recipient | None:
        """A profile, a project's contact or a funder's contact, as a recipient."""
        if kind is RecipientKind.PROFILE:
            profile = self.get_profile(recipient_id)
            return Recipient.of_profile(profile) if profile else None
        if kind is RecipientKind.PROJECT:
            project = self.get_project(recipient_id)
            return Recipient.of_project(project) if project else None
        return funder_recipient(self._db, recipient_id)

    def confirm_recipient(
        self, kind: RecipientKind, recipient_id: str, now: datetime, event: Envelope
    ) -> None:
        """Mark an address confirmed and queue the event that releases what was held for
        it, in one batch (so a crash cannot confirm without announcing)."""
        batch = self._db.batch()
        ref = subscriber_ref(self._db, kind, recipient_id)
        batch.update(ref, {"confirmed": True, "confirmed_at": now, "updated_at": now})
        add_outbox(self._db, batch, event)
        with contextlib.suppress(gexc.AlreadyExists):  # a concurrent confirmation won
            batch.commit()

    def unsubscribe_recipient(self, kind: RecipientKind, recipient_id: str, now: datetime) -> None:
        """Withdraw consent for good: nothing more is sent to this recipient."""
        if kind is RecipientKind.FUNDER:
            ref = contact_ref(self._db, recipient_id)
        else:
            ref = subscriber_ref(self._db, kind, recipient_id)
        with contextlib.suppress(gexc.NotFound):
            ref.update({"unsubscribed_at": now})

    # -- one subscriber per address (by the address's keyed hash) ------------------------
    def with_address_key(self, email_key: str) -> list[tuple[RecipientKind, str]]:
        """Every profile and project whose address has this keyed hash, by id."""
        profiles = self._db.collection(PROFILES).where(
            filter=FieldFilter("email_key", "==", email_key)
        )
        projects = self._db.collection(PROJECTS).where(
            filter=FieldFilter("email_key", "==", email_key)
        )
        found = [(RecipientKind.PROFILE, s.id) for s in profiles.select([]).stream()]
        found += [(RecipientKind.PROJECT, s.id) for s in projects.select([]).stream()]
        return sorted(found)

    def retire_profile(self, profile_id: str, superseded_by: str, now: datetime) -> None:
        """End a profile that a newer confirmed one of the same address replaced: it gets
        no more email (as if unsubscribed), and says which profile replaced it."""
        ref = self._db.collection(PROFILES).document(profile_id)
        with contextlib.suppress(gexc.NotFound):
            ref.update({"unsubscribed_at": now, "superseded_by": superseded_by})

    def address_records(self) -> Iterator[tuple[RecipientKind, str, str, str]]:
        """(kind, id, address, stored keyed hash or "") of every profile and project,
        for the migration that indexes and deduplicates them."""
        # One literal query per collection, so tests/contract can read each of them.
        profiles = self._db.collection(PROFILES).select(["email", "email_key"]).stream()
        for snap in profiles:
            data = snap.to_dict() or {}
            yield RecipientKind.PROFILE, snap.id, data.get("email", ""), data.get("email_key", "")
        projects = self._db.collection(PROJECTS).select(["contact_email", "email_key"]).stream()
        for snap in projects:
            data = snap.to_dict() or {}
            email = data.get("contact_email", "")
            yield RecipientKind.PROJECT, snap.id, email, data.get("email_key", "")

    def set_email_key(self, kind: RecipientKind, subscriber_id: str, email_key: str) -> None:
        """Store the keyed hash of a profile's or project's address."""
        with contextlib.suppress(gexc.NotFound):
            subscriber_ref(self._db, kind, subscriber_id).update({"email_key": email_key})


# -- for the stores that pledge to a project or erase a recipient --------------------------
def subscriber_ref(db: firestore.Client, kind: RecipientKind, subscriber_id: str) -> Any:
    """The reference of a profile (PROFILE) or a project (PROJECT)."""
    return db.collection(_SUBSCRIBERS[kind]).document(subscriber_id)


def subscribers_with_address(db: firestore.Client, email: str) -> list[tuple[RecipientKind, str]]:
    """Every profile and project that uses this address, by id."""
    # One literal query per collection, so tests/contract can read each of them.
    profiles = db.collection(PROFILES).where(filter=FieldFilter("email", "==", email))
    projects = db.collection(PROJECTS).where(filter=FieldFilter("contact_email", "==", email))
    found = [(RecipientKind.PROFILE, s.id) for s in profiles.select([]).stream()]
    found += [(RecipientKind.PROJECT, s.id) for s in projects.select([]).stream()]
    return found


CALENDAR_HASH = "calendar_feed_hash"  # a CSO's private calendar secret, hashed (My Grant Match)


def subscriber_with_calendar_hash(
    db: firestore.Client, secret_hash: str
) -> tuple[RecipientKind, str] | None:
    """The profile, else the project, whose calendar secret has this hash."""
    profiles = db.collection(PROFILES).where(filter=FieldFilter(CALENDAR_HASH, "==", secret_hash))
    for snap in profiles.select([]).limit(1).stream():
        return RecipientKind.PROFILE, snap.id
    projects = db.collection(PROJECTS).where(filter=FieldFilter(CALENDAR_HASH, "==", secret_hash))
    for snap in projects.select([]).limit(1).stream():
        return RecipientKind.PROJECT, snap.id
    return None
