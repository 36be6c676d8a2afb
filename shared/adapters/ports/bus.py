"""The clock, the event bus and email, as services see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from shared.domain.events import Envelope

if TYPE_CHECKING:  # a type only: match never renders, so it must not load the templates
    from shared.email.rendering import Email


class Clock(Protocol):
    """The one source of `now` for services."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class PublishFailed(Exception):
    """Pub/Sub did not confirm the message in time; the caller keeps it in the outbox."""


class Publisher(Protocol):
    """Events onto their topics; every method raises PublishFailed if not confirmed."""

    def publish(self, envelope: Envelope) -> str:
        """Publish one event; its message id."""
        ...

    def publish_many(self, envelopes: list[Envelope]) -> list[str]:
        """Publish several events together."""
        ...

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        """Publish bytes with attributes to a topic (dead-letter replay)."""
        ...

    def dead_letter(
        self, data: bytes, attributes: dict[str, str], reason: str, consumer: str
    ) -> str:
        """Park an unprocessable message on the dead-letter topic with why and who."""
        ...


class TransientSendError(Exception):
    """Worth retrying later (rate limit, provider outage, timeout)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """Retrying will not help (bad request, unauthorised sender...)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class SendReceipt:
    """What the provider told us about an accepted email."""

    status_code: int
    message_id: str


class EmailSender(Protocol):
    """Sends one email; raises TransientSendError or PermanentSendError."""

    def send(self, email: Email) -> SendReceipt:
        """Send it, retrying briefly what is worth retrying."""
        ...


@dataclass(frozen=True)
class Parked:
    """One message in the dead-letter inbox, as pulled (the ack id is valid until
    released)."""

    ack_id: str
    message_id: str
    data: bytes
    attributes: dict[str, str] = field(default_factory=dict)
    published_at: datetime | None = None


class DeadLetterInbox(Protocol):
    """Where undeliverable and poison messages wait for a person; reading never loses one."""

    def pull_all(self, limit: int) -> list[Parked]:
        """Up to `limit` waiting messages, each once, leased until acknowledged or released."""
        ...

    def acknowledge(self, parked: list[Parked]) -> None:
        """Remove these messages from the inbox for good."""
        ...

    def release(self, parked: list[Parked]) -> None:
        """Put these messages back, at once visible to the next reader."""
        ...
