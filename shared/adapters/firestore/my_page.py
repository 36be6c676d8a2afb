"""Marks and calendar feeds of the CSO's own page, as fields of the match and of the
profile or project documents (erased with them; see the port)."""

from __future__ import annotations

from datetime import datetime

from google.api_core import exceptions as gexc

from shared.adapters.firestore.common import FirestoreStore
from shared.adapters.firestore.ledgers import add_outbox
from shared.adapters.firestore.matches import MATCHES, match_fields_of_target
from shared.adapters.firestore.plans import PLAN_FIELDS
from shared.adapters.firestore.subscribers import (
    CALENDAR_HASH,
    _project_document,
    profile_document,
    subscriber_ref,
    subscriber_with_calendar_hash,
)
from shared.adapters.ports.my_page import Mark
from shared.domain.events import Envelope
from shared.domain.models import Profile, Project
from shared.domain.recipients import RecipientKind

MARK = "my_mark"


class FirestoreMyPage(FirestoreStore):
    """Reads and writes the My Grant Match fields; nothing else of those documents."""

    def marks(self, kind: RecipientKind, target_id: str) -> dict[str, Mark]:
        """The marks on one profile's or project's matches, by match id."""
        marks = {}
        for snap in match_fields_of_target(self._db, kind, target_id, [MARK]):
            value = (snap.to_dict() or {}).get(MARK)
            if isinstance(value, str) and value in {m.value for m in Mark}:
                marks[snap.id] = Mark(value)
        return marks

    def set_mark(self, match_id: str, mark: Mark | None, now: datetime) -> bool:
        """Mark a match (None clears the mark); False if there is no such match."""
        ref = self._db.collection(MATCHES).document(match_id)
        try:
            ref.update({MARK: mark.value if mark else None, "marked_at": now})
        except gexc.NotFound:
            return False
        return True

    def set_calendar_hash(
        self, kind: RecipientKind, target_id: str, secret_hash: str | None, now: datetime
    ) -> bool:
        """Replace (revoke) the calendar secret's hash on the profile or project."""
        try:
            subscriber_ref(self._db, kind, target_id).update(
                {CALENDAR_HASH: secret_hash, "calendar_feed_at": now}
            )
        except gexc.NotFound:
            return False
        return True

    def replace_subscriber(self, target: Profile | Project, event: Envelope) -> bool:
        """Replace a profile's or project's fields and index keys, with its event."""
        if isinstance(target, Profile):
            kind, data = RecipientKind.PROFILE, profile_document(target, "")
        else:
            kind, data = RecipientKind.PROJECT, _project_document(target, "")
        # Consent, creation and the first request's hash are the original's.
        # Pledges are added by funders' interests meanwhile (an increment): not ours to set.
        kept_fields = (
            "request_hash",
            "created_at",
            "confirmed",
            "confirmed_at",
            "unsubscribed_at",
            "pledged_amount",
            *PLAN_FIELDS,  # the plan store's own: a project edit never rolls the plan back
        )
        for kept in kept_fields:
            data.pop(kept, None)
        batch = self._db.batch()
        batch.update(subscriber_ref(self._db, kind, target.id), data)
        add_outbox(self._db, batch, event)
        try:
            batch.commit()
        except gexc.NotFound:
            return False
        return True

    def calendar_owner(self, secret_hash: str) -> tuple[RecipientKind, str] | None:
        """The profile or project whose calendar secret has this hash."""
        return subscriber_with_calendar_hash(self._db, secret_hash)
