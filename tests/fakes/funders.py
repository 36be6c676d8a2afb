"""FakeFunders: funders, their private contact addresses and their API keys."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from shared.adapters.ports import ApiKeyRecord
from tests.fakes.memory import AlreadyExists, FunderContact, Memory


class FakeFunders:
    """FunderStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def create(self, funder_id: str, name: str, now: datetime) -> None:
        if funder_id in self._m.funders:
            raise AlreadyExists(f"funders/{funder_id}")
        self._m.funders[funder_id] = (name, now)

    def set_contact(self, funder_id: str, email: str, language: str, now: datetime) -> None:
        self._m.contacts[funder_id] = FunderContact(email, language, now)

    def with_contact(self) -> list[str]:
        return sorted(fid for fid, c in self._m.contacts.items() if c.unsubscribed_at is None)

    def exists(self, funder_id: str) -> bool:
        return funder_id in self._m.funders

    def name_of(self, funder_id: str) -> str | None:
        found = self._m.funders.get(funder_id)
        return found[0] if found else None

    def add_api_key(self, key_id: str, funder_id: str, secret_hash: str, now: datetime) -> None:
        if key_id in self._m.api_keys:
            raise AlreadyExists(f"api_keys/{key_id}")
        self._m.api_keys[key_id] = ApiKeyRecord(key_id, funder_id, secret_hash, now)

    def get_api_key(self, key_id: str) -> ApiKeyRecord | None:
        return self._m.api_keys.get(key_id)

    def revoke_session(self, sid: str, funder_id: str, now: datetime, expire_at: datetime) -> None:
        self._m.revoked_sessions[sid] = (funder_id, expire_at)

    def session_revoked(self, sid: str) -> bool:
        return sid in self._m.revoked_sessions

    def revoke_api_key(self, key_id: str, now: datetime) -> bool:
        record = self._m.api_keys.get(key_id)
        if record is None:
            return False
        self._m.api_keys[key_id] = dataclasses.replace(record, revoked_at=now)
        return True
