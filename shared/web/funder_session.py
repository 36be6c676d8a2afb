"""A funder's sign-in on the web pages, without keeping the API key anywhere.

The funder types its API key into a form (over HTTPS). It is checked exactly like a
Bearer header and then forgotten: the browser gets a signed, short-lived cookie naming the
funder and the key's id, never the key. Every request re-checks that this key was not
revoked meanwhile, so revoking a key also ends its web sessions, and that the session
was not signed out, so a copy of the cookie dies with the sign-out. The cookie is HttpOnly,
SameSite=Strict, Secure when the site is served over HTTPS, and scoped to the site's
path. Forms that act for the funder also carry a token derived from the session, so a
page elsewhere cannot post them even in a browser that ignores SameSite.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Final

from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE: Final = "gm_funder"
#: Short, because the pages may be used on shared computers; signing in again is cheap.
LIFETIME: Final = timedelta(hours=2)


@dataclass(frozen=True)
class FunderSession:
    """Who is signed in, with which key, and the session's own random id."""

    funder_id: str
    key_id: str
    sid: str


class SessionSigner:
    """Makes and checks session cookies and their form tokens (secret from the settings)."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="grantmatch-funder-session")
        self._csrf_key = hashlib.sha256(f"grantmatch-csrf/{secret}".encode()).digest()

    def cookie_value(self, funder_id: str, key_id: str) -> str:
        """A new session for a funder who just proved its key."""
        return self._serializer.dumps({"f": funder_id, "k": key_id, "s": secrets.token_hex(16)})

    def read(self, value: str | None, now: datetime) -> FunderSession | None:
        """The session in a cookie this deployment signed less than LIFETIME before `now`."""
        if not value:
            return None
        try:
            data, signed_at = self._serializer.loads(value, return_timestamp=True)
            session = FunderSession(str(data["f"]), str(data["k"]), str(data["s"]))
        except (BadData, KeyError, TypeError):
            return None
        return session if now - signed_at <= LIFETIME else None

    def csrf_token(self, session: FunderSession) -> str:
        """The token that forms acting for this session must carry."""
        return hmac.new(self._csrf_key, session.sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: FunderSession, token: str | None) -> bool:
        """Whether a posted form carries this session's token (constant-time)."""
        # As bytes: compare_digest raises on a str with non-ASCII characters, and a
        # posted field may hold any text.
        expected = self.csrf_token(session).encode()
        return hmac.compare_digest(expected, (token or "").encode("utf-8", "surrogatepass"))


@cache
def session_signer(secret: str) -> SessionSigner:
    """The deployment's signer (one per secret: the routes and the rate limiter share it)."""
    return SessionSigner(secret)
