"""Scheduled emails: the weekly digest (profiles, and funders' "projects that fit") and
the deadline reminders, started by a Cloud Scheduler tick.

A tick fans out one `notification.due` per recipient, with an event id made from the job,
the period and the recipient, and each email is claimed under an id that names the
period. A redelivered tick, or a second tick in the same week (or day), therefore sends
nothing twice; the next week is a new period and sends again.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from shared.adapters.ports import Alert, AlertStatus
from shared.domain.events import Envelope, NotificationDue, ScheduleTick, new_event
from shared.domain.ids import content_hash
from shared.domain.recipients import EmailKind, Recipient, RecipientKind
from shared.domain.schedule import DIGEST_MAX_ITEMS, REMINDER_DAYS, Job, period_of, region_date
from shared.email.items import GrantProjects, project_item
from shared.email.links import grant_projects_page
from shared.email.rendering import render_digest, render_funder_digest, render_reminder
from shared.runtime.bootstrap import Adapters
from shared.services.alerts import (
    FUNDER_VISIBLE,
    Collected,
    collect_open,
    hold_or_drop,
    items_for,
)
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id
from shared.services.matchmaking import deadline_today

log = logging.getLogger(__name__)
FANOUT_CHUNK = 200
# A reminder names grants its recipient was alerted to, or was told about.
REMINDABLE = (AlertStatus.PENDING, AlertStatus.SENT)


def on_schedule_tick(envelope: Envelope, ad: Adapters, payload: ScheduleTick) -> int:
    """Fan a scheduler tick out to one `notification.due` per recipient concerned."""
    now = ad.clock.now()
    period = period_of(payload.job, now)
    if payload.job is Job.WEEKLY_DIGEST:
        email = EmailKind.DIGEST
        recipients = [(RecipientKind.PROFILE, pid) for pid in ad.subscribers.weekly_profiles()]
        recipients += [(RecipientKind.FUNDER, fid) for fid in ad.funders.with_contact()]
    else:
        email = EmailKind.REMINDER
        recipients = _reminder_recipients(ad, region_date(now))
    events = [
        new_event(
            NotificationDue(kind=email, recipient_kind=kind, recipient_id=rid, period=period),
            correlation_id=envelope.correlation_id,
            now=now,
            event_id=content_hash(f"{payload.job.value}/{period}/{kind.value}/{rid}")[:32],
        )
        for kind, rid in recipients
    ]
    for start in range(0, len(events), FANOUT_CHUNK):
        ad.publisher.publish_many(events[start : start + FANOUT_CHUNK])
    log.info(
        "scheduled run fanned out",
        extra={"job": payload.job.value, "period": period, "recipients": len(events)},
    )
    return len(events)


def _reminder_recipients(ad: Adapters, today: date) -> list[tuple[RecipientKind, str]]:
    """Profiles and projects with a not-yet-reminded, not-muted alert about a grant that
    closes within the reminder window."""
    closing = ad.grants.closing_between(today, today + timedelta(days=REMINDER_DAYS))
    found = {
        (a.recipient_kind, a.recipient_id)
        for a in ad.alerts.for_grants([g.id for g in closing])
        if a.recipient_kind is not RecipientKind.FUNDER
        and a.status in REMINDABLE
        and not a.reminded_at
    }
    return sorted(found)


def _best_first(collected: list[Collected]) -> list[Collected]:
    """Highest score first; among equals, the one that closes first."""
    return sorted(collected, key=lambda c: (-c.match.score, c.grant.deadline or date.max))


def send_digest(envelope: Envelope, ad: Adapters, recipient: Recipient, period: str) -> str:
    """A weekly profile's digest: its best pending matches, up to the cap."""
    pending = ad.alerts.of_recipient(recipient.kind, recipient.id)
    if not recipient.may_receive(EmailKind.DIGEST):
        hold_or_drop(ad, recipient, pending)
        return "not-allowed"
    ranked = _best_first(collect_open(ad, pending, deadline_today(ad.clock.now())))
    shown, more = ranked[:DIGEST_MAX_ITEMS], len(ranked) - DIGEST_MAX_ITEMS
    if not shown:
        return "nothing"
    nid = notification_id(EmailKind.DIGEST, recipient, period)
    items = items_for(ad, recipient, shown)
    email = render_digest(recipient, items, max(more, 0), link_signer(ad), nid)
    ids = [c.alert.id for c in shown]
    return deliver(ad, Outgoing(nid, EmailKind.DIGEST, recipient, email, ids), envelope)


def send_funder_digest(envelope: Envelope, ad: Adapters, recipient: Recipient, period: str) -> str:
    """A funder's weekly "projects that fit your grants". Only projects their
    organisations show to funders (and whose address is confirmed) are listed; a project
    made private or deleted since is dropped, never shown."""
    pending = ad.alerts.of_recipient(recipient.kind, recipient.id)
    if not recipient.may_receive(EmailKind.DIGEST):
        hold_or_drop(ad, recipient, pending)
        return "not-allowed"
    shown: dict[str, GrantProjects] = {}
    ids: list[str] = []
    gone: list[str] = []
    capped = 0
    for c in _best_first(collect_open(ad, pending, deadline_today(ad.clock.now()))):
        project = ad.subscribers.get_project(c.match.target_id)
        if project is None or project.visibility not in FUNDER_VISIBLE:
            gone.append(c.alert.id)
            continue
        if not project.confirmed:
            continue  # stays pending: listed once its organisation confirms its address
        if len(ids) >= DIGEST_MAX_ITEMS:
            capped += 1  # stays pending for the next email
            continue
        url = grant_projects_page(ad.settings.public_base_url, c.grant.id, recipient.language)
        group = shown.setdefault(c.grant.id, GrantProjects(c.grant.title, url, []))
        group.projects.append(project_item(project, c.match, recipient.language))
        ids.append(c.alert.id)
    ad.alerts.close(gone, AlertStatus.EXPIRED, ad.clock.now())
    if not ids:
        return "nothing"
    nid = notification_id(EmailKind.DIGEST, recipient, period)
    email = render_funder_digest(recipient, list(shown.values()), capped, link_signer(ad), nid)
    return deliver(ad, Outgoing(nid, EmailKind.DIGEST, recipient, email, ids), envelope)


def send_reminder(envelope: Envelope, ad: Adapters, recipient: Recipient, period: str) -> str:
    """Matched grants closing within the window that this recipient has not muted and
    was not reminded of, in one email."""
    alerts: list[Alert] = [
        a
        for a in ad.alerts.of_recipient(recipient.kind, recipient.id, REMINDABLE)
        if not a.reminded_at
    ]
    if not recipient.may_receive(EmailKind.REMINDER):
        return "not-allowed"
    now = ad.clock.now()
    today = region_date(now)
    last = today + timedelta(days=REMINDER_DAYS)
    closing = [
        c
        for c in collect_open(ad, alerts, deadline_today(now))
        if c.grant.deadline is not None and today <= c.grant.deadline <= last
    ]
    closing.sort(key=lambda c: (c.grant.deadline, -c.match.score))
    closing = closing[:DIGEST_MAX_ITEMS]
    if not closing:
        return "nothing"
    nid = notification_id(EmailKind.REMINDER, recipient, period)
    items = items_for(ad, recipient, closing, today)
    email = render_reminder(recipient, items, link_signer(ad), nid)
    ids = [c.alert.id for c in closing]
    return deliver(ad, Outgoing(nid, EmailKind.REMINDER, recipient, email, ids), envelope)
