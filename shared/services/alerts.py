"""Alerts: every match a recipient should hear about, and the instant emails about them.

`match.found` records one alert per (recipient, match): for the profile or project that
matched and, for a project shown to funders, for the grant's funder. An alert is
`pending` until an email told its recipient (`sent`), or it is `muted`, `expired`
(grant closed or gone), `dropped` (unsubscribed) or `failed` (address refused).

Instant recipients get a `due_at` a short window after the match; the relay announces
due recipients (`notification.due`), and one email then carries every pending alert of
that recipient. Weekly recipients' alerts wait for the digest. Unconfirmed addresses get
no `due_at`: their alerts are held until confirmation releases them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from shared.adapters.ports import Alert, AlertStatus, DueAlert, PublishFailed, alert_id
from shared.domain.events import Envelope, MatchFound, NotificationDue, new_event
from shared.domain.models import Grant, Match, Profile, Project
from shared.domain.opportunities import OpportunityKind
from shared.domain.recipients import EmailKind, Recipient, RecipientKind
from shared.domain.schedule import ALERT_BATCH_MAX, REMINDER_DAYS
from shared.domain.taxonomy import TargetKind, Visibility
from shared.email.items import MatchItem, match_item
from shared.email.rendering import render_alerts
from shared.matching.engine import still_fits
from shared.runtime.bootstrap import Adapters
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id
from shared.services.matchmaking import deadline_today

log = logging.getLogger(__name__)
_NEVER = datetime.min.replace(tzinfo=UTC)  # sorts an alert muting created first
ANNOUNCE_BATCH = 200
FUNDER_VISIBLE = (Visibility.PUBLIC, Visibility.FUNDERS)


def on_match_found(envelope: Envelope, ad: Adapters, payload: MatchFound) -> int:
    """Record who should hear about a new match; returns the number of new alerts."""
    match = ad.matches.get(payload.match_id)
    grant = ad.grants.get(payload.grant_id) if match else None
    if match is None or grant is None:
        log.info("match or grant gone; nothing to record", extra={"match_id": payload.match_id})
        return 0
    audience = [(RecipientKind(match.target_kind.value), match.target_id)]
    if match.target_kind is TargetKind.PROJECT:
        if grant.kind is not OpportunityKind.GRANT:
            # A project asked for money: its contact hears of grants only, while whoever
            # posted the training or offer sees the projects it fits, as a funder does.
            audience = []
        project = ad.subscribers.get_project(match.target_id)
        if project is not None and project.visibility in FUNDER_VISIBLE:
            audience.append((RecipientKind.FUNDER, grant.funder_id))
    created = 0
    for kind, recipient_id in audience:
        recipient = ad.subscribers.get_recipient(kind, recipient_id)
        if recipient is None or recipient.unsubscribed:
            continue
        now = ad.clock.now()
        created += ad.alerts.add(
            kind, recipient_id, match.id, grant.id, envelope.correlation_id, now
        )
        _schedule_if_instant(ad, alert_id(kind, match.id), kind, recipient_id)
    return created


def _schedule_if_instant(ad: Adapters, aid: str, kind: RecipientKind, recipient_id: str) -> None:
    """Give a pending alert its due time if its recipient wants instant email and may get
    it. Read after the alert was written: a confirmation that lands in between either is
    seen here or finds the alert when it releases held ones, so nothing stays held."""
    recipient = ad.subscribers.get_recipient(kind, recipient_id)
    if recipient is None or not (
        recipient.wants_instant and recipient.may_receive(EmailKind.ALERTS)
    ):
        return
    alert = ad.alerts.get(aid)
    if alert and alert.status is AlertStatus.PENDING and alert.due_at is None:
        window = timedelta(seconds=ad.settings.alert_batch_window_seconds)
        now = ad.clock.now()
        ad.alerts.set_due([aid], now + window, now)


def release_held_alerts(ad: Adapters, recipient: Recipient) -> int:
    """After confirmation: an instant recipient's held alerts are due now."""
    if not (recipient.wants_instant and recipient.may_receive(EmailKind.ALERTS)):
        return 0
    held = [a.id for a in ad.alerts.of_recipient(recipient.kind, recipient.id) if a.due_at is None]
    now = ad.clock.now()
    ad.alerts.set_due(held, now, now)
    log.info("held alerts released", extra={"recipient_id": recipient.id, "alerts": len(held)})
    return len(held)


def announce_due_alerts(ad: Adapters) -> int:
    """Relay step: one `notification.due` per recipient with due alerts. Each announced
    alert is postponed by the lease, so a lost announcement is repeated, not forgotten."""
    now = ad.clock.now()
    groups: dict[tuple[RecipientKind, str], list[DueAlert]] = defaultdict(list)
    settled = []
    for due in ad.alerts.due(now, ANNOUNCE_BATCH):
        alert = due.alert
        if alert.status is not AlertStatus.PENDING:
            # Sent (or muted) while a due time was being set: nothing left to announce.
            settled.append(alert.id)
            continue
        groups[(alert.recipient_kind, alert.recipient_id)].append(due)
    ad.alerts.set_due(settled, None, now)
    lease = timedelta(seconds=ad.settings.notification_lease_seconds)
    for (kind, recipient_id), entries in groups.items():
        event = new_event(
            NotificationDue(
                kind=EmailKind.ALERTS,
                recipient_kind=kind,
                recipient_id=recipient_id,
            ),
            correlation_id=entries[0].alert.correlation_id or recipient_id,
            now=now,
        )
        try:
            ad.publisher.publish(event)
        except PublishFailed as exc:
            log.warning("announcing due alerts failed", extra={"error": str(exc)})
            break
        for due in entries:
            ad.alerts.postpone(due.alert.id, due.seen, now + lease)
    return len(groups)


