"""FakeInterests: funders' interests in projects, with the pledge added to the project."""

from __future__ import annotations

from datetime import datetime

from shared.domain.events import Envelope
from shared.domain.models import Interest
from tests.fakes.memory import Memory, NotFound


class FakeInterests:
    """InterestStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def create(self, interest: Interest, event: Envelope) -> bool:
        if interest.id in self._m.interests or event.id in self._m.outbox:
            return False
        project = self._m.projects.get(interest.project_id)
        if interest.pledge and project is None:
            raise NotFound(f"projects/{interest.project_id}")
        self._m.interests[interest.id] = interest
        if interest.pledge and project is not None:
            pledged = project.model.pledged_amount + interest.pledge
            project.model = project.model.model_copy(update={"pledged_amount": pledged})
        self._m.add_outbox(event)
        return True

    def get(self, interest_id: str) -> Interest | None:
        return self._m.interests.get(interest_id)

    def get_many(self, interest_ids: list[str]) -> dict[str, Interest]:
        return {i: self._m.interests[i] for i in interest_ids if i in self._m.interests}

    def accept(self, interest_id: str, reply: str, now: datetime, event: Envelope) -> None:
        interest = self._m.interests.get(interest_id)
        if interest is None:
            raise NotFound(f"interests/{interest_id}")
        if event.id in self._m.outbox:  # accepted before: keep the first
            return
        self._m.interests[interest_id] = interest.model_copy(
            update={"accepted_at": now, "reply": reply}
        )
        self._m.add_outbox(event)
