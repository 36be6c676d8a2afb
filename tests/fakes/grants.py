"""FakeGrants: grants with their outbox events, and the open-grant candidate queries.

The candidate queries are the real ones (`shared.adapters.firestore.keys`), run over the
same index keys the Firestore store writes, so the fake finds exactly the grants, in the
order, that the emulator does; the contract test holds the two together.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from shared.adapters.firestore.keys import ANY, ROLLING, CandidateQuery, grant_queries
from shared.adapters.firestore.keys import grant_reach_keys as _reach_keys
from shared.adapters.ports import MAX_GRANTS_PER_BATCH, ConcurrentUpdate, GrantVersion, GrantWrite
from shared.domain.models import Grant
from tests.fakes.memory import Memory, StoredGrant


def closes_on(grant: Grant) -> str:
    """The deadline as the store indexes it (rolling grants close last)."""
    return grant.deadline.isoformat() if grant.deadline else ROLLING


def _fits(grant: Grant, spec: CandidateQuery) -> bool:
    keys = _reach_keys(grant) if spec.field == "reach_keys" else list(grant.countries) or [ANY]
    return bool(set(keys) & set(spec.values))


class FakeGrants:
    """GrantStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory
        self.documents_read = 0

    def get(self, grant_id: str) -> Grant | None:
        stored = self._m.grants.get(grant_id)
        return stored.grant if stored else None

    def version(self, grant_id: str) -> GrantVersion | None:
        return self.versions([grant_id]).get(grant_id)

    def versions(self, grant_ids: list[str]) -> dict[str, GrantVersion]:
        found = {}
        for gid in grant_ids:
            if (stored := self._m.grants.get(gid)) is not None:
                grant = stored.grant
                found[gid] = GrantVersion(
                    stored.content_hash, grant.revision, grant.created_at, stored.written
                )
        return found

    def save(self, writes: Sequence[GrantWrite]) -> None:
        if len(writes) > MAX_GRANTS_PER_BATCH:
            raise ValueError(f"at most {MAX_GRANTS_PER_BATCH} grants per batch")
        for write in writes:  # every precondition first: the batch is all or nothing
            stored = self._m.grants.get(write.grant.id)
            if write.previous is None:
                current = stored is None
            else:
                current = stored is not None and stored.written == write.previous.update_time
            if not current or write.event.id in self._m.outbox:
                raise ConcurrentUpdate(", ".join(w.grant.id for w in writes[:3]))
        for write in writes:
            written = self._m.write_time()
            self._m.grants[write.grant.id] = StoredGrant(write.grant, write.content_hash, written)
            self._m.add_outbox(write.event)
            if write.change is not None:
                self._m.harvest_changes[write.change.id] = write.change

    def delete(self, grant_id: str) -> int:
        matches = [mid for mid, m in self._m.matches.items() if m.grant_id == grant_id]
        alerts = [aid for aid, a in self._m.alerts.items() if a.value.grant_id == grant_id]
        self._m.grants.pop(grant_id, None)
        for mid in matches:
            del self._m.matches[mid]
        for aid in alerts:
            del self._m.alerts[aid]
        return 1 + len(matches) + len(alerts)  # the grant's own delete counts, as in Firestore

    def open_for(
        self, countries: list[str], today: date, sectors: list[str] | None = None
    ) -> Iterator[Grant]:
        seen: set[str] = set()
        for spec in grant_queries(countries, sectors or []):
            for grant in self._query(spec, today):
                self.documents_read += 1
                if grant.id not in seen:
                    seen.add(grant.id)
                    yield grant

    def _query(self, spec: CandidateQuery, today: date) -> list[Grant]:
        """One query: its keys, and open at `today`, ordered as Firestore orders a range."""
        found = [
            s.grant
            for s in self._m.grants.values()
            if _fits(s.grant, spec) and closes_on(s.grant) >= today.isoformat()
        ]
        return sorted(found, key=lambda g: (closes_on(g), g.id))

    def closing_between(self, first: date, last: date) -> list[Grant]:
        found = [
            s.grant
            for s in self._m.grants.values()
            if first.isoformat() <= closes_on(s.grant) <= last.isoformat()
        ]
        return sorted(found, key=lambda g: (closes_on(g), g.id))
