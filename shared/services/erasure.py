"""Real deletion: a CSO deletes everything Grant Match keeps for its address.

The link that does it (purpose `erase`) is in every email, and anyone can ask for one by
address (`POST /erasure-requests`): the answer is the same whether the address is known
or not, and the link goes only to the address itself, so asking reveals nothing and lets
nobody but the address's owner delete anything.

Erasure deletes, for every profile, project and funder contact with that address: the
document itself, its matches, every alert about them (a funder's too), every
notification record for it, and pending erasure requests for the address. A project
takes with it the funders' interests in it (their notes, pledges and the CSO's reply)
and every email record those interests caused, the funder's introduction included. A
funder contact takes its notifications (introductions included), not its
organisation's interests: they hold no address, and the pledges CSOs see stand. Events
in flight only carry ids: a consumer that meets a deleted id does nothing.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from shared.domain.events import Envelope, ErasureRequested, new_event
from shared.domain.models import ErasureRequest
from shared.domain.recipients import EmailKind, Recipient
from shared.email.rendering import render_erasure
from shared.runtime.bootstrap import Adapters
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id
from shared.services.submissions import publish_now

log = logging.getLogger(__name__)
#: An unhandled request (and its address) is deleted by Firestore's TTL after this.
REQUEST_TTL = timedelta(days=2)


def request_erasure(ad: Adapters, request: ErasureRequest, *, correlation_id: str) -> None:
    """Queue an erasure link for an address. The same work happens whether the address
    is known or not (one write, one publish), so neither answer nor timing tell."""
    now = ad.clock.now()
    request_id = "e_" + secrets.token_hex(16)
    event = new_event(
        ErasureRequested(request_id=request_id), correlation_id=correlation_id, now=now
    )
    ad.erasure.create_request(request_id, str(request.email), now, now + REQUEST_TTL, event)
    publish_now(ad, event)


def on_erasure_requested(envelope: Envelope, ad: Adapters, payload: ErasureRequested) -> str:
    """Send the erasure link to the address, if Grant Match keeps anything for it (at
    most one such email per address per day, however often it is asked for)."""
    request = ad.erasure.get_request(payload.request_id)
    if request is None:
        return "gone"
    outcome = "unknown-address"
    for kind, recipient_id in ad.erasure.recipients_with_address(request.email):
        recipient = ad.subscribers.get_recipient(kind, recipient_id)
        if recipient is not None:
            outcome = _send_link(envelope, ad, recipient)
            break
    ad.erasure.delete_request(payload.request_id)
    log.info(
        "erasure request handled", extra={"request_id": payload.request_id, "outcome": outcome}
    )
    return outcome


def _send_link(envelope: Envelope, ad: Adapters, recipient: Recipient) -> str:
    day = ad.clock.now().date().isoformat()
    nid = notification_id(EmailKind.ERASURE, recipient, day)
    email = render_erasure(recipient, link_signer(ad), nid)
    return deliver(ad, Outgoing(nid, EmailKind.ERASURE, recipient, email), envelope)


def erase_address_of(ad: Adapters, recipient: Recipient) -> int:
    """Delete everything kept for the recipient's address; returns how many documents."""
    targets = {(recipient.kind, recipient.id), *ad.erasure.recipients_with_address(recipient.email)}
    deleted = ad.erasure.erase(sorted(targets), recipient.email)
    log.info(
        "address data erased",
        extra={
            "recipient_kind": recipient.kind.value,
            "recipient_id": recipient.id,
            "erased": [f"{kind.value}:{rid}" for kind, rid in sorted(targets)],
            "documents": deleted,
        },
    )
    return deleted
