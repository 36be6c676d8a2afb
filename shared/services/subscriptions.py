"""Consent: double opt-in, unsubscribe, dropping one grant from a recipient's alerts, and
the links that erase an address's data.

Any address typed into a public form, a profile's `email` as much as a project's
`contact_email`, gets one confirmation email and nothing else until its link is followed.
Matches found meanwhile are kept (as pending alerts) and go out once it is confirmed.

One subscriber per address: sending the alert form again (the natural way to change
one's settings) stores a new profile that waits for its own confirmation, answered like
any other so the API never tells whether an address is known; once confirmed it replaces
every older profile of the address (the older one keeps going until then). Unsubscribing
is final for every profile and project of the address, found by its keyed hash: a new
request afterwards gets its confirmation email, and nothing else until confirmed.
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
from shared.services.submissions import address_key_of, publish_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkView:
    """What a link page needs: the reader's language, for MUTE the grant's title, and
    whether there is nothing left to do (an erase link whose data is already gone)."""

    language: str
    grant_title: str = ""
    done: bool = False
    # Whose link it is (a project's confirmation page speaks of the project).
    recipient_kind: RecipientKind | None = None


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
        if kind is RecipientKind.PROFILE:
            retire_older_profiles(ad, rid)  # again by the event's consumer, if this fails
        publish_now(ad, event)
        log.info("address confirmed", extra={"recipient_kind": kind.value, "recipient_id": rid})
    elif purpose is Purpose.UNSUBSCRIBE:
        # Always, even if this one is already off: the address may have others.
        unsubscribe_address(ad, recipient, now)
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
    return LinkView(recipient.language, title, recipient_kind=recipient.kind)


def on_subscription_confirmed(
    envelope: Envelope, ad: Adapters, payload: SubscriptionConfirmed
) -> int:
    """Send what was held for a newly confirmed address: its pending alerts become due."""
    recipient = ad.subscribers.get_recipient(payload.recipient_kind, payload.recipient_id)
    if recipient is None:
        return 0
    if recipient.kind is RecipientKind.PROFILE:
        retire_older_profiles(ad, recipient.id)
    return release_held_alerts(ad, recipient)


def retire_older_profiles(ad: Adapters, profile_id: str) -> list[str]:
    """Make a confirmed profile its address's only one: every older profile of the same
    address gets no more email. Newer ones wait for their own confirmation, which
    retires this one in turn. Idempotent; returns the ids retired now."""
    profile = ad.subscribers.get_profile(profile_id)
    if profile is None or not profile.confirmed or profile.unsubscribed_at is not None:
        return []
    key = profile.email_key or address_key_of(ad, str(profile.email))
    retired = []
    for kind, other_id in ad.subscribers.with_address_key(key):
        if kind is not RecipientKind.PROFILE or other_id == profile_id:
            continue
        other = ad.subscribers.get_profile(other_id)
        if other is None or other.unsubscribed_at is not None:
            continue
        if (other.created_at, other.id) < (profile.created_at, profile.id):
            ad.subscribers.retire_profile(other_id, profile_id, ad.clock.now())
            retired.append(other_id)
    if retired:
        log.info("older profiles replaced", extra={"profile_id": profile_id, "retired": retired})
    return retired


def unsubscribe_address(ad: Adapters, recipient: Recipient, now: datetime) -> list[str]:
    """Stop every email to the recipient's address: the recipient itself and every
    profile and project of the address (so a project also leaves the funders' page).
    A funder's contact is its organisation's address and keeps its own unsubscribe."""
    targets = {(recipient.kind, recipient.id)}
    targets |= set(ad.subscribers.with_address_key(address_key_of(ad, recipient.email)))
    stopped = []
    for kind, rid in sorted(targets):
        current = ad.subscribers.get_recipient(kind, rid)
        if current is not None and not current.unsubscribed:
            ad.subscribers.unsubscribe_recipient(kind, rid, now)
            stopped.append(f"{kind.value}:{rid}")
    log.info(
        "unsubscribed",
        extra={
            "recipient_kind": recipient.kind.value,
            "recipient_id": recipient.id,
            "stopped": stopped,
        },
    )
    return stopped
