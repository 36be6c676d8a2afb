"""Interests: a funder tells a project it is interested (one per funder and project).
An interest holds no address; its pledge is added to the project's total."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import FirestoreStore, model_document
from shared.adapters.firestore.ledgers import add_outbox
from shared.adapters.firestore.subscribers import subscriber_ref
from shared.domain.events import Envelope
from shared.domain.models import Interest
from shared.domain.recipients import RecipientKind

INTERESTS = "interests"


class FirestoreInterests(FirestoreStore):
    """Interests, their pledges and the CSO's consent."""

    def create(self, interest: Interest, event: Envelope) -> bool:
        """Store a new interest, add its pledge to the project's total and queue its
        event, in one batch; False (and nothing written) if this funder already told
        this project, so a repeated request can never pledge twice."""
        batch = self._db.batch()
        batch.create(self._db.collection(INTERESTS).document(interest.id), model_document(interest))
        if interest.pledge:
            batch.update(
                subscriber_ref(self._db, RecipientKind.PROJECT, interest.project_id),
                {"pledged_amount": firestore.Increment(interest.pledge)},
            )
        add_outbox(self._db, batch, event)
        try:
            batch.commit()
        except gexc.AlreadyExists:
            return False
        return True

    def get(self, interest_id: str) -> Interest | None:
        """An interest by id."""
        snap = self._db.collection(INTERESTS).document(interest_id).get()
        return Interest.model_validate(snap.to_dict()) if snap.exists else None

    def get_many(self, interest_ids: list[str]) -> dict[str, Interest]:
        """The interests among these ids that exist (one round trip), by id."""
        refs = [self._db.collection(INTERESTS).document(i) for i in interest_ids]
        found = self._db.get_all(refs) if refs else []
        return {s.id: Interest.model_validate(s.to_dict()) for s in found if s.exists}

    def accept(self, interest_id: str, reply: str, now: datetime, event: Envelope) -> None:
        """Record that the CSO shares its address with the funder, and queue the event
        that emails it, in one batch (the event id is fixed: accepting twice is once)."""
        batch = self._db.batch()
        ref = self._db.collection(INTERESTS).document(interest_id)
        batch.update(ref, {"accepted_at": now, "reply": reply})
        add_outbox(self._db, batch, event)
        with contextlib.suppress(gexc.AlreadyExists):  # accepted before: keep the first
            batch.commit()


# -- for erasure -------------------------------------------------------------------------
def interest_refs_in_project(db: firestore.Client, project_id: str) -> list[Any]:
    """References to every funder's interest in a project."""
    interests = db.collection(INTERESTS).where(filter=FieldFilter("project_id", "==", project_id))
    return [snap.reference for snap in interests.select([]).stream()]
