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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from tenacity import Retrying, stop_after_attempt, wait_exponential

from shared.adapters.ports import (
    AlertStatus,
    ClaimOutcome,
    NotificationClaim,
    NotificationStatus,
    PermanentSendError,
    TransientSendError,
)
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
    claim = ad.notifications.claim(
        nid,
        NotificationClaim(
            kind=out.kind,
            recipient_kind=out.recipient.kind,
            recipient_id=out.recipient.id,
            alert_ids=tuple(out.alert_ids),
            event_id=cause.id,
            correlation_id=cause.correlation_id,
            # What the relay re-announces if this claim is abandoned mid-send.
            cause_name=cause.name.value,
            cause_payload=cause.payload,
        ),
        ad.clock.now(),
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
        error, status = str(exc), exc.status_code
        _record(
            lambda: ad.notifications.mark_failed(
                nid, error=error, provider_status=status, now=ad.clock.now()
            )
        )
        # Terminal for these alerts too, or the sweeper would announce them forever.
        ad.alerts.close(out.alert_ids, AlertStatus.FAILED, ad.clock.now())
        log.error("email refused by provider", extra={"notification_id": nid, "error": str(exc)})
        return "failed"
    except TransientSendError as exc:
        ad.notifications.release(nid, ad.clock.now(), str(exc))
        raise
    _record(
        lambda: ad.notifications.mark_sent(
            nid,
            message_id=receipt.message_id,
            provider_status=receipt.status_code,
            event_id=cause.id,
            now=ad.clock.now(),
        )
    )
    mark_told(ad, out.kind, out.alert_ids, nid)
    log.info(
        "email sent",
        extra={
            "notification_id": nid,
            "message_id": receipt.message_id,
            "alerts": len(out.alert_ids),
        },
    )
    return "sent"


def mark_told(ad: Adapters, kind: EmailKind, alert_ids: list[str], nid: str) -> None:
    """Mark the alerts an email told its recipient about (a reminder names deadlines)."""
    if kind is EmailKind.REMINDER:
        ad.alerts.mark_reminded(alert_ids, nid, ad.clock.now())
    else:
        ad.alerts.mark_sent(alert_ids, nid, ad.clock.now())


def _finish_marking(ad: Adapters, nid: str, kind: EmailKind) -> None:
    """A crash may have come between `sent` and marking its alerts: finish that now."""
    record = ad.notifications.get(nid)
    if record is not None and record.status is NotificationStatus.SENT and record.alert_ids:
        mark_told(ad, kind, list(record.alert_ids), nid)


def _record(write: Callable[[], None]) -> None:
    """Write the outcome, retrying briefly: losing this write is what could cause a resend."""
    for attempt in Retrying(
        stop=stop_after_attempt(5), wait=wait_exponential(0.2, max=3), reraise=True
    ):
        with attempt:
            write()
