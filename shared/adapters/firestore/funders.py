"""Funders, their private contact addresses and their API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import FirestoreStore
from shared.adapters.ports import ApiKeyRecord
from shared.domain.recipients import Recipient

FUNDERS = "funders"
FUNDER_CONTACTS = "funder_contacts"  # private: kept apart from anything a funder API shows
API_KEYS = "api_keys"
REVOKED_SESSIONS = "revoked_sessions"  # funder web sessions signed out before they expire (TTL)


class FirestoreFunders(FirestoreStore):
    """Funders, contacts and keys."""

    def create(self, funder_id: str, name: str, now: datetime) -> None:
        """Store a new funder."""
        self._db.collection(FUNDERS).document(funder_id).create({"name": name, "created_at": now})

    def set_contact(self, funder_id: str, email: str, language: str, now: datetime) -> None:
        """Store a funder's private email (for the weekly "projects that fit" email)."""
        contact_ref(self._db, funder_id).set(
            {"email": email, "language": language, "unsubscribed_at": None, "created_at": now}
        )

    def with_contact(self) -> list[str]:
        """Ids of funders that gave an email and did not unsubscribe."""
        query = self._db.collection(FUNDER_CONTACTS).where(
            filter=FieldFilter("unsubscribed_at", "==", None)
        )
        return [snap.id for snap in query.stream()]

    def exists(self, funder_id: str) -> bool:
        """True if the funder was created (imports refuse unknown funder ids)."""
        return self._db.collection(FUNDERS).document(funder_id).get().exists

    def name_of(self, funder_id: str) -> str | None:
        """A funder's display name (public: shown to the CSOs it contacts)."""
        snap = self._db.collection(FUNDERS).document(funder_id).get()
        return snap.get("name") if snap.exists else None

    def add_api_key(self, key_id: str, funder_id: str, secret_hash: str, now: datetime) -> None:
        """Store a key's hash for a funder."""
        self._db.collection(API_KEYS).document(key_id).create(
            {
                "funder_id": funder_id,
                "secret_hash": secret_hash,
                "created_at": now,
                "revoked_at": None,
            }
        )

    def get_api_key(self, key_id: str) -> ApiKeyRecord | None:
        """A key record or None."""
        snap = self._db.collection(API_KEYS).document(key_id).get()
        if not snap.exists:
            return None
        data = snap.to_dict() or {}
        return ApiKeyRecord(
            key_id=snap.id,
            funder_id=data["funder_id"],
            secret_hash=data["secret_hash"],
            created_at=data["created_at"],
            revoked_at=data.get("revoked_at"),
        )

    def revoke_session(self, sid: str, funder_id: str, now: datetime, expire_at: datetime) -> None:
        """Remember that a web session was signed out, until it would have expired anyway
        (Firestore TTL deletes the record then)."""
        self._db.collection(REVOKED_SESSIONS).document(sid).set(
            {"funder_id": funder_id, "revoked_at": now, "expire_at": expire_at}
        )

    def session_revoked(self, sid: str) -> bool:
        """True if the web session `sid` was signed out."""
        return self._db.collection(REVOKED_SESSIONS).document(sid).get().exists

    def revoke_api_key(self, key_id: str, now: datetime) -> bool:
        """Mark a key revoked; False if there is no such key."""
        try:
            self._db.collection(API_KEYS).document(key_id).update({"revoked_at": now})
        except gexc.NotFound:
            return False
        return True


# -- for the stores that reach a funder's contact (recipients, erasure) --------------------
def contact_ref(db: firestore.Client, funder_id: str) -> Any:
    """The reference of a funder's private contact document."""
    return db.collection(FUNDER_CONTACTS).document(funder_id)


def funder_recipient(db: firestore.Client, funder_id: str) -> Recipient | None:
    """A funder's contact as a recipient (with the funder's name), if both exist."""
    contact = contact_ref(db, funder_id).get()
    funder = db.collection(FUNDERS).document(funder_id).get()
    if not (contact.exists and funder.exists):
        return None
    return Recipient.of_funder(
        funder_id,
        funder.get("name"),
        contact.get("email"),
        contact.get("language"),
        contact.get("unsubscribed_at") is not None,
    )


def contacts_with_address(db: firestore.Client, email: str) -> list[str]:
    """Ids of the funders whose contact uses this address."""
    funders = db.collection(FUNDER_CONTACTS).where(filter=FieldFilter("email", "==", email))
    return [s.id for s in funders.select([]).stream()]
