"""Notifying: one email per match, never two.

A notification is claimed (created under a deterministic id, with a lease) before the
email is sent and marked `sent` after, with the provider's message id. Redeliveries find
it sent or held and do nothing. The only way to send twice is a crash after SendGrid
accepted the email and before the record was written: the lease then expires and the
relay re-announces the match. SendGrid has no idempotency key, so that window cannot be
closed from our side; it is as short as one Firestore write.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from tenacity import Retrying, stop_after_attempt, wait_exponential

from shared.adapters.firestore_repo import ClaimOutcome
from shared.adapters.sendgrid_sender import PermanentSendError, TransientSendError
from shared.bootstrap import Adapters
from shared.emails import render_match_alert
from shared.events import Envelope, MatchFound
from shared.models import Profile, Project
from shared.taxonomy import TargetKind

log = logging.getLogger(__name__)


def notification_id(kind: str, match_id: str) -> str:
    """One notification per (email kind, match)."""
    return f"{kind}:{match_id}"


def _recipient(ad: Adapters, kind: TargetKind, target_id: str) -> Profile | Project | None:
    if kind is TargetKind.PROFILE:
        return ad.repo.get_profile(target_id)
    return ad.repo.get_project(target_id)


def on_match_found(envelope: Envelope, ad: Adapters) -> str:
    """Send the match alert unless it was sent already; returns what happened."""
    payload = envelope.parsed()
    assert isinstance(payload, MatchFound)
    match = ad.repo.get_match(payload.match_id)
    grant = ad.repo.get_grant(payload.grant_id) if match else None
    target = _recipient(ad, payload.target_kind, payload.target_id) if grant else None
    if match is None or grant is None or target is None:
        log.info(
            "match, grant or recipient gone; nothing to send", extra={"match_id": payload.match_id}
        )
        return "gone"

    nid = notification_id("match_alert", match.id)
    now = ad.now()
    claim = ad.repo.claim_notification(
        nid,
        {
            "kind": "match_alert",
            "match_id": match.id,
            "grant_id": match.grant_id,
            "target_kind": match.target_kind.value,
            "target_id": match.target_id,
            "event_id": envelope.id,
            "correlation_id": envelope.correlation_id,
        },
        now,
        timedelta(seconds=ad.settings.notification_lease_seconds),
    )
    if claim is not ClaimOutcome.CLAIMED:
        log.info(
            "notification already handled", extra={"notification_id": nid, "claim": claim.value}
        )
        return claim.value

    address = target.email if isinstance(target, Profile) else target.contact_email
    email = render_match_alert(to=address, org_name=target.org_name, grant=grant, match=match)
    try:
        receipt = ad.sender.send(email)
    except PermanentSendError as exc:
        _record(
            ad, nid, {"status": "failed", "error": str(exc), "provider_status": exc.status_code}
        )
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
            "sent_by_event": envelope.id,
            "sent_at": ad.now(),
        },
    )
    log.info("email sent", extra={"notification_id": nid, "message_id": receipt.message_id})
    return "sent"


def _record(ad: Adapters, nid: str, fields: dict[str, object]) -> None:
    """Write the outcome, retrying briefly: losing this write is what could cause a resend."""
    for attempt in Retrying(
        stop=stop_after_attempt(5), wait=wait_exponential(0.2, max=3), reraise=True
    ):
        with attempt:
            ad.repo.finish_notification(nid, fields, ad.now())
