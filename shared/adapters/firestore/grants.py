"""Grants, each written with its outbox event, and the open-grant candidate queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.alerts import alert_refs_of_grant
from shared.adapters.firestore.common import FirestoreStore, delete_all, keys_or_any, model_document
from shared.adapters.firestore.harvest import add_change
from shared.adapters.firestore.keys import ROLLING, CandidateQuery, grant_queries, grant_reach_keys
from shared.adapters.firestore.ledgers import add_outbox
from shared.adapters.firestore.matches import match_refs_of_grant
from shared.adapters.ports import MAX_GRANTS_PER_BATCH, ConcurrentUpdate, GrantVersion, GrantWrite
from shared.domain.models import Grant

GRANTS = "grants"
_VERSION_FIELDS = ["content_hash", "revision", "created_at"]
NOT_OPEN = "0000-00-00"  # closes_on of a call held from alerts or closed here


def _grant_document(grant: Grant, content_hash: str) -> dict[str, Any]:
    """A grant as stored, with the index keys the candidate queries use."""
    return model_document(
        grant,
        content_hash=content_hash,
        country_keys=keys_or_any(grant.countries),
        sector_keys=keys_or_any([s.value for s in grant.sectors]),
        reach_keys=grant_reach_keys(grant),
        closes_on=_closes_on(grant),
    )


def _closes_on(grant: Grant) -> str:
    """The deadline as the open-grant queries compare it; a harvested call that is held
    or closed here sorts before every date, so no query finds it open or closing."""
    if not grant.alertable:
        return NOT_OPEN
    return grant.deadline.isoformat() if grant.deadline else ROLLING


class FirestoreGrants(FirestoreStore):
    """Grants by id, by deadline and by the countries and sectors they fund."""

    def __init__(self, client: firestore.Client) -> None:
        super().__init__(client)
        # Documents streamed by `open_for`: logged by the matcher, printed by bench/.
        self.documents_read = 0

    def get(self, grant_id: str) -> Grant | None:
        """A grant by id."""
        snap = self._db.collection(GRANTS).document(grant_id).get()
        return Grant.model_validate(snap.to_dict()) if snap.exists else None

    def version(self, grant_id: str) -> GrantVersion | None:
        """The stored grant's hash, revision and update time, for an upsert."""
        return self.versions([grant_id]).get(grant_id)

    def versions(self, grant_ids: list[str]) -> dict[str, GrantVersion]:
        """Versions of many grants in one round trip (missing ids are absent)."""
        refs = [self._db.collection(GRANTS).document(gid) for gid in grant_ids]
        found = {}
        for snap in self._db.get_all(refs, field_paths=_VERSION_FIELDS):
            if snap.exists:
                data = snap.to_dict() or {}
                found[snap.id] = GrantVersion(
                    data.get("content_hash", ""),
                    data.get("revision", 1),
                    data["created_at"],
                    snap.update_time,
                )
        return found

    def save(self, writes: Sequence[GrantWrite]) -> None:
        """Create or replace grants together with their outbox events (and a harvested
        call's change), in one atomic batch (at most MAX_GRANTS_PER_BATCH: two writes
        each, 500 per batch; a caller that adds changes sends fewer grants).

        Raises ConcurrentUpdate if any grant changed (or appeared) since its version was
        read; then nothing is written.
        """
        if len(writes) > MAX_GRANTS_PER_BATCH:
            raise ValueError(f"at most {MAX_GRANTS_PER_BATCH} grants per batch")
        if not writes:
            return
        batch = self._db.batch()
        for write in writes:
            ref = self._db.collection(GRANTS).document(write.grant.id)
            data = _grant_document(write.grant, write.content_hash)
            if write.previous is None:
                batch.create(ref, data)
            else:
                option = self._db.write_option(last_update_time=write.previous.update_time)
                batch.update(ref, data, option=option)
            add_outbox(self._db, batch, write.event)
            if write.change is not None:
                add_change(self._db, batch, write.change)
        try:
            batch.commit()
        except (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.NotFound) as exc:
            raise ConcurrentUpdate(", ".join(w.grant.id for w in writes[:3])) from exc

    def delete(self, grant_id: str) -> int:
        """Delete a grant with its matches and alerts; returns how many documents went."""
        refs = [self._db.collection(GRANTS).document(grant_id)]
        refs += match_refs_of_grant(self._db, grant_id)
        refs += alert_refs_of_grant(self._db, grant_id)
        return delete_all(self._db, refs)

    def open_for(
        self, countries: list[str], today: date, sectors: list[str] | None = None
    ) -> Iterator[Grant]:
        """Grants still open at `today` that cover one of `countries` (or are worldwide)
        and fund one of `sectors` (or any sector); every sector when `sectors` is None."""
        seen: set[str] = set()
        for spec in grant_queries(countries, sectors or []):
            for snap in self._open_grants_stream(spec, today):
                self.documents_read += 1
                if snap.id not in seen:
                    seen.add(snap.id)
                    yield Grant.model_validate(snap.to_dict())

    def _open_grants_stream(self, spec: CandidateQuery, today: date) -> Iterator[Any]:
        # Each query is spelled out with literal fields, one helper per query family, so
        # tests/contract can read every query and check its composite index.
        query: Any = self._db.collection(GRANTS)
        if spec.field == "reach_keys":
            query = query.where(
                filter=FieldFilter("reach_keys", "array_contains_any", list(spec.values))
            )
        else:
            query = query.where(
                filter=FieldFilter("country_keys", "array_contains_any", list(spec.values))
            )
        query = query.where(filter=FieldFilter("closes_on", ">=", today.isoformat()))
        return query.stream()

    def closing_between(self, first: date, last: date) -> list[Grant]:
        """Grants whose deadline falls between `first` and `last` (inclusive)."""
        query = (
            self._db.collection(GRANTS)
            .where(filter=FieldFilter("closes_on", ">=", first.isoformat()))
            .where(filter=FieldFilter("closes_on", "<=", last.isoformat()))
        )
        return [Grant.model_validate(snap.to_dict()) for snap in query.stream()]


def grants_of_funder(db: firestore.Client, funder_id: str, limit: int) -> list[Grant]:
    """Up to `limit` of one funder's grants (the funder's page orders them)."""
    query = db.collection(GRANTS).where(filter=FieldFilter("funder_id", "==", funder_id))
    return [Grant.model_validate(s.to_dict()) for s in query.limit(limit).stream()]
