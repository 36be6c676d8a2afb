"""The stores: one Protocol per aggregate, and the ledgers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from shared.adapters.ports.records import (
    Alert,
    AlertStatus,
    ApiKeyRecord,
    ClaimOutcome,
    DueAlert,
    ErasureRequestRecord,
    GrantVersion,
    GrantWrite,
    NotificationClaim,
    NotificationRecord,
    SaveOutcome,
)
from shared.domain.events import Envelope
from shared.domain.models import Grant, Interest, Match, Profile, Project
from shared.domain.recipients import Recipient, RecipientKind
from shared.domain.taxonomy import TargetKind


class FunderStore(Protocol):
    """Funders, their private contact addresses and their API keys."""

    def create(self, funder_id: str, name: str, now: datetime) -> None:
        """Store a new funder."""
        ...

    def set_contact(self, funder_id: str, email: str, language: str, now: datetime) -> None:
        """Store (or replace) a funder's private address, subscribed."""
        ...

    def with_contact(self) -> list[str]:
        """Ids of funders that gave an address and did not unsubscribe."""
        ...

    def exists(self, funder_id: str) -> bool:
        """True if the funder was created."""
        ...

    def name_of(self, funder_id: str) -> str | None:
        """A funder's display name (public: shown to the CSOs it contacts)."""
        ...

    def add_api_key(self, key_id: str, funder_id: str, secret_hash: str, now: datetime) -> None:
        """Store a key's hash for a funder, unrevoked."""
        ...

    def get_api_key(self, key_id: str) -> ApiKeyRecord | None:
        """A key by id."""
        ...

    def revoke_session(self, sid: str, funder_id: str, now: datetime, expire_at: datetime) -> None:
        """Remember that a web session was signed out, until it would have expired anyway."""
        ...

    def session_revoked(self, sid: str) -> bool:
        """True if the web session `sid` was signed out."""
        ...

    def revoke_api_key(self, key_id: str, now: datetime) -> bool:
        """Mark a key revoked; False if there is no such key."""
        ...


class GrantStore(Protocol):
    """Grants, with the outbox event of every write."""

    @property
    def documents_read(self) -> int:
        """Grants streamed by `open_for` so far (logged, and counted by bench/)."""
        ...

    def get(self, grant_id: str) -> Grant | None:
        """A grant by id."""
        ...

    def version(self, grant_id: str) -> GrantVersion | None:
        """The stored grant's hash, revision and update time, for an upsert."""
        ...

    def versions(self, grant_ids: list[str]) -> dict[str, GrantVersion]:
        """Versions of many grants at once (missing ids are absent)."""
        ...

    def save(self, writes: Sequence[GrantWrite]) -> None:
        """Create or replace grants with their outbox events, all or nothing (at most
        MAX_GRANTS_PER_BATCH, else ValueError). Raises ConcurrentUpdate, writing nothing,
        if any grant changed (or appeared) since `previous` was read."""
        ...

    def delete(self, grant_id: str) -> int:
        """Delete a grant with its matches and alerts; how many documents went."""
        ...

    def open_for(
        self, countries: list[str], today: date, sectors: list[str] | None = None
    ) -> Iterator[Grant]:
        """Grants open at `today` (deadline none or not before) that cover one of
        `countries` or are worldwide, and fund one of `sectors` or any sector (every
        sector when `sectors` is None); each once."""
        ...

    def closing_between(self, first: date, last: date) -> list[Grant]:
        """Grants whose deadline falls between `first` and `last` (inclusive)."""
        ...


