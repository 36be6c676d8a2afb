"""Consent: double opt-in, unsubscribe, dropping one grant from a recipient's alerts, and
the links that erase an address's data.

Any address typed into a public form, a profile's `email` as much as a project's
`contact_email`, gets one confirmation email and nothing else until its link is followed.
Matches found meanwhile are kept (as pending alerts) and go out once it is confirmed.
Unsubscribing is final for that profile or project.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from shared.domain.errors import InvalidLink
from shared.domain.events import (
    Envelope,
    ProfileCreated,
    ProjectSubmitted,
    SubscriptionConfirmed,
    new_event,
)
from shared.domain.ids import content_hash, match_id
from shared.domain.recipients import EmailKind, Recipient, RecipientKind
from shared.email.i18n import FALLBACK
from shared.email.links import LinkClaim, Purpose
from shared.email.rendering import render_confirmation
from shared.runtime.bootstrap import Adapters
from shared.services.alerts import release_held_alerts
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id
from shared.services.erasure import erase_address_of
from shared.services.submissions import publish_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkView:
    """What a link page needs: the reader's language, for MUTE the grant's title, and
    whether there is nothing left to do (an erase link whose data is already gone)."""

    language: str
    grant_title: str = ""
    done: bool = False


def on_subscriber_created(
    envelope: Envelope, ad: Adapters, payload: ProfileCreated | ProjectSubmitted
) -> str:
    """A new profile or project: send its address the confirmation email, once."""
    if isinstance(payload, ProfileCreated):
        recipient = ad.subscribers.get_recipient(RecipientKind.PROFILE, payload.profile_id)
    else:
        recipient = ad.subscribers.get_recipient(RecipientKind.PROJECT, payload.project_id)
    if recipient is None or recipient.confirmed:
        return "nothing-to-confirm"
    nid = notification_id(EmailKind.CONFIRMATION, recipient)
    email = render_confirmation(recipient, link_signer(ad), nid)
    return deliver(ad, Outgoing(nid, EmailKind.CONFIRMATION, recipient, email), envelope)


class _AlreadyErased(Exception):
    """A valid erase link whose data is gone: what it asks for is done."""


def _recipient_of(
    ad: Adapters, purpose: Purpose, token: str, now: datetime
) -> tuple[LinkClaim, Recipient]:
    claim = link_signer(ad).read(purpose, token, now)
    recipient = ad.subscribers.get_recipient(claim.recipient_kind, claim.recipient_id)
    if recipient is None and purpose is Purpose.ERASE:
        raise _AlreadyErased
    if recipient is None:  # deleted since the email was sent
        raise InvalidLink(purpose.value, expired=False)
    return claim, recipient


def preview_link(ad: Adapters, purpose: Purpose, token: str) -> LinkView:
    """Check a link without acting on it (GET: mail scanners prefetch links)."""
    try:
        claim, recipient = _recipient_of(ad, purpose, token, ad.clock.now())
    except _AlreadyErased:
        return LinkView(FALLBACK, done=True)
    return _view(ad, claim, recipient)


def follow_link(ad: Adapters, purpose: Purpose, token: str, correlation_id: str) -> LinkView:
    """Act on a link (POST): confirm, unsubscribe, mute or erase. Idempotent."""
    now = ad.clock.now()
    try:
        claim, recipient = _recipient_of(ad, purpose, token, now)
    except _AlreadyErased:
        return LinkView(FALLBACK, done=True)
    kind, rid = recipient.kind, recipient.id
    if purpose is Purpose.ERASE:
        view = _view(ad, claim, recipient)
        erase_address_of(ad, recipient)
        return view
    if purpose is Purpose.CONFIRM and not recipient.confirmed and not recipient.unsubscribed:
        event = new_event(
            SubscriptionConfirmed(recipient_kind=kind, recipient_id=rid),
            correlation_id=correlation_id,
            now=now,
            event_id=content_hash(f"confirmed/{kind.value}/{rid}")[:32],
        )
        ad.subscribers.confirm_recipient(kind, rid, now, event)
        publish_now(ad, event)
        log.info("address confirmed", extra={"recipient_kind": kind.value, "recipient_id": rid})
    elif purpose is Purpose.UNSUBSCRIBE and not recipient.unsubscribed:
        ad.subscribers.unsubscribe_recipient(kind, rid, now)
        log.info("unsubscribed", extra={"recipient_kind": kind.value, "recipient_id": rid})
    elif purpose is Purpose.MUTE and claim.grant_id is not None:
        mid = match_id(claim.grant_id, kind.value, rid)
        ad.alerts.mute(kind, rid, mid, claim.grant_id, now)
        log.info("grant muted", extra={"recipient_id": rid, "grant_id": claim.grant_id})
    return _view(ad, claim, recipient)


def _view(ad: Adapters, claim: LinkClaim, recipient: Recipient) -> LinkView:
    title = ""
    if claim.grant_id is not None:
        grant = ad.grants.get(claim.grant_id)
        title = grant.title if grant else ""
    return LinkView(recipient.language, title)


def on_subscription_confirmed(
    envelope: Envelope, ad: Adapters, payload: SubscriptionConfirmed
) -> int:
    """Send what was held for a newly confirmed address: its pending alerts become due."""
    recipient = ad.subscribers.get_recipient(payload.recipient_kind, payload.recipient_id)
    if recipient is None:
        return 0
    return release_held_alerts(ad, recipient)
