"""A project's logical framework, kept as a draft on the project itself (so erasing the
project takes it along). Only this store writes the plan; editing the project leaves it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shared.domain.logframe import Logframe


class PlanStore(Protocol):
    """Drafts of projects' plans, each save counted by the project's `plan_revision`."""

    def save_plan(self, project_id: str, plan: Logframe, now: datetime) -> int | None:
        """Keep `plan` as the project's draft; its revision: one more than the stored one,
        or the stored one when `plan` is what is stored (a repeated post saves once).
        None, writing nothing, if the project is gone."""
        ...
