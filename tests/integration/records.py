"""Stored records for integration tests, made through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.domain.events import SubscriptionConfirmed, new_event
from shared.domain.models import ProjectSubmission
from shared.domain.recipients import RecipientKind
from shared.runtime.bootstrap import Adapters
from shared.services.submissions import submit_project
from tests.builders import NOW, project_body
from tests.real_adapters import at


def confirm_address(ad: Adapters, kind: RecipientKind, recipient_id: str, now: datetime) -> None:
    """What following the confirmation link records (without sending anything)."""
    event = new_event(
        SubscriptionConfirmed(recipient_kind=kind, recipient_id=recipient_id),
        correlation_id="c-test-confirm",
        now=now,
    )
    ad.subscribers.confirm_recipient(kind, recipient_id, now, event)


def stored_project(ad: Adapters, minutes: int = 0, *, confirmed: bool = True, **overrides) -> str:
    """A project submitted `minutes` after NOW, its address confirmed unless told not to."""
    created = NOW + timedelta(minutes=minutes)
    body = ProjectSubmission(**project_body(**overrides))
    pid = submit_project(
        at(ad, created), body, idempotency_key=None, correlation_id="c-test-project"
    ).id
    if confirmed:
        confirm_address(ad, RecipientKind.PROJECT, pid, created)
    return pid
