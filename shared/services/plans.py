"""The plan builder's use cases: a project's logical framework, kept as a draft on the
project and saved at every step, with what still stops it from being a plan.

Reached from the CSO's own page (the same signed link, no account): only a project has a
plan. Every save keeps what was typed, problems and all (they are shown beside their
fields), so a step submitted with errors loses nothing; each change is a revision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.domain.errors import NotFound
from shared.domain.logframe import Finding, Logframe, problems
from shared.domain.models import Project
from shared.domain.recipients import Recipient, RecipientKind
from shared.runtime.bootstrap import Adapters
from shared.services.plan_example import example_plan

__all__ = ["PlanDraft", "draft_of", "example_plan", "project_of", "save_draft"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanDraft:
    """A project's plan as the builder shows it: the draft, its revision (0: never
    saved), and its problems against the project's amount needed."""

    project: Project
    plan: Logframe
    revision: int
    findings: list[Finding]


def project_of(ad: Adapters, recipient: Recipient) -> Project:
    """The project a My Grant Match link names; NotFound for an alert profile."""
    project = None
    if recipient.kind is RecipientKind.PROJECT:
        project = ad.subscribers.get_project(recipient.id)
    if project is None:
        raise NotFound("only a project has a plan")
    return project


def _draft(project: Project, plan: Logframe, revision: int) -> PlanDraft:
    return PlanDraft(project, plan, revision, problems(plan, project.amount_needed))


def draft_of(ad: Adapters, recipient: Recipient) -> PlanDraft:
    """The project's plan as last saved (an empty one before the first save)."""
    project = project_of(ad, recipient)
    return _draft(project, project.plan or Logframe(), project.plan_revision)


def save_draft(ad: Adapters, recipient: Recipient, plan: Logframe) -> PlanDraft:
    """Keep `plan` as the project's draft, whatever its problems; the same plan posted
    twice is saved once."""
    project = project_of(ad, recipient)
    revision = ad.plans.save_plan(project.id, plan, ad.clock.now())
    if revision is None:
        raise NotFound("no such project")
    draft = _draft(project, plan, revision)
    log.info(
        "plan draft saved",
        extra={"project_id": project.id, "revision": revision, "problems": len(draft.findings)},
    )
    return draft
