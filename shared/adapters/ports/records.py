"""Outcomes and records the stores return: frozen values, statuses as enums."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.domain.events import Envelope
from shared.domain.models import Grant
from shared.domain.recipients import EmailKind, RecipientKind

MAX_GRANTS_PER_BATCH = 250


# -- outcomes ---------------------------------------------------------------------------
class SaveOutcome(StrEnum):
    """What an upsert did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REPLAYED = "replayed"


class ClaimOutcome(StrEnum):
    """Result of trying to take a notification for sending."""

    CLAIMED = "claimed"
    DONE = "done"
    BUSY = "busy"


class ConcurrentUpdate(Exception):
    """Another writer changed the document between our read and our write."""


@dataclass(frozen=True)
class GrantVersion:
    """What an upsert needs to know about a stored grant: is it the same content, which
    revision it is, and when it was written (the precondition for replacing it)."""

    content_hash: str
    revision: int
    created_at: datetime
    update_time: datetime


@dataclass(frozen=True)
class GrantWrite:
    """A new or changed grant, its content hash, its event and the version it replaces."""

    grant: Grant
    content_hash: str
    event: Envelope
    previous: GrantVersion | None
    # A harvested call that changed for CSOs already told about it: written in the same
    # batch as the grant, so a run that dies after the write still owes its notice.
    change: GrantChange | None = None


class AlertStatus(StrEnum):
    """Where an alert stands: `pending` until an email told its recipient (`sent`), or
    `muted`, `expired` (grant closed, gone or no longer fitting), `dropped` (recipient
    unsubscribed) or `failed` (the provider refused the address)."""

    PENDING = "pending"
    SENT = "sent"
    MUTED = "muted"
    EXPIRED = "expired"
    DROPPED = "dropped"
    FAILED = "failed"


class NotificationStatus(StrEnum):
    """An email's record: claimed (`sending`), `sent`, `failed` for good, or `retrying`
    after a transient failure (the next delivery may claim it)."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    RETRYING = "retrying"


def alert_id(kind: RecipientKind, match_id: str) -> str:
    """One alert per recipient and match (a funder's is about the project's match)."""
    return f"{kind.value}:{match_id}"


@dataclass(frozen=True)
class Alert:
    """A match one recipient should hear about, and what it was told."""

    id: str
    recipient_kind: RecipientKind
    recipient_id: str
    match_id: str
    grant_id: str
    status: AlertStatus
    due_at: datetime | None = None  # when an instant email is due; None: held or waiting
    correlation_id: str | None = None
    created_at: datetime | None = None  # None only for an alert that muting created
    updated_at: datetime | None = None
    sent_in: str | None = None  # the notification id that told it
    sent_at: datetime | None = None
    reminded_in: str | None = None  # the reminder that named its grant's deadline
    reminded_at: datetime | None = None


@dataclass(frozen=True)
class DueAlert:
    """An alert whose instant email is due, and when the store last wrote it (`postpone`
    succeeds only if nothing wrote it since)."""

    alert: Alert
    seen: datetime


@dataclass(frozen=True)
class NotificationClaim:
    """What a notification records when it is claimed: the email, its recipient, the
    alerts it tells, and the event that caused it (re-announced if the sender dies)."""

    kind: EmailKind
    recipient_kind: RecipientKind
    recipient_id: str
    alert_ids: tuple[str, ...]
    event_id: str
    correlation_id: str
    cause_name: str
    cause_payload: dict[str, Any]


@dataclass(frozen=True)
class NotificationRecord:
    """One email's record (id `kind:recipient_kind:recipient_id[:suffix]`)."""

    id: str
    status: NotificationStatus
    kind: EmailKind
    recipient_kind: RecipientKind
    recipient_id: str
    alert_ids: tuple[str, ...] = ()
    event_id: str | None = None
    correlation_id: str | None = None
    cause_name: str | None = None  # None: nothing to re-announce
    cause_payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    lease_until: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    message_id: str | None = None  # the provider's, once sent
    provider_status: int | None = None
    sent_by_event: str | None = None
    sent_at: datetime | None = None
    error: str | None = None  # why the provider refused it (status `failed`)
    last_error: str | None = None  # the last transient failure (status `retrying`)


@dataclass(frozen=True)
class ApiKeyRecord:
    """A funder's API key as stored: only the hash of its secret."""

    key_id: str
    funder_id: str
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class ErasureRequestRecord:
    """An address waiting for its erasure link (deleted once handled, or by TTL)."""

    id: str
    email: str
    created_at: datetime
    expire_at: datetime


@dataclass(frozen=True)
class HarvestProgress:
    """A harvest run of one source that has not finished: where it resumes (`cursor`:
    the next page to read, None for the first) and the source ids it has already seen,
    so a crash mid-run loses nothing and a complete run can tell what vanished."""

    run_id: str
    cursor: str | None
    seen: frozenset[str]
    started_at: datetime


@dataclass(frozen=True)
class GrantChange:
    """A harvested call that changed in one run, both versions kept (what the change
    notice says, old -> new). `announced` once its run's notices were handed to notify."""

    id: str
    source: str
    run_id: str
    grant_id: str
    old: Grant
    new: Grant
    created_at: datetime
    announced: bool = False


@dataclass(frozen=True)
class StoredCall:
    """A harvested call as stored: its grant, content checksum and whether it is open."""

    grant_id: str
    source_id: str
    checksum: str
    open: bool


@dataclass(frozen=True)
class WindowCount:
    """One fixed window's counter as stored: admitted requests per tick, and when the
    latest came (Unix seconds)."""

    ticks: Mapping[int, int] = field(default_factory=dict)
    last_seen: float = 0.0


@dataclass(frozen=True)
class Handoff:
    """A published event whose consumers have not all been seen to record it yet."""

    envelope: Envelope
    published_at: datetime
    announcements: int  # how many times it was published again since
