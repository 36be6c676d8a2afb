"""Helpers for tests on the real adapters: the same adapters at another time, and the
Firestore client behind the stores (to read documents exactly as stored)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from shared.runtime.bootstrap import Adapters


@dataclass(frozen=True)
class FixedClock:
    """A clock that always says the same time."""

    at: datetime

    def now(self) -> datetime:
        return self.at


def at(ad: Adapters, when: datetime) -> Adapters:
    """The same adapters, living at `when` (services read the time from the clock)."""
    return replace(ad, clock=FixedClock(when))


def later(ad: Adapters, delta: timedelta) -> Adapters:
    """The same adapters, `delta` from now."""
    return at(ad, ad.clock.now() + delta)


def client_of(ad: Adapters) -> Any:
    """The Firestore client every store of these adapters shares."""
    return ad.grants.client  # type: ignore[attr-defined]


def documents_read(ad: Adapters) -> int:
    """Documents the candidate queries of every store have streamed so far."""
    return ad.grants.documents_read + ad.subscribers.documents_read
