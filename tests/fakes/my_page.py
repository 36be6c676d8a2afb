"""FakeMyPage and FakeFunderPages: the stores of the CSO's own page and the funders'
pages, in memory (marks and calendar hashes live beside the match and the subscriber,
so a match or subscriber that is gone takes them along, as in Firestore)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from shared.adapters.ports import Mark
from shared.domain.events import Envelope
from shared.domain.models import Grant, Profile, Project
from shared.domain.recipients import RecipientKind
from tests.fakes.memory import Memory, StoredSubmission

Target = TypeVar("Target", Profile, Project)


class FakeMyPage:
    """MyPageStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory
        self._marks: dict[str, Mark] = {}
        self._calendars: dict[tuple[RecipientKind, str], str] = {}

    def marks(self, kind: RecipientKind, target_id: str) -> dict[str, Mark]:
        return {
            mid: mark
            for mid, mark in self._marks.items()
            if (match := self._m.matches.get(mid)) is not None
            and match.target_kind.value == kind.value
            and match.target_id == target_id
        }

    def set_mark(self, match_id: str, mark: Mark | None, now: datetime) -> bool:
        if match_id not in self._m.matches:
            return False
        if mark is None:
            self._marks.pop(match_id, None)
        else:
            self._marks[match_id] = mark
        return True

    def set_calendar_hash(
        self, kind: RecipientKind, target_id: str, secret_hash: str | None, now: datetime
    ) -> bool:
        table = self._m.profiles if kind is RecipientKind.PROFILE else self._m.projects
        if target_id not in table:
            return False
        if secret_hash is None:
            self._calendars.pop((kind, target_id), None)
        else:
            self._calendars[(kind, target_id)] = secret_hash
        return True

    def replace_subscriber(self, target: Profile | Project, event: Envelope) -> bool:
        self._m.check_outbox_free(event)
        if isinstance(target, Profile):
            stored_profile = self._m.profiles.get(target.id)
            if stored_profile is None:
                return False
            self._m.profiles[target.id] = StoredSubmission(
                _keep_consent(target, stored_profile.model), stored_profile.request_hash
            )
        else:
            stored_project = self._m.projects.get(target.id)
            if stored_project is None:
                return False
            kept = _keep_consent(target, stored_project.model).model_copy(
                update={
                    "pledged_amount": stored_project.model.pledged_amount,
                    "plan": stored_project.model.plan,
                    "plan_revision": stored_project.model.plan_revision,
                }
            )
            self._m.projects[target.id] = StoredSubmission(kept, stored_project.request_hash)
        self._m.add_outbox(event)
        return True

    def calendar_owner(self, secret_hash: str) -> tuple[RecipientKind, str] | None:
        for (kind, target_id), stored in sorted(self._calendars.items()):
            table = self._m.profiles if kind is RecipientKind.PROFILE else self._m.projects
            if stored == secret_hash and target_id in table:
                return kind, target_id
        return None


def _keep_consent(new: Target, old: Target) -> Target:
    keep = ("created_at", "confirmed", "confirmed_at", "unsubscribed_at")
    return new.model_copy(update={name: getattr(old, name) for name in keep})


class FakeFunderPages:
    """FunderPagesStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def grants_of(self, funder_id: str, limit: int) -> list[Grant]:
        grants = [s.grant for s in self._m.grants.values() if s.grant.funder_id == funder_id]
        return sorted(grants, key=lambda g: (g.deadline or date.max, g.id))[:limit]
