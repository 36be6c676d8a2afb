"""FakeAlerts: one alert per (recipient, match), with Firestore's write preconditions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.adapters.firestore.keys import IN_LIMIT
from shared.adapters.ports import Alert, AlertStatus, DueAlert, alert_id
from shared.domain.recipients import RecipientKind
from tests.fakes.memory import Memory, NotFound, Written


class FakeAlerts:
    """AlertStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def add(
        self,
        kind: RecipientKind,
        recipient_id: str,
        match_id: str,
        grant_id: str,
        correlation_id: str,
        now: datetime,
    ) -> bool:
        aid = alert_id(kind, match_id)
        if aid in self._m.alerts:
            return False
        alert = Alert(
            aid,
            kind,
            recipient_id,
            match_id,
            grant_id,
            AlertStatus.PENDING,
            correlation_id=correlation_id,
            created_at=now,
            updated_at=now,
        )
        self._m.alerts[aid] = Written(alert, self._m.write_time())
        return True

    def mute(
        self, kind: RecipientKind, recipient_id: str, match_id: str, grant_id: str, now: datetime
    ) -> None:
        aid = alert_id(kind, match_id)
        fields: dict[str, Any] = {
            "recipient_kind": kind,
            "recipient_id": recipient_id,
            "match_id": match_id,
            "grant_id": grant_id,
            "status": AlertStatus.MUTED,
            "due_at": None,
            "updated_at": now,
        }
        existing = self._m.alerts.get(aid)
        alert = dataclasses.replace(existing.value, **fields) if existing else Alert(aid, **fields)
        self._m.alerts[aid] = Written(alert, self._m.write_time())

    def get(self, alert_id: str) -> Alert | None:
        found = self._m.alerts.get(alert_id)
        return found.value if found else None

    def of_recipient(
        self,
        kind: RecipientKind,
        recipient_id: str,
        statuses: Sequence[AlertStatus] = (AlertStatus.PENDING,),
    ) -> list[Alert]:
        return [
            a
            for a in self._by_id()
            if a.recipient_kind is kind and a.recipient_id == recipient_id and a.status in statuses
        ]

    def for_grants(self, grant_ids: list[str]) -> list[Alert]:
        found: list[Alert] = []
        for start in range(0, len(grant_ids), IN_LIMIT):  # one query per chunk, as stored
            chunk = set(grant_ids[start : start + IN_LIMIT])
            found += [a for a in self._by_id() if a.grant_id in chunk]
        return found

    def due(self, now: datetime, limit: int) -> list[DueAlert]:
        due = [
            (w.value.due_at, aid, w)
            for aid, w in self._m.alerts.items()
            if w.value.due_at is not None and w.value.due_at <= now
        ]
        due.sort(key=lambda entry: entry[:2])
        return [DueAlert(w.value, w.written) for _, _, w in due[:limit]]

    def postpone(self, alert_id: str, seen: datetime, until: datetime) -> bool:
        found = self._m.alerts.get(alert_id)
        if found is None or found.written != seen:
            return False
        alert = dataclasses.replace(found.value, due_at=until)
        self._m.alerts[alert_id] = Written(alert, self._m.write_time())
        return True

    def set_due(self, alert_ids: Sequence[str], due_at: datetime | None, now: datetime) -> None:
        self._update(alert_ids, {"due_at": due_at}, now)

    def close(self, alert_ids: Sequence[str], status: AlertStatus, now: datetime) -> None:
        self._update(alert_ids, {"status": status, "due_at": None}, now)

    def mark_sent(self, alert_ids: Sequence[str], notification_id: str, now: datetime) -> None:
        told = {"sent_in": notification_id, "sent_at": now}
        self._update(alert_ids, {"status": AlertStatus.SENT, **told, "due_at": None}, now)

    def mark_reminded(self, alert_ids: Sequence[str], notification_id: str, now: datetime) -> None:
        told = {"reminded_in": notification_id, "reminded_at": now}
        self._update(alert_ids, {"status": AlertStatus.SENT, **told, "due_at": None}, now)

    def _update(self, alert_ids: Sequence[str], fields: dict[str, Any], now: datetime) -> None:
        """All or nothing, as one batch: a missing alert fails the whole change."""
        for aid in alert_ids:
            if aid not in self._m.alerts:
                raise NotFound(f"alerts/{aid}")
        for aid in alert_ids:
            alert = dataclasses.replace(self._m.alerts[aid].value, **fields, updated_at=now)
            self._m.alerts[aid] = Written(alert, self._m.write_time())

    def _by_id(self) -> list[Alert]:
        """Every alert, in document id order (how Firestore streams equality queries)."""
        return [self._m.alerts[aid].value for aid in sorted(self._m.alerts)]
