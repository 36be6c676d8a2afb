"""The harvest's ledger in memory: each source's run in progress, the calls stored from a
source (read from the grants, as the Firestore store reads them), the identity index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from shared.adapters.ports import GrantChange, HarvestProgress, StoredCall
from shared.domain.events import Envelope
from tests.fakes.memory import Memory, require


class FakeHarvest:
    """HarvestStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def progress(self, source: str) -> HarvestProgress | None:
        return self._m.harvest_runs.get(source)

    def start_run(self, source: str, run_id: str, now: datetime) -> None:
        self._m.harvest_runs[source] = HarvestProgress(run_id, None, frozenset(), now)

    def record_page(
        self, source: str, run_id: str, next_cursor: str | None, seen: Sequence[str], now: datetime
    ) -> None:
        run = require(self._m.harvest_runs.get(source), f"harvest_runs/{source}")
        self._m.harvest_runs[source] = replace(run, cursor=next_cursor, seen=run.seen | set(seen))

    def finish_run(self, source: str, run_id: str, now: datetime) -> None:
        self._m.harvest_runs.pop(source, None)

    def stored_calls(self, source: str) -> dict[str, StoredCall]:
        calls = {}
        for grant_id, stored in self._m.grants.items():
            provenance = stored.grant.provenance
            if provenance is None or provenance.source != source:
                continue
            calls[provenance.source_id] = StoredCall(
                grant_id=grant_id,
                source_id=provenance.source_id,
                checksum=provenance.checksum,
                open=provenance.closed_at is None,
            )
        return calls

    def claim_identities(
        self, source: str, claims: Mapping[str, Sequence[str]], now: datetime
    ) -> dict[str, str]:
        held = self._m.harvest_identities  # key -> (source, grant id)
        taken: dict[str, str] = {}
        for grant_id, keys in claims.items():
            other = [held[k] for k in keys if k in held and held[k][0] != source]
            if other:
                taken[grant_id] = other[0][1]
                continue
            for key in keys:
                held.setdefault(key, (source, grant_id))
        return taken

    def changes_to_announce(self, source: str) -> list[GrantChange]:
        changes = self._m.harvest_changes.values()
        return [c for c in changes if c.source == source and not c.announced]

    def changes_of_run(self, run_id: str) -> list[GrantChange]:
        return [c for c in self._m.harvest_changes.values() if c.run_id == run_id]

    def announce_changes(self, change_ids: Sequence[str], events: Sequence[Envelope]) -> None:
        for change_id in change_ids:  # every precondition first: one batch in Firestore
            require(self._m.harvest_changes.get(change_id), f"harvest_changes/{change_id}")
        for event in events:
            self._m.check_outbox_free(event)
        for change_id in change_ids:
            change = self._m.harvest_changes[change_id]
            self._m.harvest_changes[change_id] = replace(change, announced=True)
        for event in events:
            self._m.add_outbox(event)
