"""Domain errors, each with a message a user can act on.

They are mapped to HTTP status codes in exactly one place (`shared.web.error_mapping`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base class: `message` is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: where it is (dotted path) and what is wrong with it."""

    field: str
    message: str


class ValidationFailed(DomainError):
    """The request body is well-formed but its content breaks the contract."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(f"{len(problems)} field(s) are invalid")
        self.problems = problems


class MalformedRequest(DomainError):
    """The request body is not parseable (not JSON, not an object)."""


class UnsupportedMediaType(DomainError):
    """The request body is not in a content type we accept."""


class PayloadTooLarge(DomainError):
    """The request body is over the size limit."""


class Unauthenticated(DomainError):
    """No valid API key was presented."""


class Forbidden(DomainError):
    """The caller is authenticated but may not touch this resource."""


class NotFound(DomainError):
    """The resource does not exist (or the caller may not know that it does)."""


class RateLimited(DomainError):
    """Too many requests in the current window; `retry_after` seconds until it resets."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests: retry after {retry_after} seconds")
        self.retry_after = retry_after


class Conflict(DomainError):
    """The request conflicts with what is stored (e.g. a reused Idempotency-Key)."""


@dataclass
class PoisonMessage(Exception):
    """An event that can never be processed (bad JSON, unknown version): dead-letter it."""

    reason: str
    raw: bytes = b""
    attributes: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.reason


class InvalidLink(DomainError):
    """An emailed link that is forged, made for another purpose, or expired."""

    def __init__(self, purpose: str, *, expired: bool) -> None:
        super().__init__(
            f"this {purpose} link has expired" if expired else f"this {purpose} link is not valid"
        )
        self.purpose = purpose
        self.expired = expired
