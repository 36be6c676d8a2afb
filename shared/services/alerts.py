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
from datetime import date, datetime, timedelta
from typing import Any

from shared.adapters.firestore_repo import alert_document_id
from shared.adapters.pubsub_publisher import PublishFailed
from shared.domain.events import Envelope, MatchFound, NotificationDue, new_event
from shared.domain.models import Grant, Match, Profile, Project
from shared.domain.recipients import EmailKind, Recipient, RecipientKind
from shared.domain.schedule import ALERT_BATCH_MAX
from shared.domain.taxonomy import TargetKind, Visibility
from shared.email.rendering import MatchItem, match_item, render_alerts
from shared.matching.engine import still_fits
from shared.runtime.bootstrap import Adapters
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id
from shared.services.matchmaking import deadline_today

log = logging.getLogger(__name__)
ANNOUNCE_BATCH = 200
FUNDER_VISIBLE = (Visibility.PUBLIC, Visibility.FUNDERS)


def alert_id(kind: RecipientKind, match_id: str) -> str:
    """One alert per recipient and match (a funder's is about the project's match)."""
    return alert_document_id(kind, match_id)


def on_match_found(envelope: Envelope, ad: Adapters) -> int:
    """Record who should hear about a new match; returns the number of new alerts."""
    payload = envelope.parsed()
    assert isinstance(payload, MatchFound)
    match = ad.repo.get_match(payload.match_id)
    grant = ad.repo.get_grant(payload.grant_id) if match else None
    if match is None or grant is None:
        log.info("match or grant gone; nothing to record", extra={"match_id": payload.match_id})
        return 0
    audience = [(RecipientKind(match.target_kind.value), match.target_id)]
    if match.target_kind is TargetKind.PROJECT:
        project = ad.repo.get_project(match.target_id)
        if project is not None and project.visibility in FUNDER_VISIBLE:
            audience.append((RecipientKind.FUNDER, grant.funder_id))
    created = 0
    for kind, recipient_id in audience:
        recipient = ad.repo.get_recipient(kind, recipient_id)
        if recipient is None or recipient.unsubscribed:
            continue
        aid = alert_id(kind, match.id)
        fields = {
            "recipient_kind": kind.value,
            "recipient_id": recipient_id,
            "match_id": match.id,
            "grant_id": grant.id,
            "correlation_id": envelope.correlation_id,
            "due_at": None,
        }
        created += ad.repo.add_alert(aid, fields, ad.now())
        _schedule_if_instant(ad, aid, kind, recipient_id)
    return created


def _schedule_if_instant(ad: Adapters, aid: str, kind: RecipientKind, recipient_id: str) -> None:
    """Give a pending alert its due time if its recipient wants instant email and may get
    it. Read after the alert was written: a confirmation that lands in between either is
    seen here or finds the alert when it releases held ones, so nothing stays held."""
    recipient = ad.repo.get_recipient(kind, recipient_id)
    if recipient is None or not (
        recipient.wants_instant and recipient.may_receive(EmailKind.ALERTS)
    ):
        return
    alert = ad.repo.get_alert(aid)
    if alert and alert["status"] == "pending" and alert.get("due_at") is None:
        window = timedelta(seconds=ad.settings.alert_batch_window_seconds)
        ad.repo.update_alerts([aid], {"due_at": ad.now() + window}, ad.now())


def release_held_alerts(ad: Adapters, recipient: Recipient) -> int:
    """After confirmation: an instant recipient's held alerts are due now."""
    if not (recipient.wants_instant and recipient.may_receive(EmailKind.ALERTS)):
        return 0
    held = [
        a["id"] for a in ad.repo.alerts_of(recipient.kind, recipient.id) if a.get("due_at") is None
    ]
    ad.repo.update_alerts(held, {"due_at": ad.now()}, ad.now())
    log.info("held alerts released", extra={"recipient_id": recipient.id, "alerts": len(held)})
    return len(held)