class SubscriberStore(Protocol):
    """Profiles and projects, and every email recipient (funder contacts too) with its
    consent: confirmation and unsubscribing."""

    @property
    def documents_read(self) -> int:
        """Documents streamed by the candidate queries so far."""
        ...

    def create_project(self, project: Project, request_hash: str, event: Envelope) -> SaveOutcome:
        """Store a new project with its outbox event: CREATED, or REPLAYED if it exists
        with the same request hash; ConcurrentUpdate if it exists with another."""
        ...

    def create_profile(self, profile: Profile, request_hash: str, event: Envelope) -> SaveOutcome:
        """Store a new profile with its outbox event (as `create_project`)."""
        ...

    def get_project(self, project_id: str) -> Project | None:
        """A project by id."""
        ...

    def get_profile(self, profile_id: str) -> Profile | None:
        """A profile by id."""
        ...

    def projects_newest_first(
        self,
        visibilities: list[str],
        *,
        sector: str | None,
        country: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Project]:
        """One page of confirmed projects with one of `visibilities`, by (created_at, id)
        descending, optionally in one sector and one country, after a previous page's
        last (created_at, id)."""
        ...

    def candidate_profiles(self, grant: Grant) -> Iterator[Profile]:
        """Profiles that may fit a grant (a superset screening narrows), each once."""
        ...

    def candidate_projects(self, grant: Grant) -> Iterator[Project]:
        """Projects that may fit a grant (a superset screening narrows), each once."""
        ...

    def weekly_profiles(self) -> list[str]:
        """Ids of confirmed, subscribed profiles that want the weekly digest."""
        ...

    def get_recipient(self, kind: RecipientKind, recipient_id: str) -> Recipient | None:
        """A profile, a project's contact or a funder's contact (with its funder's
        name), as a recipient; None if it (or, for a funder, its contact) is missing."""
        ...

    def with_address_key(self, email_key: str) -> list[tuple[RecipientKind, str]]:
        """Every profile and project whose address has this keyed hash, sorted."""
        ...

    def retire_profile(self, profile_id: str, superseded_by: str, now: datetime) -> None:
        """End a profile replaced by a newer confirmed one of its address (no more
        email, as if unsubscribed; `superseded_by` names the newer one)."""
        ...

    def address_records(self) -> Iterator[tuple[RecipientKind, str, str, str]]:
        """(kind, id, address, stored keyed hash or "") of every profile and project."""
        ...

    def set_email_key(self, kind: RecipientKind, subscriber_id: str, email_key: str) -> None:
        """Store the keyed hash of a profile's or project's address."""
        ...

    def confirm_recipient(
        self, kind: RecipientKind, recipient_id: str, now: datetime, event: Envelope
    ) -> None:
        """Mark a profile or project confirmed with the event that releases what was
        held for it, atomically; the event id is fixed, so confirming twice is once."""
        ...

    def unsubscribe_recipient(self, kind: RecipientKind, recipient_id: str, now: datetime) -> None:
        """Withdraw consent for good (a missing recipient is ignored)."""
        ...


class ErasureStore(Protocol):
    """Erasure requests, and deleting everything kept for an address (every aggregate)."""

    def create_request(
        self, request_id: str, email: str, now: datetime, expire_at: datetime, event: Envelope
    ) -> None:
        """Keep an address until its erasure link is sent, with the event that sends it."""
        ...

    def get_request(self, request_id: str) -> ErasureRequestRecord | None:
        """An erasure request by id."""
        ...

    def delete_request(self, request_id: str) -> None:
        """Forget a handled request (and with it the address)."""
        ...

    def recipients_with_address(self, email: str) -> list[tuple[RecipientKind, str]]:
        """Every profile, project and funder contact that uses this address, sorted."""
        ...

    def erase(self, recipients: Sequence[tuple[RecipientKind, str]], email: str) -> int:
        """Delete, for each recipient: its own document, its matches, every alert about
        them (a funder's too), its notifications, and for a project the funders'
        interests in it with the notifications they caused; then the pending erasure
        requests of `email`. Each document once; returns how many were deleted."""
        ...


class InterestStore(Protocol):
    """Funders' interests in projects (one per funder and project)."""

    def create(self, interest: Interest, event: Envelope) -> bool:
        """Store a new interest, add its pledge to the project's `pledged_amount` and
        queue its event, atomically; False (nothing written) if it exists."""
        ...

    def get(self, interest_id: str) -> Interest | None:
        """An interest by id."""
        ...

    def get_many(self, interest_ids: list[str]) -> dict[str, Interest]:
        """The interests among these ids that exist, by id."""
        ...

    def accept(self, interest_id: str, reply: str, now: datetime, event: Envelope) -> None:
        """Record the CSO's consent (`accepted_at`, `reply`) with the event that emails
        the funder, atomically; the event id is fixed, so accepting twice keeps the
        first."""
        ...


