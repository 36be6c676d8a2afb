"""Notifications: one record per email, claimed before it is sent, marked after."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import FirestoreStore
from shared.adapters.ports import (
    ClaimOutcome,
    NotificationClaim,
    NotificationRecord,
    NotificationStatus,
)
from shared.domain.recipients import EmailKind, RecipientKind

NOTIFICATIONS = "notifications"
SENDING = NotificationStatus.SENDING.value


def _record(snap: Any) -> NotificationRecord:
    data = snap.to_dict()
    return NotificationRecord(
        id=snap.id,
        status=NotificationStatus(data["status"]),
        kind=EmailKind(data["kind"]),
        recipient_kind=RecipientKind(data["recipient_kind"]),
        recipient_id=data["recipient_id"],
        alert_ids=tuple(data.get("alert_ids") or ()),
        event_id=data.get("event_id"),
        correlation_id=data.get("correlation_id"),
        cause_name=data.get("cause_name"),
        cause_payload=data.get("cause_payload") or {},
        attempts=data.get("attempts", 0),
        lease_until=data.get("lease_until"),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        message_id=data.get("message_id"),
        provider_status=data.get("provider_status"),
        sent_by_event=data.get("sent_by_event"),
        sent_at=data.get("sent_at"),
        error=data.get("error"),
        last_error=data.get("last_error"),
    )


def _claim_fields(claim: NotificationClaim) -> dict[str, Any]:
    return {
        "kind": claim.kind.value,
        "recipient_kind": claim.recipient_kind.value,
        "recipient_id": claim.recipient_id,
        "alert_ids": list(claim.alert_ids),
        "event_id": claim.event_id,
        "correlation_id": claim.correlation_id,
        # What the relay re-announces if this claim is abandoned mid-send.
        "cause_name": claim.cause_name,
        "cause_payload": claim.cause_payload,
    }


class FirestoreNotifications(FirestoreStore):
    """Notification records: the at-most-once ledger of emails."""

    def claim(
        self, notification_id: str, claim: NotificationClaim, now: datetime, lease: timedelta
    ) -> ClaimOutcome:
        """Take a notification for sending, unless it was sent or someone holds it."""
        ref = self._db.collection(NOTIFICATIONS).document(notification_id)
        fields = _claim_fields(claim)
        taken = {"status": SENDING, "lease_until": now + lease, "updated_at": now}
        try:
            ref.create({**fields, **taken, "created_at": now, "attempts": 1})
            return ClaimOutcome.CLAIMED
        except gexc.AlreadyExists:
            pass
        snap = ref.get()
        status = snap.get("status")
        if status in (NotificationStatus.SENT.value, NotificationStatus.FAILED.value):
            return ClaimOutcome.DONE
        if status == SENDING and snap.get("lease_until") > now:
            return ClaimOutcome.BUSY
        try:
            option = self._db.write_option(last_update_time=snap.update_time)
            ref.update({**fields, **taken, "attempts": firestore.Increment(1)}, option=option)
        except gexc.FailedPrecondition:
            return ClaimOutcome.BUSY
        return ClaimOutcome.CLAIMED

    def mark_sent(
        self,
        notification_id: str,
        *,
        message_id: str,
        provider_status: int,
        event_id: str,
        now: datetime,
    ) -> None:
        """Record that the provider accepted the email, and by which event it went."""
        self._finish(
            notification_id,
            {
                "status": NotificationStatus.SENT.value,
                "message_id": message_id,
                "provider_status": provider_status,
                "sent_by_event": event_id,
                "sent_at": now,
            },
            now,
        )

    def mark_failed(
        self, notification_id: str, *, error: str, provider_status: int, now: datetime
    ) -> None:
        """Record that the provider refused the email for good."""
        self._finish(
            notification_id,
            {
                "status": NotificationStatus.FAILED.value,
                "error": error,
                "provider_status": provider_status,
            },
            now,
        )

    def _finish(self, notification_id: str, fields: dict[str, Any], now: datetime) -> None:
        ref = self._db.collection(NOTIFICATIONS).document(notification_id)
        ref.update({**fields, "updated_at": now, "lease_until": None})

    def release(self, notification_id: str, now: datetime, error: str) -> None:
        """Give a claim back after a retryable failure so the next delivery can take it."""
        ref = self._db.collection(NOTIFICATIONS).document(notification_id)
        ref.update(
            {
                "status": NotificationStatus.RETRYING.value,
                "lease_until": now,
                "last_error": error,
                "updated_at": now,
            }
        )

    def get(self, notification_id: str) -> NotificationRecord | None:
        """A notification record by id."""
        snap = self._db.collection(NOTIFICATIONS).document(notification_id).get()
        return _record(snap) if snap.exists else None

    def stale(self, now: datetime, limit: int) -> list[NotificationRecord]:
        """Notifications whose sender vanished (lease expired while still `sending`)."""
        query = (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("status", "==", "sending"))
            .where(filter=FieldFilter("lease_until", "<", now))
            .limit(limit)
        )
        return [_record(s) for s in query.stream()]


# -- for erasure -------------------------------------------------------------------------
def notification_refs_of_recipient(
    db: firestore.Client, kind: RecipientKind, recipient_id: str
) -> list[Any]:
    """References to the notifications sent or pending for one recipient."""
    notifications = (
        db.collection(NOTIFICATIONS)
        .where(filter=FieldFilter("recipient_kind", "==", kind.value))
        .where(filter=FieldFilter("recipient_id", "==", recipient_id))
    )
    return [snap.reference for snap in notifications.select([]).stream()]


def notification_refs_caused_by(db: firestore.Client, interest_id: str) -> list[Any]:
    """The email records an interest caused: the CSO's, and the funder's introduction."""
    caused = db.collection(NOTIFICATIONS).where(
        filter=FieldFilter("cause_payload.interest_id", "==", interest_id)
    )
    return [snap.reference for snap in caused.select([]).stream()]
