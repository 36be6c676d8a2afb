"""The harvest's port: each source's run in progress, the calls stored from a source,
and the identity index that recognises one call in two sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from shared.adapters.ports.records import (
    GrantChange,
    HarvestProgress,
    StoredCall,
)
from shared.domain.events import Envelope


class HarvestStore(Protocol):
    """The harvest's own ledger: each source's run in progress (its cursor), the calls
    stored from a source, and the identity index that recognises one call in two sources."""

    def progress(self, source: str) -> HarvestProgress | None:
        """The unfinished run of `source`, if any."""
        ...

    def start_run(self, source: str, run_id: str, now: datetime) -> None:
        """Begin a run at the first page (replacing any unfinished one)."""
        ...

    def record_page(
        self, source: str, run_id: str, next_cursor: str | None, seen: Sequence[str], now: datetime
    ) -> None:
        """After a page was stored: the next run resumes at `next_cursor`, and `seen`
        joins the run's seen ids."""
        ...

    def finish_run(self, source: str, run_id: str, now: datetime) -> None:
        """The run read every page: forget its progress, remember when it finished."""
        ...

    def stored_calls(self, source: str) -> dict[str, StoredCall]:
        """Every call stored from `source`, by source id."""
        ...

    def claim_identities(
        self, source: str, claims: Mapping[str, Sequence[str]], now: datetime
    ) -> dict[str, str]:
        """Record, for each grant id of `source`, that its keys (normalised URLs,
        identifiers) name it. A grant one of whose keys another source's grant already
        holds records nothing: it is returned, mapped to that holder. Keys held by
        `source` itself are left to their first grant (one source may list two calls
        behind one page)."""
        ...

    def changes_to_announce(self, source: str) -> list[GrantChange]:
        """The changes of `source`'s calls whose notices were not handed to notify yet."""
        ...

    def changes_of_run(self, run_id: str) -> list[GrantChange]:
        """Every change a run stored (what its change notices say)."""
        ...

    def announce_changes(self, change_ids: Sequence[str], events: Sequence[Envelope]) -> None:
        """Mark changes announced and put the events that announce them in the outbox, in
        one atomic write (a crash leaves both undone, never one of them)."""
        ...
