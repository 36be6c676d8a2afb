"""Rate limits (pure): who a request counts against, and fixed windows with deterministic
counter ids, so every instance of a function counts in the same Firestore document.

A request to a route that acts for a funder counts against the funder's key (named by
the Authorization header, or by the projects page's signed session); any other request
against its client address, in one of three buckets: reads, writes, and emailed links
(one-click unsubscribes all come from a few mail providers' servers, so that bucket is
wide). A key sent to a public route opens no allowance of its own: anyone can make one
up. The counter id names the bucket, a hash of the subject (client addresses are
personal data: never stored in clear) and the window, e.g. `ip-write:3f2a…:29397120`.

Behind Google's front end the client address is the `trusted_hops`-th entry from the
right of X-Forwarded-For: each Google proxy appends the address it saw, and anything to
its left was written by the client and cannot be trusted (werkzeug's ProxyFix reads it
the same way). IPv6 clients count per /64, the block one subscriber usually holds.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.domain.api_keys import parse_key


class Bucket(StrEnum):
    """What a request counts against."""

    KEY = "key"
    IP_READ = "ip-read"
    IP_WRITE = "ip-write"
    IP_LINK = "ip-link"


@dataclass(frozen=True)
class Window:
    """One fixed window of one counter: where to count, and when it resets."""

    counter_id: str
    limit: int
    resets_at: datetime
    expire_at: datetime  # when the counter document may be deleted (Firestore TTL)

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the window resets (at least 1)."""
        return max(1, int((self.resets_at - now).total_seconds() + 0.999))


def client_ip(remote_addr: str | None, forwarded_for: str | None, trusted_hops: int) -> str:
    """The client's address: the connecting peer without trusted proxies, else the entry
    the outermost trusted proxy appended to X-Forwarded-For."""
    candidate = remote_addr or ""
    if trusted_hops > 0:
        entries = [e.strip() for e in (forwarded_for or "").split(",") if e.strip()]
        # Fewer entries than trusted proxies: the chain is not what we were told it is.
        candidate = entries[-trusted_hops] if len(entries) >= trusted_hops else candidate
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def bearer_key_id(authorization: str | None) -> str | None:
    """The key id in a well-formed `Authorization: Bearer gm_…` header (not checked)."""
    scheme, _, token = (authorization or "").partition(" ")
    parsed = parse_key(token.strip()) if scheme.lower() == "bearer" else None
    return parsed[0] if parsed else None


def subject_of(key_id: str | None, ip: str, method: str, link: bool) -> tuple[Bucket, str]:
    """The bucket and subject a request counts against: the funder key it acts for, if
    any, else its client address."""
    if key_id is not None:
        return Bucket.KEY, key_id
    if link:
        return Bucket.IP_LINK, ip
    if method in ("GET", "HEAD", "OPTIONS"):
        return Bucket.IP_READ, ip
    return Bucket.IP_WRITE, ip


def window_for(
    bucket: Bucket, subject: str, limit: int, window_seconds: int, now: datetime
) -> Window:
    """The fixed window that `now` falls in, for this bucket and subject."""
    start = int(now.timestamp()) // window_seconds * window_seconds
    digest = hashlib.sha256(f"{bucket.value}\x1f{subject}".encode()).hexdigest()[:32]
    resets_at = datetime.fromtimestamp(start + window_seconds, tz=now.tzinfo)
    expire_at = datetime.fromtimestamp(start + window_seconds + 3600, tz=now.tzinfo)
    return Window(f"{bucket.value}:{digest}:{start}", limit, resets_at, expire_at)
