"""Signed links in emails: confirm an address, unsubscribe, stop alerts about one grant,
share a project's address with a funder who said it is interested, and delete everything
kept for an address. Also the one unsigned link that leads to a view of the site: the
projects page ranked against a funder's grant.

A token names the recipient by id (never by address), is signed with a secret from the
settings (itsdangerous, HMAC-SHA1 over a per-purpose salt), and expires. The salt makes
each token single-purpose: a confirmation token cannot unsubscribe and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from urllib.parse import urlencode

from itsdangerous import BadData, URLSafeTimedSerializer

from shared.domain.errors import InvalidLink
from shared.domain.recipients import RecipientKind


class Purpose(StrEnum):
    """What a link does; also its URL path."""

    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"
    MUTE = "mute"
    SHARE_CONTACT = "share-contact"
    ERASE = "erase"
    #: The CSO's own page of matches ("My Grant Match"), without an account.
    MY_MATCHES = "my"


#: A confirmation is asked for now; unsubscribe and "stop this grant" links must keep
#: working in an email that is read months later.
LIFETIME: Final[dict[Purpose, timedelta]] = {
    Purpose.CONFIRM: timedelta(days=7),
    Purpose.UNSUBSCRIBE: timedelta(days=365),
    Purpose.MUTE: timedelta(days=365),
    # Long enough for a small team to discuss a funder's note; short enough to go stale.
    Purpose.SHARE_CONTACT: timedelta(days=30),
    Purpose.ERASE: timedelta(days=365),
    # A link that opens a page of one's matches and data: it goes stale sooner than an
    # unsubscribe link, and a fresh one is in every email or a form away.
    Purpose.MY_MATCHES: timedelta(days=60),
}


@dataclass(frozen=True)
class LinkClaim:
    """What a valid token says: who, and which grant (MUTE) or interest (SHARE_CONTACT)."""

    purpose: Purpose
    recipient_kind: RecipientKind
    recipient_id: str
    grant_id: str | None = None
    interest_id: str | None = None


class LinkSigner:
    """Makes and checks the signed links of one deployment."""

    def __init__(self, secret: str, base_url: str) -> None:
        if len(secret) < 32:
            raise ValueError("LINK_SIGNING_SECRET must be set (32 characters or more)")
        self._secret = secret
        self._base_url = base_url.rstrip("/")

    def _serializer(self, purpose: Purpose) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=f"grantmatch-link/{purpose.value}")

    def token(self, claim: LinkClaim) -> str:
        """A signed, timestamped token for `claim`."""
        data = {"k": claim.recipient_kind.value, "i": claim.recipient_id}
        if claim.grant_id is not None:
            data["g"] = claim.grant_id
        if claim.interest_id is not None:
            data["n"] = claim.interest_id
        return self._serializer(claim.purpose).dumps(data)

    def url(self, claim: LinkClaim) -> str:
        """The public link for `claim` (GET shows a page, POST acts)."""
        return f"{self._base_url}/{claim.purpose.value}?{urlencode({'token': self.token(claim)})}"

    def read(self, purpose: Purpose, token: str, now: datetime) -> LinkClaim:
        """The claim in a token made for `purpose`, or InvalidLink if it is forged, made
        for another purpose, or expired at `now`."""
        try:
            data, signed_at = self._serializer(purpose).loads(token, return_timestamp=True)
            claim = LinkClaim(
                purpose, RecipientKind(data["k"]), str(data["i"]), data.get("g"), data.get("n")
            )
        except (BadData, KeyError, TypeError, ValueError) as exc:
            raise InvalidLink(purpose.value, expired=False) from exc
        if now - signed_at > LIFETIME[purpose]:
            raise InvalidLink(purpose.value, expired=True)
        return claim

    # Shorthands used by the email renderers.
    def confirm_url(self, kind: RecipientKind, recipient_id: str) -> str:
        """Link that confirms an address (double opt-in)."""
        return self.url(LinkClaim(Purpose.CONFIRM, kind, recipient_id))

    def unsubscribe_url(self, kind: RecipientKind, recipient_id: str) -> str:
        """One-click unsubscribe link (also the List-Unsubscribe header)."""
        return self.url(LinkClaim(Purpose.UNSUBSCRIBE, kind, recipient_id))

    def erase_url(self, kind: RecipientKind, recipient_id: str) -> str:
        """Link that deletes the profiles and projects of the recipient's address."""
        return self.url(LinkClaim(Purpose.ERASE, kind, recipient_id))

    def mute_url(self, kind: RecipientKind, recipient_id: str, grant_id: str) -> str:
        """Link that drops one grant from a recipient's alerts and reminders."""
        return self.url(LinkClaim(Purpose.MUTE, kind, recipient_id, grant_id))

    def my_matches_url(self, kind: RecipientKind, recipient_id: str) -> str:
        """Link to the CSO's own page of matches, profile and project (no account)."""
        return self.url(LinkClaim(Purpose.MY_MATCHES, kind, recipient_id))

    def share_contact_url(self, project_id: str, interest_id: str) -> str:
        """Link with which a CSO shares its address with an interested funder."""
        claim = LinkClaim(
            Purpose.SHARE_CONTACT, RecipientKind.PROJECT, project_id, interest_id=interest_id
        )
        return self.url(claim)


def grant_projects_page(base_url: str, grant_id: str, language: str) -> str:
    """The projects page ranked against one grant, where a funder's digest links and where
    signing in from that link returns (the JSON twin, /grants/<id>/projects, needs a
    Bearer header a browser cannot send). `base_url` is absolute in an email, the site's
    path prefix in a redirect."""
    query = urlencode({"grant": grant_id, "sort": "best", "lang": language})
    return f"{base_url.rstrip('/')}/projects?{query}"
