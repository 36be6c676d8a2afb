"""The real clock (services read `now` from `Adapters.clock`; fakes set their own)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The current time, timezone-aware (UTC)."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)
