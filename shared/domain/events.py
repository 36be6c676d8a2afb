"""The event envelope and the payload of every event the functions exchange.

Events carry ids, never personal data: a consumer reads the current document from
Firestore, so a dead-lettered or logged message cannot leak an email address.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.errors import PoisonMessage
from shared.domain.ids import new_event_id
from shared.domain.recipients import EmailKind, RecipientKind
from shared.domain.schedule import Job
from shared.domain.taxonomy import TargetKind


class EventName(StrEnum):
    """Every event in the system."""

    GRANT_PUBLISHED = "grant.published"
    PROJECT_SUBMITTED = "project.submitted"
    PROFILE_CREATED = "profile.created"
    MATCH_FOUND = "match.found"
    SUBSCRIPTION_CONFIRMED = "subscription.confirmed"
    NOTIFICATION_DUE = "notification.due"
    SCHEDULE_TICK = "schedule.tick"
    INTEREST_EXPRESSED = "interest.expressed"
    INTEREST_ACCEPTED = "interest.accepted"
    ERASURE_REQUESTED = "erasure.requested"
    HARVEST_REQUESTED = "harvest.requested"


#: Each event goes to its own topic: the Pub/Sub emulator ignores filters, so we route by
#: topic. `infra/topology.json` must declare the same topics (a contract test checks).
TOPIC_FOR_EVENT: Final[dict[EventName, str]] = {
    EventName.GRANT_PUBLISHED: "grant-published",
    EventName.PROJECT_SUBMITTED: "project-submitted",
    EventName.PROFILE_CREATED: "profile-created",
    EventName.MATCH_FOUND: "match-found",
    EventName.SUBSCRIPTION_CONFIRMED: "subscription-confirmed",
    EventName.NOTIFICATION_DUE: "notification-due",
    EventName.SCHEDULE_TICK: "scheduled-jobs",
    EventName.INTEREST_EXPRESSED: "interest-expressed",
    EventName.INTEREST_ACCEPTED: "interest-accepted",
    EventName.ERASURE_REQUESTED: "erasure-requested",
    EventName.HARVEST_REQUESTED: "harvest-requested",
}
DEAD_LETTER_TOPIC: Final = "dead-letter"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GrantPublished(_Payload):
    """A grant was created or changed (`revision` grows with each change)."""

    grant_id: str
    funder_id: str
    revision: int


class ProjectSubmitted(_Payload):
    """A CSO submitted a project."""

    project_id: str


class ProfileCreated(_Payload):
    """A CSO created an alert profile."""

    profile_id: str


class MatchFound(_Payload):
    """A grant fits a profile or project."""

    match_id: str
    grant_id: str
    target_kind: TargetKind
    target_id: str


class SubscriptionConfirmed(_Payload):
    """An address followed its confirmation link: what was held for it may now go out."""

    recipient_kind: RecipientKind
    recipient_id: str


class NotificationDue(_Payload):
    """Time to send one recipient an email of this kind. `period` names the scheduled
    run (ISO week, date) for digests and reminders; empty for instant alerts."""

    kind: EmailKind
    recipient_kind: RecipientKind
    recipient_id: str
    period: str = ""


class ScheduleTick(_Payload):
    """Cloud Scheduler's fixed message: run `job` for the current period."""

    job: Job


class InterestExpressed(_Payload):
    """A funder told a project it is interested: email the CSO (not the funder)."""

    interest_id: str


class InterestAccepted(_Payload):
    """The CSO chose to share its address with that funder: email the funder."""

    interest_id: str


class ErasureRequested(_Payload):
    """Someone asked for an erasure link by address. The address itself stays in the
    request document (deleted once handled), never in the event. `link` says which link
    was asked for: the erasure link, or the link to the CSO's own page ("my")."""

    request_id: str
    link: Literal["erase", "my"] = "erase"


