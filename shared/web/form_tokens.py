"""The hidden token of every web form: a signed, timestamped random nonce.

The forms create records without a session or an account, so there is no ambient
authority for a cross-site request to abuse: a forged post could do no more than a post
straight to the JSON API, and the double opt-in keeps an address from being signed up
against its owner's will. What the token buys is safety from double submits: its nonce
becomes the submission's Idempotency-Key, so a second press of "Send" (or a browser
retry) stores nothing new. Its signature and age also turn away posts built without
loading the form, and forms left open for days.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Final

from itsdangerous import BadData, URLSafeTimedSerializer

#: A form may stay open this long (slow connections, a team deciding together).
LIFETIME: Final = timedelta(hours=24)


class FormTokens:
    """Issues and checks the form tokens of one deployment (secret from the settings)."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="grantmatch-form")

    def issue(self) -> str:
        """A fresh token for a form about to be shown."""
        return self._serializer.dumps(secrets.token_hex(16))

    def nonce(self, token: str, now: datetime) -> str | None:
        """The nonce in a token this deployment issued less than LIFETIME before `now`;
        None for a forged, garbled or stale token."""
        try:
            nonce, signed_at = self._serializer.loads(token, return_timestamp=True)
        except BadData:
            return None
        if not isinstance(nonce, str) or now - signed_at > LIFETIME:
            return None
        return nonce
