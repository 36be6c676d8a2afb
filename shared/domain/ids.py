"""Identifiers. Deterministic ones make retries and redeliveries land on the same document.

Firestore `create()` on a deterministic id is our de-duplication primitive: it is atomic
and cheap, where transactions are slow under contention (notably in the emulator).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_SEP = "\x1f"  # unit separator: cannot appear in validated ids


def _digest(*parts: str) -> str:
    return hashlib.sha256(_SEP.join(parts).encode("utf-8")).hexdigest()[:32]


def grant_id(funder_id: str, external_id: str) -> str:
    """One grant per (funder, external_id): posting it again updates it."""
    return "g_" + _digest("grant", funder_id, external_id)


def item_id(kind: str, funder_id: str, external_id: str) -> str:
    """One catalogue item per (kind, funder, external_id). A grant keeps its `grant_id`;
    a training and a grant that share an external_id are two items, never one."""
    if kind == "grant":
        return grant_id(funder_id, external_id)
    return "g_" + _digest(kind, funder_id, external_id)


_HASHED_ID = re.compile(r"^([a-z])_[0-9a-f]{32}$")


def _shaped(prefix: str, value: str) -> bool:
    found = _HASHED_ID.match(value)
    return found is not None and found.group(1) == prefix


def is_grant_id(value: str) -> bool:
    """True if `value` has the shape of a grant id (anything else cannot name a grant, and
    must not reach Firestore as a document id: `..` or `__x__` are errors there)."""
    return _shaped("g", value)


def is_project_id(value: str) -> bool:
    """True if `value` has the shape of a project id (see `is_grant_id`)."""
    return _shaped("p", value)


def match_id(grant_id: str, target_kind: str, target_id: str) -> str:
    """One match per (grant, target), however often the grant or target is re-processed."""
    return "m_" + _digest("match", grant_id, target_kind, target_id)


def interest_id(funder_id: str, project_id: str) -> str:
    """One interest per (funder, project): telling a project twice is telling it once."""
    return "i_" + _digest("interest", funder_id, project_id)


def submission_id(prefix: str, idempotency_key: str | None) -> str:
    """A new random id, or a deterministic one when the client sent an Idempotency-Key."""
    if idempotency_key is None:
        return f"{prefix}_{secrets.token_hex(16)}"
    return f"{prefix}_" + _digest("submission", prefix, idempotency_key)


def new_event_id() -> str:
    """A unique event id (128 random bits)."""
    return secrets.token_hex(16)


def content_hash(payload: str) -> str:
    """A stable fingerprint of a canonical JSON payload, to detect unchanged re-posts."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def address_key(secret: str, email: str) -> str:
    """The keyed hash an address is found by (HMAC-SHA256 of the address in lower case).

    Profiles and projects store it beside their address, so every record of one address
    is one indexed equality query away, and no extra plaintext copy of it is kept.
    Without the secret, the index cannot be checked against a list of guessed addresses."""
    normalised = email.strip().lower().encode()
    return hmac.new(f"address-index/{secret}".encode(), normalised, hashlib.sha256).hexdigest()
