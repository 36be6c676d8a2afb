"""The in-memory "database" every fake store shares.

The real stores share one Firestore client, and some writes cross aggregates (a grant's
deletion takes its matches and alerts, an interest adds its pledge to the project, an
erasure reaches into everything). So the fakes share one `Memory`: plain dicts of the
records and models the ports return, and nothing of Firestore's document layout.

A write that Firestore commits in one batch checks every precondition here before it
changes anything, so a refused write leaves the memory as it was, as a failed batch does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from shared.adapters.ports import (
    Alert,
    ApiKeyRecord,
    ErasureRequestRecord,
    GrantChange,
    Handoff,
    HarvestProgress,
    NotificationRecord,
    WindowCount,
)
from shared.domain.events import Envelope
from shared.domain.models import Grant, Interest, Match, Profile, Project

# Write times are opaque tokens (Firestore's `update_time`): a counter, as a datetime.
_WRITE_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
T = TypeVar("T")


class AlreadyExists(Exception):
    """A create met an existing document (Firestore: AlreadyExists)."""


class NotFound(LookupError):
    """An update met no document (Firestore: NotFound)."""


@dataclass
class Written(Generic[T]):
    """A stored value and the time of its last write (for write preconditions)."""

    value: T
    written: datetime


@dataclass
class StoredGrant:
    """A grant, the hash of the submission it came from, and its last write time."""

    grant: Grant
    content_hash: str
    written: datetime


@dataclass
class StoredSubmission(Generic[T]):
    """A profile or project and the hash of the request that created it."""

    model: T
    request_hash: str


@dataclass
class FunderContact:
    """A funder's private address and its consent."""

    email: str
    language: str
    created_at: datetime
    unsubscribed_at: datetime | None = None


@dataclass
class Memory:
    """Every aggregate, by id."""

    funders: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # name, created_at
    contacts: dict[str, FunderContact] = field(default_factory=dict)
    api_keys: dict[str, ApiKeyRecord] = field(default_factory=dict)
    grants: dict[str, StoredGrant] = field(default_factory=dict)
    projects: dict[str, StoredSubmission[Project]] = field(default_factory=dict)
    profiles: dict[str, StoredSubmission[Profile]] = field(default_factory=dict)
    interests: dict[str, Interest] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)
    alerts: dict[str, Written[Alert]] = field(default_factory=dict)
    notifications: dict[str, Written[NotificationRecord]] = field(default_factory=dict)
    outbox: dict[str, Envelope] = field(default_factory=dict)
    handoffs: dict[str, tuple[Handoff, datetime]] = field(default_factory=dict)  # and check_at
    processed: dict[str, datetime] = field(default_factory=dict)  # key -> expire_at
    rate_counters: dict[str, WindowCount] = field(default_factory=dict)
    revoked_sessions: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    erasure_requests: dict[str, ErasureRequestRecord] = field(default_factory=dict)
    harvest_runs: dict[str, HarvestProgress] = field(default_factory=dict)  # by source
    harvest_identities: dict[str, tuple[str, str]] = field(default_factory=dict)  # source, grant
    harvest_changes: dict[str, GrantChange] = field(default_factory=dict)  # by id
    _writes: int = 0

    def write_time(self) -> datetime:
        """A new, later write time."""
        self._writes += 1
        return _WRITE_EPOCH + timedelta(microseconds=self._writes)

    def check_outbox_free(self, event: Envelope) -> None:
        """The outbox entry is created with its document: an existing one fails both."""
        if event.id in self.outbox:
            raise AlreadyExists(f"outbox/{event.id}")

    def add_outbox(self, event: Envelope) -> None:
        """Queue an event (call `check_outbox_free` before any write of the same batch)."""
        self.outbox[event.id] = event


def require(found: Any, what: str) -> Any:
    """The value, or NotFound (an update of a missing document)."""
    if found is None:
        raise NotFound(what)
    return found