class MatchStore(Protocol):
    """Matches of grants with profiles and projects."""

    def save(self, match: Match, now: datetime) -> bool:
        """Create the match, or refresh its score and reasons; True if it is new."""
        ...

    def get(self, match_id: str) -> Match | None:
        """A match by id."""
        ...

    def for_target(self, kind: TargetKind, target_id: str) -> list[Match]:
        """Every match of one profile or project."""
        ...

    def count_for_grant(self, grant_id: str, kind: TargetKind) -> int:
        """How many profiles (or projects) a grant matched: a count, never who."""
        ...


class AlertStore(Protocol):
    """One alert per (recipient, match), id `alert_id(kind, match_id)`: the ledger of
    what each recipient was told. Every change also sets `updated_at` to `now`."""

    def add(
        self,
        kind: RecipientKind,
        recipient_id: str,
        match_id: str,
        grant_id: str,
        correlation_id: str,
        now: datetime,
    ) -> bool:
        """Record a pending alert with no due time; False if it existed (any status)."""
        ...

    def mute(
        self, kind: RecipientKind, recipient_id: str, match_id: str, grant_id: str, now: datetime
    ) -> None:
        """Set (or create) the alert `muted`, with no due time."""
        ...

    def get(self, alert_id: str) -> Alert | None:
        """An alert by id."""
        ...

    def of_recipient(
        self,
        kind: RecipientKind,
        recipient_id: str,
        statuses: Sequence[AlertStatus] = (AlertStatus.PENDING,),
    ) -> list[Alert]:
        """A recipient's alerts in the given statuses."""
        ...

    def for_grants(self, grant_ids: list[str]) -> list[Alert]:
        """Every alert about any of these grants."""
        ...

    def due(self, now: datetime, limit: int) -> list[DueAlert]:
        """Up to `limit` alerts with a due time at or before `now`, earliest first."""
        ...

    def postpone(self, alert_id: str, seen: datetime, until: datetime) -> bool:
        """Move an alert's due time (leaving `updated_at`), unless it was written since
        `seen` or is gone: then False."""
        ...

    def set_due(self, alert_ids: Sequence[str], due_at: datetime | None, now: datetime) -> None:
        """Give alerts a due time, or hold them (None)."""
        ...

    def close(self, alert_ids: Sequence[str], status: AlertStatus, now: datetime) -> None:
        """Set alerts' status and clear their due time (expired, dropped, failed)."""
        ...

    def mark_sent(self, alert_ids: Sequence[str], notification_id: str, now: datetime) -> None:
        """Alerts an email told: `sent`, `sent_in`, `sent_at`, no due time."""
        ...

    def mark_reminded(self, alert_ids: Sequence[str], notification_id: str, now: datetime) -> None:
        """Alerts a reminder named: `sent`, `reminded_in`, `reminded_at`, no due time."""
        ...


class NotificationStore(Protocol):
    """One record per email: claimed before sending, marked after (send at most once)."""

    def claim(
        self, notification_id: str, claim: NotificationClaim, now: datetime, lease: timedelta
    ) -> ClaimOutcome:
        """Take it for sending (status `sending`, lease until now + lease, attempts + 1):
        DONE if it is sent or failed, BUSY if someone's lease is still running or
        another claim won the race."""
        ...

    def mark_sent(
        self,
        notification_id: str,
        *,
        message_id: str,
        provider_status: int,
        event_id: str,
        now: datetime,
    ) -> None:
        """Record the provider's acceptance (status `sent`, `sent_by_event`, `sent_at`)
        and end the lease."""
        ...

    def mark_failed(
        self, notification_id: str, *, error: str, provider_status: int, now: datetime
    ) -> None:
        """Record the provider's refusal for good (status `failed`) and end the lease."""
        ...

    def release(self, notification_id: str, now: datetime, error: str) -> None:
        """Give a claim back after a transient failure (status `retrying`, lease ended)."""
        ...

    def get(self, notification_id: str) -> NotificationRecord | None:
        """A record by id."""
        ...

    def stale(self, now: datetime, limit: int) -> list[NotificationRecord]:
        """Records still `sending` whose lease ended before `now` (their sender died)."""
        ...
