"""Alerts: one per (recipient, match), the ledger of what each recipient was told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import BATCH_LIMIT, FirestoreStore
from shared.adapters.firestore.keys import IN_LIMIT
from shared.adapters.ports import Alert, AlertStatus, DueAlert, alert_id
from shared.domain.recipients import RecipientKind

ALERTS = "alerts"


def _alert(snap: Any) -> Alert:
    data = snap.to_dict()
    return Alert(
        id=snap.id,
        recipient_kind=RecipientKind(data["recipient_kind"]),
        recipient_id=data["recipient_id"],
        match_id=data["match_id"],
        grant_id=data["grant_id"],
        status=AlertStatus(data["status"]),
        due_at=data.get("due_at"),
        correlation_id=data.get("correlation_id"),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        sent_in=data.get("sent_in"),
        sent_at=data.get("sent_at"),
        reminded_in=data.get("reminded_in"),
        reminded_at=data.get("reminded_at"),
    )


class FirestoreAlerts(FirestoreStore):
    """Alerts and their status, due time and what told them."""

    def add(
        self,
        kind: RecipientKind,
        recipient_id: str,
        match_id: str,
        grant_id: str,
        correlation_id: str,
        now: datetime,
    ) -> bool:
        """Record a match a recipient should hear about; False if it was recorded before."""
        ref = alert_ref(self._db, alert_id(kind, match_id))
        try:
            ref.create(
                {
                    "recipient_kind": kind.value,
                    "recipient_id": recipient_id,
                    "match_id": match_id,
                    "grant_id": grant_id,
                    "correlation_id": correlation_id,
                    "due_at": None,
                    "status": AlertStatus.PENDING.value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        except gexc.AlreadyExists:
            return False
        return True

    def mute(
        self, kind: RecipientKind, recipient_id: str, match_id: str, grant_id: str, now: datetime
    ) -> None:
        """Create or change the alert (merge): the recipient muted the grant."""
        alert_ref(self._db, alert_id(kind, match_id)).set(
            {
                "recipient_kind": kind.value,
                "recipient_id": recipient_id,
                "match_id": match_id,
                "grant_id": grant_id,
                "status": AlertStatus.MUTED.value,
                "due_at": None,
                "updated_at": now,
            },
            merge=True,
        )

    def get(self, alert_id: str) -> Alert | None:
        """An alert by id."""
        snap = alert_ref(self._db, alert_id).get()
        return _alert(snap) if snap.exists else None

    def of_recipient(
        self,
        kind: RecipientKind,
        recipient_id: str,
        statuses: Sequence[AlertStatus] = (AlertStatus.PENDING,),
    ) -> list[Alert]:
        """A recipient's alerts in the given statuses."""
        query = (
            self._db.collection(ALERTS)
            .where(filter=FieldFilter("recipient_kind", "==", kind.value))
            .where(filter=FieldFilter("recipient_id", "==", recipient_id))
            .where(filter=FieldFilter("status", "in", [s.value for s in statuses]))
        )
        return [_alert(s) for s in query.stream()]

    def for_grants(self, grant_ids: list[str]) -> list[Alert]:
        """Every alert about any of these grants."""
        found: list[Alert] = []
        for start in range(0, len(grant_ids), IN_LIMIT):
            found.extend(self._for_grant_chunk(grant_ids[start : start + IN_LIMIT]))
        return found

    def _for_grant_chunk(self, chunk: list[str]) -> list[Alert]:
        query = self._db.collection(ALERTS).where(filter=FieldFilter("grant_id", "in", chunk))
        return [_alert(s) for s in query.stream()]

    def due(self, now: datetime, limit: int) -> list[DueAlert]:
        """Alerts whose instant email is due, with their update times (for `postpone`)."""
        query = (
            self._db.collection(ALERTS)
            .where(filter=FieldFilter("due_at", "<=", now))
            .order_by("due_at")
            .limit(limit)
        )
        return [DueAlert(_alert(s), s.update_time) for s in query.stream()]

    def postpone(self, alert_id: str, seen: datetime, until: datetime) -> bool:
        """Move an alert's due time, unless it changed since `seen` (e.g. it was sent)."""
        ref = alert_ref(self._db, alert_id)
        try:
            ref.update({"due_at": until}, option=self._db.write_option(last_update_time=seen))
        except (gexc.FailedPrecondition, gexc.NotFound):
            return False
        return True

    def set_due(self, alert_ids: Sequence[str], due_at: datetime | None, now: datetime) -> None:
        """Give alerts a due time, or hold them (None)."""
        self._update(alert_ids, {"due_at": due_at}, now)

    def close(self, alert_ids: Sequence[str], status: AlertStatus, now: datetime) -> None:
        """Settle alerts (expired, dropped, failed): nothing is due for them any more."""
        self._update(alert_ids, {"status": status.value, "due_at": None}, now)

    def mark_sent(self, alert_ids: Sequence[str], notification_id: str, now: datetime) -> None:
        """What an alert records once an email told its recipient about it."""
        told = {"sent_in": notification_id, "sent_at": now}
        self._update(alert_ids, {"status": AlertStatus.SENT.value, **told, "due_at": None}, now)

    def mark_reminded(self, alert_ids: Sequence[str], notification_id: str, now: datetime) -> None:
        """What an alert records once a reminder named its grant's deadline."""
        told = {"reminded_in": notification_id, "reminded_at": now}
        self._update(alert_ids, {"status": AlertStatus.SENT.value, **told, "due_at": None}, now)

    def _update(self, alert_ids: Sequence[str], fields: dict[str, Any], now: datetime) -> None:
        """Apply the same change to several alerts atomically (per 500)."""
        for start in range(0, len(alert_ids), BATCH_LIMIT):
            batch = self._db.batch()
            for aid in alert_ids[start : start + BATCH_LIMIT]:
                batch.update(alert_ref(self._db, aid), {**fields, "updated_at": now})
            batch.commit()


# -- for the stores that delete a grant or erase a recipient -------------------------------
def alert_ref(db: firestore.Client, alert_id: str) -> Any:
    """The reference of one alert."""
    return db.collection(ALERTS).document(alert_id)


def alert_refs_of_grant(db: firestore.Client, grant_id: str) -> list[Any]:
    """References to every alert about a grant."""
    alerts = db.collection(ALERTS).where(filter=FieldFilter("grant_id", "==", grant_id))
    return [snap.reference for snap in alerts.select([]).stream()]


def alert_refs_of_recipient(
    db: firestore.Client, kind: RecipientKind, recipient_id: str
) -> list[Any]:
    """References to every alert of one recipient."""
    alerts = (
        db.collection(ALERTS)
        .where(filter=FieldFilter("recipient_kind", "==", kind.value))
        .where(filter=FieldFilter("recipient_id", "==", recipient_id))
    )
    return [snap.reference for snap in alerts.select([]).stream()]
