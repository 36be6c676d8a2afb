"""Sending one email at most once: claim, send, record, then mark what it told.

Every email has a deterministic notification id (`confirmation:profile:a_1`,
`alerts:profile:a_1:<first match>`, `digest:profile:a_1:2026-W48`, ...). It is claimed
(created with a lease) before the email is sent and marked `sent` after, with SendGrid's
message id and the id of the event that sent it. Only then are the alerts it told about
marked: "collect, send, and only then mark them notified". A redelivery finds the claim
sent (and finishes the marking if a crash interrupted it) or held, and sends nothing.

The only way to send twice is a crash after SendGrid accepted the email and before the
`sent` record was written: the lease then expires and the relay re-announces the cause.
SendGrid has no idempotency key, so that window cannot be closed from our side; it is as
short as one Firestore write (retried five times).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from tenacity import Retrying, stop_after_attempt, wait_exponential

from shared.adapters.firestore_repo import ClaimOutcome
from shared.adapters.sendgrid_sender import PermanentSendError, TransientSendError
from shared.domain.events import Envelope
from shared.domain.recipients import EmailKind, Recipient
from shared.email.links import LinkSigner
from shared.email.rendering import Email
from shared.runtime.bootstrap import Adapters

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One email, the id it is sent under, and the alerts to mark once it went out."""

    notification_id: str
    kind: EmailKind
    recipient: Recipient
    email: Email
    alert_ids: list[str] = field(default_factory=list)


def notification_id(kind: EmailKind, recipient: Recipient, *suffix: str) -> str:
    """`kind:recipient_kind:recipient_id[:suffix]`: one email per kind, recipient and run."""
    return ":".join([kind.value, recipient.kind.value, recipient.id, *suffix])


@cache
def _signer(secret: str, base_url: str) -> LinkSigner:
    return LinkSigner(secret, base_url)


def link_signer(ad: Adapters) -> LinkSigner:
    """The signer for links in emails and on pages (secret from the settings)."""
    settings = ad.settings
    return _signer(settings.link_signing_secret.get_secret_value(), settings.public_base_url)


def deliver(ad: Adapters, out: Outgoing, cause: Envelope) -> str:
    """Send `out` unless it was sent already; returns what happened (for logs and tests)."""
    nid = out.notification_id
    if not out.recipient.may_receive(out.kind):
        log.info("recipient may not receive this email", extra={"notification_id": nid})
        return "not-allowed"
    claim = ad.repo.claim_notification(
        nid,
        {
            "kind": out.kind.value,
            "recipient_kind": out.recipient.kind.value,
            "recipient_id": out.recipient.id,
            "alert_ids": out.alert_ids,
            "event_id": cause.id,
            "correlation_id": cause.correlation_id,
            # What the relay re-announces if this claim is abandoned mid-send.
            "cause_name": cause.name.value,
            "cause_payload": cause.payload,
        },
        ad.now(),
        timedelta(seconds=ad.settings.notification_lease_seconds),
    )
    if claim is ClaimOutcome.DONE:
        _finish_marking(ad, nid, out.kind)
        return "done"
    if claim is ClaimOutcome.BUSY:
        log.info("notification held by another delivery", extra={"notification_id": nid})
        return "busy"
    try:
        receipt = ad.sender.send(out.email)
    except PermanentSendError as exc:
        _record(
            ad, nid, {"status": "failed", "error": str(exc), "provider_status": exc.status_code}
        )
        # Terminal for these alerts too, or the sweeper would announce them forever.
        ad.repo.update_alerts(out.alert_ids, {"status": "failed", "due_at": None}, ad.now())
        log.error("email refused by provider", extra={"notification_id": nid, "error": str(exc)})
        return "failed"
    except TransientSendError as exc:
        ad.repo.release_notification(nid, ad.now(), str(exc))
        raise
    _record(
        ad,
        nid,
        {
            "status": "sent",
            "message_id": receipt.message_id,
            "provider_status": receipt.status_code,
            "sent_by_event": cause.id,
            "sent_at": ad.now(),
        },
    )
    ad.repo.update_alerts(out.alert_ids, told(out.kind, nid, ad.now()), ad.now())
    log.info(
        "email sent",
        extra={
            "notification_id": nid,
            "message_id": receipt.message_id,
            "alerts": len(out.alert_ids),
        },
    )
    return "sent"


def told(kind: EmailKind, nid: str, now: datetime) -> dict[str, Any]:
    """What an alert records once an email told its recipient about it."""
    if kind is EmailKind.REMINDER:
        return {"status": "sent", "reminded_in": nid, "reminded_at": now, "due_at": None}
    return {"status": "sent", "sent_in": nid, "sent_at": now, "due_at": None}


def _finish_marking(ad: Adapters, nid: str, kind: EmailKind) -> None:
    """A crash may have come between `sent` and marking its alerts: finish that now."""
    record = ad.repo.get_notification(nid) or {}
    if record.get("status") == "sent" and record.get("alert_ids"):
        ad.repo.update_alerts(record["alert_ids"], told(kind, nid, ad.now()), ad.now())


def _record(ad: Adapters, nid: str, fields: dict[str, object]) -> None:
    """Write the outcome, retrying briefly: losing this write is what could cause a resend."""
    for attempt in Retrying(
        stop=stop_after_attempt(5), wait=wait_exponential(0.2, max=3), reraise=True
    ):
        with attempt:
            ad.repo.finish_notification(nid, fields, ad.now())