class HarvestRequested(_Payload):
    """Cloud Scheduler's fixed message per source: harvest `source` (from its stored
    cursor; a run cut short resumes there)."""

    source: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_:-]+$")


#: (name, version) -> payload model. A version not listed here is a poison message.
PAYLOADS: Final[dict[tuple[EventName, int], type[_Payload]]] = {
    (EventName.GRANT_PUBLISHED, 1): GrantPublished,
    (EventName.PROJECT_SUBMITTED, 1): ProjectSubmitted,
    (EventName.PROFILE_CREATED, 1): ProfileCreated,
    (EventName.MATCH_FOUND, 1): MatchFound,
    (EventName.SUBSCRIPTION_CONFIRMED, 1): SubscriptionConfirmed,
    (EventName.NOTIFICATION_DUE, 1): NotificationDue,
    (EventName.SCHEDULE_TICK, 1): ScheduleTick,
    (EventName.INTEREST_EXPRESSED, 1): InterestExpressed,
    (EventName.INTEREST_ACCEPTED, 1): InterestAccepted,
    (EventName.ERASURE_REQUESTED, 1): ErasureRequested,
    (EventName.HARVEST_REQUESTED, 1): HarvestRequested,
}
_NAME_FOR_PAYLOAD: Final = {model: name for (name, _), model in PAYLOADS.items()}


class Envelope(BaseModel):
    """What travels on Pub/Sub: name, version, id, time, correlation id and payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: EventName
    version: int = Field(ge=1)
    id: str = Field(min_length=1, max_length=128)
    occurred_at: datetime
    correlation_id: str = Field(min_length=1, max_length=128)
    payload: dict[str, Any]

    def parsed(self) -> _Payload:
        """The payload as its typed model (the envelope was validated on the way in)."""
        return PAYLOADS[(self.name, self.version)].model_validate(self.payload)

    @property
    def topic(self) -> str:
        """The topic this event is published to."""
        return TOPIC_FOR_EVENT[self.name]


def new_event(
    payload: _Payload, *, correlation_id: str, now: datetime, event_id: str | None = None
) -> Envelope:
    """Wrap a payload in a fresh envelope at version 1."""
    return Envelope(
        name=_NAME_FOR_PAYLOAD[type(payload)],
        version=1,
        id=event_id or new_event_id(),
        occurred_at=now,
        correlation_id=correlation_id,
        payload=payload.model_dump(mode="json"),
    )


def encode(envelope: Envelope) -> tuple[bytes, dict[str, str]]:
    """Message data and attributes for Pub/Sub."""
    data = envelope.model_dump_json().encode("utf-8")
    attributes = {
        "event_name": envelope.name.value,
        "event_version": str(envelope.version),
        "event_id": envelope.id,
        "correlation_id": envelope.correlation_id,
    }
    return data, attributes


def decode(data: bytes, attributes: dict[str, str] | None = None) -> Envelope:
    """Parse message data into an envelope, or raise PoisonMessage saying why."""
    attributes = attributes or {}
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PoisonMessage(f"message data is not JSON: {exc}", data, attributes) from exc
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        raise PoisonMessage(f"not an event envelope: {_summary(exc)}", data, attributes) from exc
    model = PAYLOADS.get((envelope.name, envelope.version))
    if model is None:
        reason = f"unknown event version {envelope.name.value} v{envelope.version}"
        raise PoisonMessage(reason, data, attributes)
    try:
        model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise PoisonMessage(
            f"bad {envelope.name.value} payload: {_summary(exc)}", data, attributes
        ) from exc
    return envelope


def decode_push(message: dict[str, Any]) -> Envelope:
    """Decode the `message` object of a Pub/Sub push (base64 `data` plus `attributes`)."""
    if not isinstance(message, dict):
        raise PoisonMessage("push body has no message object")
    attributes = message.get("attributes") or {}
    try:
        data = base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PoisonMessage("message data is not base64", b"", attributes) from exc
    return decode(data, attributes)


def _summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()
    )
