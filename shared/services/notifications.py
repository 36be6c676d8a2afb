"""Which email a `notification.due` asks for, and who sends it.

Every email goes through `shared.services.delivery.deliver` (claim, send, record, mark),
so each is sent at most once per notification id; see that module for the one residue.
"""

from __future__ import annotations

import logging

from shared.domain.events import Envelope, NotificationDue
from shared.domain.recipients import EmailKind, RecipientKind
from shared.runtime.bootstrap import Adapters
from shared.services.alerts import send_instant_alerts
from shared.services.change_notices import send_change_notice
from shared.services.digests import send_digest, send_funder_digest, send_reminder

log = logging.getLogger(__name__)


def on_notification_due(envelope: Envelope, ad: Adapters, payload: NotificationDue) -> str:
    """Send the recipient the email that is due: instant alerts, digest, reminder, or the
    change notice of a harvest run."""
    recipient = ad.subscribers.get_recipient(payload.recipient_kind, payload.recipient_id)
    if recipient is None:
        log.info("recipient gone; nothing to send", extra={"recipient_id": payload.recipient_id})
        return "gone"
    if payload.kind is EmailKind.ALERTS:
        return send_instant_alerts(envelope, ad, recipient)
    if payload.kind is EmailKind.CHANGES:
        return send_change_notice(envelope, ad, recipient, payload.period)
    if payload.kind is EmailKind.REMINDER:
        return send_reminder(envelope, ad, recipient, payload.period)
    if recipient.kind is RecipientKind.FUNDER:
        return send_funder_digest(envelope, ad, recipient, payload.period)
    return send_digest(envelope, ad, recipient, payload.period)