@dataclass(frozen=True)
class Collected:
    """Pending alerts that can still go out, with what each needs to be shown."""

    alert: Alert
    grant: Grant
    match: Match


def collect_open(ad: Adapters, alerts: Iterable[Alert], today: date) -> list[Collected]:
    """The alerts whose grant is still open and still fits; the others are marked `expired`.

    A match is decided when the grant is published, but an alert may wait (the batching
    window, a week for a digest) while the funder edits the grant or the CSO its profile
    or project. So each grant is screened again against the target as it is now: a grant
    narrowed to other countries must not be sent to the CSOs it no longer accepts."""
    usable, expired = [], []
    targets: dict[tuple[TargetKind, str], Project | Profile | None] = {}
    for alert in sorted(alerts, key=lambda a: (a.created_at or _NEVER, a.id)):
        grant = ad.grants.get(alert.grant_id)
        match = ad.matches.get(alert.match_id)
        if grant is None or match is None or not _still_fits(ad, grant, match, today, targets):
            expired.append(alert.id)
        else:
            usable.append(Collected(alert, grant, match))
    ad.alerts.close(expired, AlertStatus.EXPIRED, ad.clock.now())
    return usable


def _still_fits(
    ad: Adapters,
    grant: Grant,
    match: Match,
    today: date,
    targets: dict[tuple[TargetKind, str], Project | Profile | None],
) -> bool:
    """The grant, as stored now, still passes screening for the match's target as stored
    now (each target read once per collection)."""
    key = (match.target_kind, match.target_id)
    if key not in targets:
        project = match.target_kind is TargetKind.PROJECT
        read = ad.subscribers.get_project if project else ad.subscribers.get_profile
        targets[key] = read(match.target_id)
    target = targets[key]
    return target is not None and still_fits(grant, target, today)


def hold_or_drop(ad: Adapters, recipient: Recipient, alerts: list[Alert]) -> None:
    """Alerts of a recipient who may not get email: dropped if unsubscribed, else held."""
    ids = [a.id for a in alerts]
    if recipient.unsubscribed:
        ad.alerts.close(ids, AlertStatus.DROPPED, ad.clock.now())
    else:
        ad.alerts.set_due(ids, None, ad.clock.now())


def items_for(
    ad: Adapters, recipient: Recipient, collected: list[Collected], today: date | None = None
) -> list[MatchItem]:
    """The collected matches as the recipient will read them."""
    links = link_signer(ad)
    return [match_item(recipient, c.grant, c.match, links, today) for c in collected]


def closing_soon_first(collected: list[Collected], today: date) -> list[Collected]:
    """Grants that close within a week first, soonest first; the rest keep their order
    (oldest alert first). A CSO that reads only the top of an email must not miss them."""

    def closes_soon(c: Collected) -> bool:
        deadline = c.grant.deadline
        return deadline is not None and (deadline - today).days <= REMINDER_DAYS

    soon = sorted(
        (c for c in collected if closes_soon(c)), key=lambda c: c.grant.deadline or date.max
    )
    return soon + [c for c in collected if not closes_soon(c)]


def send_instant_alerts(envelope: Envelope, ad: Adapters, recipient: Recipient) -> str:
    """One email with every pending alert of an instant recipient (up to the cap)."""
    pending = ad.alerts.of_recipient(recipient.kind, recipient.id)
    if not recipient.may_receive(EmailKind.ALERTS):
        hold_or_drop(ad, recipient, pending)
        return "held" if not recipient.unsubscribed else "dropped"
    today = deadline_today(ad.clock.now())
    usable = closing_soon_first(collect_open(ad, pending, today), today)
    collected, rest = usable[:ALERT_BATCH_MAX], usable[ALERT_BATCH_MAX:]
    if not collected:
        return "nothing"
    # Named after its first alert: concurrent flushes of the same batch share one claim.
    nid = notification_id(EmailKind.ALERTS, recipient, collected[0].match.id)
    items = items_for(ad, recipient, collected, today)  # with "closes in N days"
    email = render_alerts(recipient, items, link_signer(ad), nid)
    ids = [c.alert.id for c in collected]
    outcome = deliver(ad, Outgoing(nid, EmailKind.ALERTS, recipient, email, ids), envelope)
    if outcome == "sent" and rest:  # over the cap: the next batch goes at the next pass
        now = ad.clock.now()
        ad.alerts.set_due([c.alert.id for c in rest], now, now)
    return outcome
