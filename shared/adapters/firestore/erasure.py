"""Erasure: the requests that wait for their link, and deleting everything kept for an
address. The only store that reaches into every aggregate, through the references each
owning module gives it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.alerts import alert_ref, alert_refs_of_recipient
from shared.adapters.firestore.common import FirestoreStore, delete_all
from shared.adapters.firestore.funders import contact_ref, contacts_with_address
from shared.adapters.firestore.interests import interest_refs_in_project
from shared.adapters.firestore.ledgers import add_outbox, handoff_refs_naming
from shared.adapters.firestore.matches import match_refs_of_target
from shared.adapters.firestore.notifications import (
    notification_refs_caused_by,
    notification_refs_of_recipient,
)
from shared.adapters.firestore.subscribers import subscriber_ref, subscribers_with_address
from shared.adapters.ports import ErasureRequestRecord, alert_id
from shared.domain.events import Envelope
from shared.domain.recipients import RecipientKind

ERASURE_REQUESTS = "erasure_requests"  # an address waiting for its erasure link (TTL)


class FirestoreErasure(FirestoreStore):
    """Erasure requests, and the deletion of an address's data."""

    def create_request(
        self, request_id: str, email: str, now: datetime, expire_at: datetime, event: Envelope
    ) -> None:
        """Keep an address until its erasure link is sent, with the event that sends it."""
        batch = self._db.batch()
        ref = self._db.collection(ERASURE_REQUESTS).document(request_id)
        batch.create(ref, {"email": email, "created_at": now, "expire_at": expire_at})
        add_outbox(self._db, batch, event)
        batch.commit()

    def get_request(self, request_id: str) -> ErasureRequestRecord | None:
        """An erasure request (its address) by id."""
        snap = self._db.collection(ERASURE_REQUESTS).document(request_id).get()
        if not snap.exists:
            return None
        data = snap.to_dict() or {}
        return ErasureRequestRecord(snap.id, data["email"], data["created_at"], data["expire_at"])

    def delete_request(self, request_id: str) -> None:
        """Forget a handled erasure request (and with it the address)."""
        self._db.collection(ERASURE_REQUESTS).document(request_id).delete()

    def recipients_with_address(self, email: str) -> list[tuple[RecipientKind, str]]:
        """Every profile, project and funder contact that uses this address, by id."""
        found = subscribers_with_address(self._db, email)
        found += [(RecipientKind.FUNDER, fid) for fid in contacts_with_address(self._db, email)]
        return sorted(found)

    def erase(self, recipients: Sequence[tuple[RecipientKind, str]], email: str) -> int:
        """Delete everything kept about these recipients and the address's pending
        erasure requests; returns how many documents."""
        refs = [ref for kind, rid in recipients for ref in self._documents_of(kind, rid)]
        # Events still awaited from a consumer name these ids: forget them too (a consumer
        # that meets a deleted id does nothing anyway).
        refs += handoff_refs_naming(self._db, sorted({ref.id for ref in refs}))
        refs += self._requests_for(email)
        # The same document can be reached twice (an interest email is the project's own
        # notification and one its interest caused): delete each once.
        return delete_all(self._db, list({ref.path: ref for ref in refs}.values()))

    def _documents_of(self, kind: RecipientKind, recipient_id: str) -> list[Any]:
        """References to every document about one recipient: the profile, project or
        funder contact itself, its matches, the alerts about them (its own and, for a
        project, its funders'), the notifications sent or pending for it, and for a
        project the funders' interests in it with the emails they caused (the funder's
        introduction too: it named the project)."""
        if kind is RecipientKind.FUNDER:
            refs = [contact_ref(self._db, recipient_id)]
        else:
            refs = [subscriber_ref(self._db, kind, recipient_id)]
            for match in match_refs_of_target(self._db, kind, recipient_id):
                refs.append(match)
                refs.append(alert_ref(self._db, alert_id(RecipientKind.FUNDER, match.id)))
        refs += alert_refs_of_recipient(self._db, kind, recipient_id)
        refs += notification_refs_of_recipient(self._db, kind, recipient_id)
        if kind is RecipientKind.PROJECT:
            for interest in interest_refs_in_project(self._db, recipient_id):
                refs += [interest, *notification_refs_caused_by(self._db, interest.id)]
        return refs

    def _requests_for(self, email: str) -> list[Any]:
        """References to the pending erasure requests of an address."""
        query = self._db.collection(ERASURE_REQUESTS).where(
            filter=FieldFilter("email", "==", email)
        )
        return [snap.reference for snap in query.select([]).stream()]
