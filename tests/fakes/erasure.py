"""FakeErasure: erasure requests, and deleting everything kept for an address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.adapters.ports import ErasureRequestRecord, alert_id
from shared.domain.events import Envelope
from shared.domain.handoffs import subjects_of
from shared.domain.recipients import RecipientKind
from tests.fakes.memory import AlreadyExists, Memory

Doc = tuple[str, str]  # (table, id): what one Firestore reference names


class FakeErasure:
    """ErasureStore in memory: reaches into every table, as the real one does."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def create_request(
        self, request_id: str, email: str, now: datetime, expire_at: datetime, event: Envelope
    ) -> None:
        if request_id in self._m.erasure_requests:
            raise AlreadyExists(f"erasure_requests/{request_id}")
        self._m.check_outbox_free(event)
        self._m.erasure_requests[request_id] = ErasureRequestRecord(
            request_id, email, now, expire_at
        )
        self._m.add_outbox(event)

    def get_request(self, request_id: str) -> ErasureRequestRecord | None:
        return self._m.erasure_requests.get(request_id)

    def delete_request(self, request_id: str) -> None:
        self._m.erasure_requests.pop(request_id, None)

    def recipients_with_address(self, email: str) -> list[tuple[RecipientKind, str]]:
        found = [
            (RecipientKind.PROFILE, i)
            for i, s in self._m.profiles.items()
            if str(s.model.email) == email
        ]
        found += [
            (RecipientKind.PROJECT, i)
            for i, s in self._m.projects.items()
            if str(s.model.contact_email) == email
        ]
        found += [
            (RecipientKind.FUNDER, i) for i, c in self._m.contacts.items() if c.email == email
        ]
        return sorted(found)

    def erase(self, recipients: Sequence[tuple[RecipientKind, str]], email: str) -> int:
        docs: set[Doc] = set()
        for kind, rid in recipients:
            docs |= self._documents_of(kind, rid)
        named = {doc_id for _, doc_id in docs}
        docs |= {
            ("handoffs", event_id)
            for event_id, (handoff, _) in self._m.handoffs.items()
            if named & set(subjects_of(handoff.envelope))
        }
        requests = self._m.erasure_requests.items()
        docs |= {("erasure_requests", i) for i, r in requests if r.email == email}
        for table, doc_id in docs:
            getattr(self._m, table).pop(doc_id, None)
        # Every reference counts, found or named (a funder's alert about a match is
        # deleted by id, whether it was ever written): as the Firestore store counts.
        return len(docs)

    def _documents_of(self, kind: RecipientKind, rid: str) -> set[Doc]:
        own = {RecipientKind.PROFILE: "profiles", RecipientKind.PROJECT: "projects"}
        docs: set[Doc] = {(own.get(kind, "contacts"), rid)}
        if kind is not RecipientKind.FUNDER:
            for mid, match in self._m.matches.items():
                if match.target_kind.value == kind.value and match.target_id == rid:
                    docs |= {("matches", mid), ("alerts", alert_id(RecipientKind.FUNDER, mid))}
        docs |= {
            ("alerts", aid)
            for aid, w in self._m.alerts.items()
            if w.value.recipient_kind is kind and w.value.recipient_id == rid
        }
        docs |= {
            ("notifications", nid)
            for nid, w in self._m.notifications.items()
            if w.value.recipient_kind is kind and w.value.recipient_id == rid
        }
        if kind is RecipientKind.PROJECT:
            for iid, interest in self._m.interests.items():
                if interest.project_id == rid:
                    docs.add(("interests", iid))
                    docs |= {
                        ("notifications", nid)
                        for nid, w in self._m.notifications.items()
                        if w.value.cause_payload.get("interest_id") == iid
                    }
        return docs
