"""Funder API keys: `gm_<key id>_<secret>`, stored as a SHA-256 of the secret only.

The key id locates the record without revealing anything; the secret is 256 random
bits, so a fast hash is enough (no password-style stretching needed) and the stored
hash is useless to whoever reads the database. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_PREFIX = "gm"
_KEY = re.compile(r"^gm_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key: `plaintext` is shown once and never stored."""

    key_id: str
    plaintext: str
    secret_hash: str


def issue_key() -> IssuedKey:
    """Create a new random key."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return IssuedKey(key_id, f"{_PREFIX}_{key_id}_{secret}", hash_secret(secret))


def hash_secret(secret: str) -> str:
    """The stored form of a key's secret."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse_key(presented: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, or None."""
    found = _KEY.match(presented)
    return (found.group(1), found.group(2)) if found else None


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time check of a presented secret against the stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)
