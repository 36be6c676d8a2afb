"""FakeSubscribers: profiles, projects, the candidate queries that find them for a grant,
and every recipient's consent.

Candidates come from the real query plan (`target_queries`) over the real index keys, so
the fake returns the same superset screening narrows as the emulator (the contract test
checks it), not every target, which would hide a query that misses one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TypeVar

from shared.adapters.firestore.keys import ANY, CandidateQuery, target_queries, target_reach_keys
from shared.adapters.ports import ConcurrentUpdate, SaveOutcome
from shared.domain.events import Envelope
from shared.domain.models import Grant, Profile, Project
from shared.domain.recipients import Recipient, RecipientKind
from shared.domain.taxonomy import Frequency
from tests.fakes.memory import Memory, NotFound, StoredSubmission

Target = TypeVar("Target", Profile, Project)


def _countries(target: Profile | Project) -> list[str]:
    return [target.country] if isinstance(target, Project) else list(target.countries)


def _fits(target: Profile | Project, spec: CandidateQuery) -> bool:
    """Whether one candidate query finds this profile or project."""
    sectors = [s.value for s in target.sectors]
    if spec.field == "reach_keys":
        keys = target_reach_keys(_countries(target), sectors)
    elif spec.field == "country_keys":
        keys = _countries(target)
    else:
        keys = list(spec.values)
    if spec.field is not None and not set(keys) & set(spec.values):
        return False
    return not spec.types or target.applicant_type.value in spec.types


def _sector_keys(project: Project) -> list[str]:
    return [s.value for s in project.sectors] or [ANY]


class FakeSubscribers:
    """SubscriberStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory
        self.documents_read = 0

    def create_project(self, project: Project, request_hash: str, event: Envelope) -> SaveOutcome:
        return self._create(self._m.projects, project, request_hash, event)

    def create_profile(self, profile: Profile, request_hash: str, event: Envelope) -> SaveOutcome:
        return self._create(self._m.profiles, profile, request_hash, event)

    def _create(
        self,
        table: dict[str, StoredSubmission[Target]],
        model: Target,
        request_hash: str,
        event: Envelope,
    ) -> SaveOutcome:
        existing = table.get(model.id)
        if existing is not None or event.id in self._m.outbox:
            if existing is not None and existing.request_hash == request_hash:
                return SaveOutcome.REPLAYED
            raise ConcurrentUpdate(model.id)
        table[model.id] = StoredSubmission(model, request_hash)
        self._m.add_outbox(event)
        return SaveOutcome.CREATED

    def get_project(self, project_id: str) -> Project | None:
        stored = self._m.projects.get(project_id)
        return stored.model if stored else None

    def get_profile(self, profile_id: str) -> Profile | None:
        stored = self._m.profiles.get(profile_id)
        return stored.model if stored else None

    def projects_newest_first(
        self,
        visibilities: list[str],
        *,
        sector: str | None,
        country: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Project]:
        found = [
            p
            for p in (s.model for s in self._m.projects.values())
            if p.visibility.value in visibilities
            and p.confirmed
            and (country is None or p.country == country)
            and (sector is None or sector in _sector_keys(p))
            and (after is None or (p.created_at, p.id) < after)
        ]
        found.sort(key=lambda p: (p.created_at, p.id), reverse=True)
        return found[:limit]

    def candidate_profiles(self, grant: Grant) -> Iterator[Profile]:
        yield from self._candidates(self._m.profiles, grant)

    def candidate_projects(self, grant: Grant) -> Iterator[Project]:
        yield from self._candidates(self._m.projects, grant)

    def _candidates(
        self, table: dict[str, StoredSubmission[Target]], grant: Grant
    ) -> Iterator[Target]:
        seen: set[str] = set()
        for spec in target_queries(grant):
            for target_id in sorted(table):  # Firestore streams equality queries by id
                target = table[target_id].model
                if not _fits(target, spec):
                    continue
                self.documents_read += 1
                if target_id not in seen:
                    seen.add(target_id)
                    yield target

    def weekly_profiles(self) -> list[str]:
        return sorted(
            p.id
            for p in (s.model for s in self._m.profiles.values())
            if p.frequency is Frequency.WEEKLY and p.confirmed and p.unsubscribed_at is None
        )

    def get_recipient(self, kind: RecipientKind, recipient_id: str) -> Recipient | None:
        if kind is RecipientKind.PROFILE:
            profile = self.get_profile(recipient_id)
            return Recipient.of_profile(profile) if profile else None
        if kind is RecipientKind.PROJECT:
            project = self.get_project(recipient_id)
            return Recipient.of_project(project) if project else None
        contact = self._m.contacts.get(recipient_id)
        funder = self._m.funders.get(recipient_id)
        if contact is None or funder is None:
            return None
        return Recipient.of_funder(
            recipient_id,
            funder[0],
            contact.email,
            contact.language,
            contact.unsubscribed_at is not None,
        )

    def confirm_recipient(
        self, kind: RecipientKind, recipient_id: str, now: datetime, event: Envelope
    ) -> None:
        table = self._table(kind)
        stored = table.get(recipient_id)
        if stored is None:
            raise NotFound(f"{kind.value}/{recipient_id}")
        if event.id in self._m.outbox:  # a concurrent confirmation won: nothing written
            return
        update = {"confirmed": True, "confirmed_at": now, "updated_at": now}
        stored.model = stored.model.model_copy(update=update)
        self._m.add_outbox(event)

    def unsubscribe_recipient(self, kind: RecipientKind, recipient_id: str, now: datetime) -> None:
        if kind is RecipientKind.FUNDER:
            if (contact := self._m.contacts.get(recipient_id)) is not None:
                contact.unsubscribed_at = now
            return
        if (stored := self._table(kind).get(recipient_id)) is not None:
            stored.model = stored.model.model_copy(update={"unsubscribed_at": now})

    def with_address_key(self, email_key: str) -> list[tuple[RecipientKind, str]]:
        found = [(RecipientKind.PROFILE, i) for i, s in self._m.profiles.items()
                 if s.model.email_key == email_key]  # fmt: skip
        found += [(RecipientKind.PROJECT, i) for i, s in self._m.projects.items()
                  if s.model.email_key == email_key]  # fmt: skip
        return sorted(found)

    def retire_profile(self, profile_id: str, superseded_by: str, now: datetime) -> None:
        if (stored := self._m.profiles.get(profile_id)) is not None:
            update = {"unsubscribed_at": now, "superseded_by": superseded_by}
            stored.model = stored.model.model_copy(update=update)

    def address_records(self) -> Iterator[tuple[RecipientKind, str, str, str]]:
        for pid, profile in sorted(self._m.profiles.items()):
            yield RecipientKind.PROFILE, pid, str(profile.model.email), profile.model.email_key
        for pid, project in sorted(self._m.projects.items()):
            email = str(project.model.contact_email)
            yield RecipientKind.PROJECT, pid, email, project.model.email_key

    def set_email_key(self, kind: RecipientKind, subscriber_id: str, email_key: str) -> None:
        if (stored := self._table(kind).get(subscriber_id)) is not None:
            stored.model = stored.model.model_copy(update={"email_key": email_key})

    def _table(
        self, kind: RecipientKind
    ) -> dict[str, StoredSubmission[Profile]] | dict[str, StoredSubmission[Project]]:
        return self._m.profiles if kind is RecipientKind.PROFILE else self._m.projects
