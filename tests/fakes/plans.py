"""FakePlans: projects' plans in memory, on the stored project as in Firestore."""

from __future__ import annotations

from datetime import datetime

from shared.domain.logframe import Logframe
from tests.fakes.memory import Memory, StoredSubmission


class FakePlans:
    """PlanStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def save_plan(self, project_id: str, plan: Logframe, now: datetime) -> int | None:
        stored = self._m.projects.get(project_id)
        if stored is None:
            return None
        current = stored.model
        if current.plan == plan:
            return current.plan_revision
        revision = current.plan_revision + 1
        updated = current.model_copy(update={"plan": plan, "plan_revision": revision})
        self._m.projects[project_id] = StoredSubmission(updated, stored.request_hash)
        return revision
