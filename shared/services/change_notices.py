"""Change notices: the CSOs already told about a harvested call hear when its deadline,
amount or eligibility changes at the source.

A changed call's old and new versions are written in the batch that stores it (a
`GrantChange`), so a run that dies right after still owes the notice. Once the run is
over, each recipient told about one of its changed calls is announced in the outbox
(`notification.due`, kind `changes`, period = the run), and notify sends one email per
person and run, listing each call's changes old -> new, through the one delivery path
(claim, send, record) under the id `changes:<kind>:<recipient>:<run>`: a redelivered
announcement sends nothing more, and a claim abandoned mid-send is revived by the relay
like any other notification. Only recipients whose alert about the call was `sent` are
told; CSOs the changed call newly fits hear of it through `grant.published`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from shared.adapters.ports import AlertStatus, GrantChange
from shared.domain.events import Envelope, NotificationDue, new_event
from shared.domain.ids import content_hash
from shared.domain.models import Grant, GrantSubmission
from shared.domain.opportunities import changed_details
from shared.domain.recipients import EmailKind, Recipient, RecipientKind
from shared.email.items import change_item
from shared.email.rendering import render_changes
from shared.runtime.bootstrap import Adapters
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id
from shared.services.submissions import publish_all_now

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
    for name, before, after in changed_details(old.details, getattr(new, "details", None)):
        changes.append(FieldChange(f"details.{name}", _shown(before), _shown(after)))
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


def change_record(source: str, run_id: str, old: Grant, new: Grant, now: datetime) -> GrantChange:
    """What a run owes the CSOs told about a call it changed: both versions, written
    with the new one (one id per run and call, so a page stored again writes it again)."""
    cid = content_hash(f"change|{run_id}|{new.id}")[:40]
    return GrantChange(cid, source, run_id, new.id, old, new, now)


def announce_change_notices(ad: Adapters, source: str, correlation_id: str) -> int:
    """Hand the notices of `source`'s finished runs to notify: one `notification.due` per
    recipient told about a changed call, put in the outbox in the batch that marks the
    changes announced (so a crash repeats both or neither), then published. A run still
    in progress waits, so its notice is one email however often the run resumes. Returns
    how many notices were announced."""
    progress = ad.harvest.progress(source)
    running = progress.run_id if progress else None
    runs: dict[str, list[GrantChange]] = defaultdict(list)
    for change in ad.harvest.changes_to_announce(source):
        if change.run_id != running:
            runs[change.run_id].append(change)
    announced = 0
    now = ad.clock.now()
    for run_id, changes in sorted(runs.items()):
        events = [
            new_event(
                NotificationDue(
                    kind=EmailKind.CHANGES,
                    recipient_kind=kind,
                    recipient_id=recipient_id,
                    period=run_id,
                ),
                correlation_id=correlation_id,
                now=now,
            )
            for kind, recipient_id in sorted(_told(ad, [c.grant_id for c in changes]))
        ]
        ad.harvest.announce_changes([c.id for c in changes], events)
        publish_all_now(ad, events)
        announced += len(events)
    if announced:
        log.info("change notices announced", extra={"source": source, "notices": announced})
    return announced


def _told(ad: Adapters, grant_ids: list[str]) -> set[tuple[RecipientKind, str]]:
    """Who an email already told about any of these grants."""
    alerts = ad.alerts.for_grants(sorted(set(grant_ids)))
    return {(a.recipient_kind, a.recipient_id) for a in alerts if a.status is AlertStatus.SENT}


def send_change_notice(envelope: Envelope, ad: Adapters, recipient: Recipient, run_id: str) -> str:
    """One email to `recipient` listing each call of the run it was told about that
    changed, old -> new; sent once per recipient and run (`changes:<kind>:<id>:<run>`)."""
    changes = {c.grant_id: c for c in ad.harvest.changes_of_run(run_id)}
    told = {
        a.grant_id
        for a in ad.alerts.for_grants(sorted(changes))
        if a.status is AlertStatus.SENT
        and (a.recipient_kind, a.recipient_id) == (recipient.kind, recipient.id)
    }
    links = link_signer(ad)
    items = [change_item(recipient, changes[g].old, changes[g].new, links) for g in sorted(told)]
    items = [item for item in items if item.lines]
    if not items:
        return "nothing"
    nid = notification_id(EmailKind.CHANGES, recipient, run_id)
    email = render_changes(recipient, items, links, nid)
    return deliver(ad, Outgoing(nid, EmailKind.CHANGES, recipient, email), envelope)
