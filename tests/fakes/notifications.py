"""FakeNotifications: one record per email, claimed before sending, marked after."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from shared.adapters.ports import (
    ClaimOutcome,
    NotificationClaim,
    NotificationRecord,
    NotificationStatus,
)
from tests.fakes.memory import Memory, NotFound, Written


class FakeNotifications:
    """NotificationStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def claim(
        self, notification_id: str, claim: NotificationClaim, now: datetime, lease: timedelta
    ) -> ClaimOutcome:
        fields: dict[str, Any] = {
            **{f.name: getattr(claim, f.name) for f in dataclasses.fields(claim)},
            "status": NotificationStatus.SENDING,
            "lease_until": now + lease,
            "updated_at": now,
        }
        found = self._m.notifications.get(notification_id)
        if found is None:
            record = NotificationRecord(id=notification_id, **fields, attempts=1, created_at=now)
            self._m.notifications[notification_id] = Written(record, self._m.write_time())
            return ClaimOutcome.CLAIMED
        current = found.value
        if current.status in (NotificationStatus.SENT, NotificationStatus.FAILED):
            return ClaimOutcome.DONE
        lease_until = current.lease_until
        if current.status is NotificationStatus.SENDING and lease_until and lease_until > now:
            return ClaimOutcome.BUSY
        self._write(current, **fields, attempts=current.attempts + 1)
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
        self._write(
            self._get(notification_id),
            status=NotificationStatus.SENT,
            message_id=message_id,
            provider_status=provider_status,
            sent_by_event=event_id,
            sent_at=now,
            updated_at=now,
            lease_until=None,
        )

    def mark_failed(
        self, notification_id: str, *, error: str, provider_status: int, now: datetime
    ) -> None:
        self._write(
            self._get(notification_id),
            status=NotificationStatus.FAILED,
            error=error,
            provider_status=provider_status,
            updated_at=now,
            lease_until=None,
        )

    def release(self, notification_id: str, now: datetime, error: str) -> None:
        self._write(
            self._get(notification_id),
            status=NotificationStatus.RETRYING,
            lease_until=now,
            last_error=error,
            updated_at=now,
        )

    def get(self, notification_id: str) -> NotificationRecord | None:
        found = self._m.notifications.get(notification_id)
        return found.value if found else None

    def stale(self, now: datetime, limit: int) -> list[NotificationRecord]:
        stale = [
            w.value
            for w in self._m.notifications.values()
            if w.value.status is NotificationStatus.SENDING
            and w.value.lease_until is not None
            and w.value.lease_until < now
        ]
        stale.sort(key=lambda r: (r.lease_until, r.id))
        return stale[:limit]

    def _get(self, notification_id: str) -> NotificationRecord:
        found = self._m.notifications.get(notification_id)
        if found is None:
            raise NotFound(f"notifications/{notification_id}")
        return found.value

    def _write(self, record: NotificationRecord, **fields: Any) -> None:
        updated = dataclasses.replace(record, **fields)
        self._m.notifications[record.id] = Written(updated, self._m.write_time())