def announce_due_alerts(ad: Adapters, now: datetime) -> int:
    """Relay step: one `notification.due` per recipient with due alerts. Each announced
    alert is postponed by the lease, so a lost announcement is repeated, not forgotten."""
    groups: dict[tuple[str, str], list[tuple[dict[str, Any], datetime]]] = defaultdict(list)
    settled = []
    for alert, seen in ad.repo.due_alerts(now, ANNOUNCE_BATCH):
        if alert["status"] != "pending":
            # Sent (or muted) while a due time was being set: nothing left to announce.
            settled.append(alert["id"])
            continue
        groups[(alert["recipient_kind"], alert["recipient_id"])].append((alert, seen))
    ad.repo.update_alerts(settled, {"due_at": None}, now)
    lease = timedelta(seconds=ad.settings.notification_lease_seconds)
    for (kind, recipient_id), entries in groups.items():
        event = new_event(
            NotificationDue(
                kind=EmailKind.ALERTS,
                recipient_kind=RecipientKind(kind),
                recipient_id=recipient_id,
            ),
            correlation_id=entries[0][0].get("correlation_id") or recipient_id,
            now=now,
        )
        try:
            ad.publisher.publish(event)
        except PublishFailed as exc:
            log.warning("announcing due alerts failed", extra={"error": str(exc)})
            break
        for alert, seen in entries:
            ad.repo.postpone_alert(alert["id"], seen, now + lease)
    return len(groups)


@dataclass(frozen=True)
class Collected:
    """Pending alerts that can still go out, with what each needs to be shown."""

    alert: dict[str, Any]
    grant: Grant
    match: Match


def collect_open(ad: Adapters, alerts: Iterable[dict[str, Any]], today: date) -> list[Collected]:
    """The alerts whose grant is still open and still fits; the others are marked `expired`.

    A match is decided when the grant is published, but an alert may wait (the batching
    window, a week for a digest) while the funder edits the grant or the CSO its profile
    or project. So each grant is screened again against the target as it is now: a grant
    narrowed to other countries must not be sent to the CSOs it no longer accepts."""
    usable, expired = [], []
    targets: dict[tuple[TargetKind, str], Project | Profile | None] = {}
    for alert in sorted(alerts, key=lambda a: (a["created_at"], a["id"])):
        grant = ad.repo.get_grant(alert["grant_id"])
        match = ad.repo.get_match(alert["match_id"])
        if grant is None or match is None or not _still_fits(ad, grant, match, today, targets):
            expired.append(alert["id"])
        else:
            usable.append(Collected(alert, grant, match))
    ad.repo.update_alerts(expired, {"status": "expired", "due_at": None}, ad.now())
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
        targets[key] = (ad.repo.get_project if project else ad.repo.get_profile)(match.target_id)
    target = targets[key]
    return target is not None and still_fits(grant, target, today)


def hold_or_drop(ad: Adapters, recipient: Recipient, alerts: list[dict[str, Any]]) -> None:
    """Alerts of a recipient who may not get email: dropped if unsubscribed, else held."""
    fields: dict[str, Any] = {"due_at": None}
    if recipient.unsubscribed:
        fields["status"] = "dropped"
    ad.repo.update_alerts([a["id"] for a in alerts], fields, ad.now())


def items_for(
    ad: Adapters, recipient: Recipient, collected: list[Collected], today: date | None = None
) -> list[MatchItem]:
    """The collected matches as the recipient will read them."""
    links = link_signer(ad)
    return [match_item(recipient, c.grant, c.match, links, today) for c in collected]


def send_instant_alerts(envelope: Envelope, ad: Adapters, recipient: Recipient) -> str:
    """One email with every pending alert of an instant recipient (up to the cap)."""
    pending = ad.repo.alerts_of(recipient.kind, recipient.id)
    if not recipient.may_receive(EmailKind.ALERTS):
        hold_or_drop(ad, recipient, pending)
        return "held" if not recipient.unsubscribed else "dropped"
    usable = collect_open(ad, pending, deadline_today(ad.now()))
    collected, rest = usable[:ALERT_BATCH_MAX], usable[ALERT_BATCH_MAX:]
    if not collected:
        return "nothing"
    # Named after its oldest alert: concurrent flushes of the same batch share one claim.
    nid = notification_id(EmailKind.ALERTS, recipient, collected[0].match.id)
    email = render_alerts(recipient, items_for(ad, recipient, collected), link_signer(ad), nid)
    ids = [c.alert["id"] for c in collected]
    outcome = deliver(ad, Outgoing(nid, EmailKind.ALERTS, recipient, email, ids), envelope)
    if outcome == "sent" and rest:  # over the cap: the next batch goes at the next pass
        ad.repo.update_alerts([c.alert["id"] for c in rest], {"due_at": ad.now()}, ad.now())
    return outcome
