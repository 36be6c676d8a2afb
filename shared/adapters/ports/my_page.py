"""The CSO's own page ("My Grant Match"): what it marked on its matches, and the hashed
secret of its private calendar feed. Kept on the match and on the profile or project
themselves, so deleting those (a grant closed and deleted, an address erased) takes
these along and nothing is left behind."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from shared.domain.events import Envelope
from shared.domain.models import Profile, Project
from shared.domain.recipients import RecipientKind


class Mark(StrEnum):
    """What a CSO said about one of its matches. Dismissing also mutes its alerts."""

    SAVED = "saved"
    APPLIED = "applied"
    DISMISSED = "dismissed"


class MyPageStore(Protocol):
    """Marks on matches, and calendar feeds, for a profile's or project's own page."""

    def marks(self, kind: RecipientKind, target_id: str) -> dict[str, Mark]:
        """The marks on one profile's or project's matches, by match id."""
        ...

    def set_mark(self, match_id: str, mark: Mark | None, now: datetime) -> bool:
        """Mark a match (None clears the mark); False if there is no such match."""
        ...

    def set_calendar_hash(
        self, kind: RecipientKind, target_id: str, secret_hash: str | None, now: datetime
    ) -> bool:
        """Keep the hash of a profile's or project's calendar secret, replacing (and so
        revoking) any earlier one; None revokes. False if there is no such recipient."""
        ...

    def replace_subscriber(self, target: Profile | Project, event: Envelope) -> bool:
        """Replace an existing profile's or project's fields (with its index keys) by
        `target`'s, with the event that matches it again, atomically; its consent,
        creation time and marks stay. False (nothing written) if it is gone."""
        ...

    def calendar_owner(self, secret_hash: str) -> tuple[RecipientKind, str] | None:
        """The profile or project whose calendar secret has this hash."""
        ...
