"""Funders and their API keys: issue once, store hashed, check in constant time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email

from shared.domain.api_keys import issue_key, parse_key, secret_matches
from shared.domain.errors import Unauthenticated
from shared.email.i18n import language_or_fallback
from shared.runtime.bootstrap import Adapters


@dataclass(frozen=True)
class NewFunder:
    """A created funder; `api_key` is shown once and cannot be recovered."""

    funder_id: str
    key_id: str
    api_key: str


def create_funder(
    ad: Adapters, name: str, email: str | None = None, language: str = "en"
) -> NewFunder:
    """Create a funder with its first API key, and optionally the private address that
    gets the weekly "projects that fit your grants" email."""
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValueError(f"not a valid email address: {exc}") from exc
    funder_id = "f_" + secrets.token_hex(8)
    now = ad.clock.now()
    ad.funders.create(funder_id, name, now)
    if email is not None:
        ad.funders.set_contact(funder_id, email, language_or_fallback(language), now)
    return NewFunder(funder_id, *add_key(ad, funder_id))


def add_key(ad: Adapters, funder_id: str) -> tuple[str, str]:
    """Issue another key for a funder (for rotation); returns (key id, plaintext key)."""
    key = issue_key()
    ad.funders.add_api_key(key.key_id, funder_id, key.secret_hash, ad.clock.now())
    return key.key_id, key.plaintext


def authenticate(ad: Adapters, authorization: str | None) -> str:
    """The funder id behind an `Authorization: Bearer <key>` header, or Unauthenticated."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthenticated("send your funder API key as 'Authorization: Bearer gm_…'")
    return check_key(ad, token.strip())[0]


def check_key(ad: Adapters, api_key: str) -> tuple[str, str]:
    """(funder id, key id) of a valid, unrevoked API key, or Unauthenticated."""
    parsed = parse_key(api_key)
    if parsed is None:
        raise Unauthenticated("send your funder API key as 'Authorization: Bearer gm_…'")
    key_id, secret = parsed
    record = ad.funders.get_api_key(key_id)
    if record is None or not secret_matches(secret, record.secret_hash):
        raise Unauthenticated("this API key is not valid")
    if record.revoked_at is not None:
        raise Unauthenticated("this API key has been revoked")
    return record.funder_id, key_id


def key_still_valid(ad: Adapters, funder_id: str, key_id: str) -> bool:
    """Whether a key a web session was opened with is still the funder's and unrevoked."""
    record = ad.funders.get_api_key(key_id)
    return record is not None and record.funder_id == funder_id and record.revoked_at is None


def session_still_valid(ad: Adapters, funder_id: str, key_id: str, sid: str) -> bool:
    """Whether a signed web session still acts for its funder: its key is unrevoked and
    the session was not signed out (a copy of its cookie may outlive the sign-out)."""
    return key_still_valid(ad, funder_id, key_id) and not ad.funders.session_revoked(sid)


def end_session(ad: Adapters, funder_id: str, sid: str, lifetime: timedelta) -> None:
    """Sign a web session out on the server, for as long as its cookie could be valid."""
    now = ad.clock.now()
    ad.funders.revoke_session(sid, funder_id, now, now + lifetime)
