"""Change notices: the CSOs already told about a harvested call hear when its deadline,
amount or eligibility changes at the source.

One email per person and harvest run, listing each call's changes old -> new, sent
through the one delivery path (claim, send, record) under the id
`changes:<kind>:<recipient>:<run>`, so a repeated run sends it once. Only recipients
whose alert about the call was `sent` are told; CSOs the changed call newly fits hear of
it through `grant.published`, like any changed grant.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.adapters.ports import AlertStatus
from shared.domain.events import Envelope
from shared.domain.models import Grant, GrantSubmission
from shared.domain.recipients import EmailKind, RecipientKind
from shared.email.items import change_item
from shared.email.rendering import render_changes
from shared.runtime.bootstrap import Adapters
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id

log = logging.getLogger(__name__)

#: The fields whose change a CSO already alerted about is told of (deadline, amount,
#: eligibility); any other change updates the grant silently.
NOTICE_FIELDS: tuple[str, ...] = (
    "deadline",
    "amount_min",
    "amount_max",
    "currency",
    "countries",
    "applicant_types",
    "fiscal_sponsor_ok",
    "sectors",
)


@dataclass(frozen=True)
class FieldChange:
    """One field of a stored call that changed at its source, as text a person reads."""

    field: str
    old: str
    new: str


def describe_changes(old: Grant, new: GrantSubmission) -> list[FieldChange]:
    """The deadline, amount and eligibility fields that differ, old -> new (sets compared
    as sets: a reordering is no change)."""
    changes = []
    for name in NOTICE_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if isinstance(before, list):
            if sorted(map(str, before)) == sorted(map(str, after)):
                continue
        elif before == after:
            continue
        changes.append(FieldChange(name, _shown(before), _shown(after)))
    return changes


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(getattr(v, "value", v)) for v in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


def send_change_notices(
    ad: Adapters, revisions: dict[str, tuple[Grant, Grant]], run_id: str, cause: Envelope
) -> dict[str, int]:
    """One email per person already told about any of these calls, listing each call's
    changes old -> new; returns how many deliveries ended how ("sent", "done", ...)."""
    outcomes: dict[str, int] = {}
    if not revisions:
        return outcomes
    told: dict[tuple[RecipientKind, str], set[str]] = {}
    for alert in ad.alerts.for_grants(sorted(revisions)):
        if alert.status is AlertStatus.SENT:
            told.setdefault((alert.recipient_kind, alert.recipient_id), set()).add(alert.grant_id)
    links = link_signer(ad)
    for (kind, recipient_id), grant_ids in sorted(told.items()):
        recipient = ad.subscribers.get_recipient(kind, recipient_id)
        if recipient is None:
            continue
        items = [change_item(recipient, *revisions[g], links) for g in sorted(grant_ids)]
        items = [item for item in items if item.lines]
        if not items:
            continue
        nid = notification_id(EmailKind.CHANGES, recipient, run_id)
        email = render_changes(recipient, items, links, nid)
        outcome = deliver(ad, Outgoing(nid, EmailKind.CHANGES, recipient, email), cause)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    log.info("change notices", extra={"run_id": run_id, "notices": outcomes})
    return outcomes
