"""Rate limits (pure): who a request counts against, and a sliding window over counters
with deterministic ids, so every instance of a function counts in the same Firestore
documents.

A request to a route that acts for a funder counts against the funder's key (named by
the Authorization header, or by the projects page's signed session); any other request
against its client address, in one of three buckets: reads, writes, and emailed links
(one-click unsubscribes all come from a few mail providers' servers, so that bucket is
wide). A key sent to a public route opens no allowance of its own: anyone can make one
up. The counter id names the bucket, a hash of the subject (client addresses are
personal data: never stored in clear) and the fixed window's start, e.g.
`ip-write:3f2a…:29397120`.

The window slides: a request is admitted only if fewer than `limit` requests were
admitted in the `window_seconds` before it, so no span of that length admits more than
the limit (a fixed window admitted up to twice the limit across its turn). Each fixed
window's document keeps its admitted requests per tick (a sixtieth of the window: a
second for a minute) and the time of the latest; a tick counts until its last possible
request is a window old, so nothing is forgotten early and a client is held back at most
one tick longer than an exact log would hold it. Refused requests are counted too (the
document's `count`) but take no room: a client over the limit gets the limit, not less.

Behind Google's front end the client address is the `trusted_hops`-th entry from the
right of X-Forwarded-For: each Google proxy appends the address it saw, and anything to
its left was written by the client and cannot be trusted (werkzeug's ProxyFix reads it
the same way). IPv6 clients count per /64, the block one subscriber usually holds.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from shared.adapters.ports import WindowCount
from shared.domain.api_keys import parse_key


class Bucket(StrEnum):
    """What a request counts against."""

    KEY = "key"
    IP_READ = "ip-read"
    IP_WRITE = "ip-write"
    IP_LINK = "ip-link"


#: A window's admitted requests are kept per tick, this many to a window.
TICKS_PER_WINDOW = 60


@dataclass(frozen=True)
class Window:
    """One fixed window of one counter: where to count, and when it resets (a sliding
    window reads two of them)."""

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


@dataclass(frozen=True)
class SlidingWindow:
    """The `window_seconds` before a moment, over two fixed windows of one subject: the
    one the moment falls in (counted into) and the one before."""

    previous: Window
    current: Window
    tick: int  # the moment's tick in the current window
    limit: int
    window_seconds: int

    @property
    def counter_ids(self) -> list[str]:
        """The two windows' counters, the previous one first."""
        return [self.previous.counter_id, self.current.counter_id]

    def _ticks(self, previous: WindowCount, current: WindowCount) -> list[tuple[float, int]]:
        """(latest time any of its requests can have, count) of every tick, oldest first."""
        length = self.window_seconds / TICKS_PER_WINDOW
        ticks = []
        for window, stored in ((self.previous, previous), (self.current, current)):
            start = window.resets_at.timestamp() - self.window_seconds
            for tick, count in sorted(stored.ticks.items()):
                end = min(start + (tick + 1) * length, stored.last_seen or math.inf)
                ticks.append((end, count))
        return ticks

    def load(self, previous: WindowCount, current: WindowCount, now: datetime) -> int:
        """Requests admitted less than a window before `now`."""
        since = now.timestamp() - self.window_seconds
        return sum(count for end, count in self._ticks(previous, current) if end > since)

    def has_room(self, previous: WindowCount, current: WindowCount, now: datetime) -> bool:
        """Whether one more request fits, as read before counting it."""
        return self.load(previous, current, now) < self.limit

    def admits(self, previous: WindowCount, admitted_now: int, now: datetime) -> bool:
        """Whether the request just counted fits, given the current window's admitted
        total that the count returned (exact when other instances count at once; the
        whole current window is less than a window old)."""
        return self.load(previous, WindowCount(), now) + admitted_now <= self.limit

    def retry_after(self, previous: WindowCount, current: WindowCount, now: datetime) -> int:
        """Whole seconds until enough of the oldest admitted requests are a window old for
        one more to fit (at least 1, at most the window)."""
        at = now.timestamp()
        recent = [t for t in self._ticks(previous, current) if t[0] > at - self.window_seconds]
        excess = sum(count for _, count in recent) - self.limit + 1
        for end, count in sorted(recent):
            excess -= count
            if excess <= 0:
                wait = math.ceil(end + self.window_seconds - at)
                return min(self.window_seconds, max(1, wait))  # another clock may be ahead
        return 1

    def with_request(self, current: WindowCount, now: datetime) -> WindowCount:
        """The current window as stored once the request at `now` is admitted into it."""
        ticks = {**current.ticks, self.tick: current.ticks.get(self.tick, 0) + 1}
        return WindowCount(ticks, max(current.last_seen, now.timestamp()))


def sliding_window_for(
    bucket: Bucket, subject: str, limit: int, window_seconds: int, now: datetime
) -> SlidingWindow:
    """The sliding window that ends at `now`, for this bucket and subject."""
    previous = window_for(
        bucket, subject, limit, window_seconds, now - timedelta(seconds=window_seconds)
    )
    current = window_for(bucket, subject, limit, window_seconds, now)
    # Read as the previous window for a whole window after it ends, then deleted (TTL).
    previous, current = (
        replace(w, expire_at=w.expire_at + timedelta(seconds=window_seconds))
        for w in (previous, current)
    )
    start = current.resets_at.timestamp() - window_seconds
    tick = min(
        TICKS_PER_WINDOW - 1, int((now.timestamp() - start) * TICKS_PER_WINDOW / window_seconds)
    )
    return SlidingWindow(previous, current, tick, limit, window_seconds)
