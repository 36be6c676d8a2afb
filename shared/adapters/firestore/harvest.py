"""The harvest's ledger: one progress document per source (its run in progress), the
ids its pages saw (chunk documents of one generation of the run, so their number has no
limit), the calls stored from a source (read from the grants), and the identity index.

Progress is written after each page's grants are stored, so a run that dies resumes at
the first page it had not finished: a page may be stored twice (the second time writes
nothing, its grants being unchanged), never skipped.

A call that changed for CSOs already told about it leaves a change document, written in
the grant's own batch (`add_change`); once its run is over, the notices it owes are put
in the outbox and the changes marked announced in one batch (`announce_changes`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import FirestoreStore, delete_all
from shared.adapters.firestore.ledgers import add_outbox
from shared.adapters.ports import GrantChange, HarvestProgress, StoredCall
from shared.domain.events import Envelope
from shared.domain.ids import content_hash
from shared.domain.models import Grant

GRANTS = "grants"  # the grants store's collection: harvested calls are grants
RUNS = "harvest_runs"  # one document per source: the run in progress and the last finished
SEEN = "harvest_seen"  # the ids a run's pages saw, in chunks (a run can see 100,000s)
SEEN_PER_CHUNK = 5_000  # ids of up to ~150 characters: well under 1 MiB a document
SEEN_KEPT = timedelta(days=30)  # chunks a crashed run never finished: then Firestore's TTL
IDENTITIES = "harvest_identities"  # one document per identity key: the grant it names
CHANGES = "harvest_changes"  # one document per call changed in a run (TTL)
CHANGE_KEPT = timedelta(days=90)  # long after its notices went out: then Firestore's TTL
_CALL_FIELDS = ["id", "provenance.source_id", "provenance.checksum", "provenance.closed_at"]


class FirestoreHarvest(FirestoreStore):
    """Cursors, stored calls and identities of the harvest."""

    def progress(self, source: str) -> HarvestProgress | None:
        """The unfinished run of `source`, if any, with every id its pages saw."""
        data = self._db.collection(RUNS).document(source).get().to_dict() or {}
        if not data.get("run_id"):
            return None
        return HarvestProgress(
            run_id=data["run_id"],
            cursor=data.get("cursor"),
            # A run begun before the chunks kept its ids in the run's own array.
            seen=frozenset(self._seen(source, data.get("generation", "")))
            | set(data.get("seen") or []),
            started_at=data["started_at"],
        )

    def _seen(self, source: str, generation: str) -> set[str]:
        query = (
            self._db.collection(SEEN)
            .where(filter=FieldFilter("source", "==", source))
            .where(filter=FieldFilter("generation", "==", generation))
        )
        seen: set[str] = set()
        for snap in query.select(["ids"]).stream():
            seen.update(snap.get("ids") or [])
        return seen

    def start_run(self, source: str, run_id: str, now: datetime) -> None:
        """Begin a run at the first page (replacing any unfinished one). A new
        generation: ids an earlier run saw, even under the same run id, are not its own."""
        self._forget_seen(source)
        self._db.collection(RUNS).document(source).set(
            {
                "run_id": run_id,
                "generation": uuid.uuid4().hex,
                "cursor": None,
                "seen": firestore.DELETE_FIELD,  # the ids' old home, one array per run
                "started_at": now,
                "updated_at": now,
            },
            merge=True,
        )

    def record_page(
        self, source: str, run_id: str, next_cursor: str | None, seen: Sequence[str], now: datetime
    ) -> None:
        """Move the run's cursor past a stored page and keep the page's ids, in one
        transaction: chunk documents named after the run and the page, so a page
        recorded again after a crash rewrites its chunks instead of adding to them."""
        run_ref = self._db.collection(RUNS).document(source)

        @firestore.transactional
        def record(transaction: firestore.Transaction) -> None:
            data = run_ref.get(transaction=transaction).to_dict() or {}
            generation = data.get("generation", "")
            ids = sorted(set(seen))
            for n, start in enumerate(range(0, len(ids), SEEN_PER_CHUNK)):
                key = content_hash(f"{source}|{generation}|{next_cursor}|{n}")[:40]
                transaction.set(
                    self._db.collection(SEEN).document(key),
                    {
                        "source": source,
                        "generation": generation,
                        "ids": ids[start : start + SEEN_PER_CHUNK],
                        "expire_at": now + SEEN_KEPT,
                    },
                )
            transaction.update(run_ref, {"cursor": next_cursor, "updated_at": now})

        record(self._db.transaction())

    def finish_run(self, source: str, run_id: str, now: datetime) -> None:
        """Forget the finished run's progress and seen ids; keep when it finished."""
        self._db.collection(RUNS).document(source).set(
            {
                "run_id": None,
                "cursor": None,
                "seen": firestore.DELETE_FIELD,
                "finished_at": now,
                "last_run": run_id,
            },
            merge=True,
        )
        self._forget_seen(source)

    def _forget_seen(self, source: str) -> None:
        """Delete the seen-id chunks of `source`'s runs (a TTL takes any a crash leaves)."""
        query = self._db.collection(SEEN).where(filter=FieldFilter("source", "==", source))
        delete_all(self._db, [snap.reference for snap in query.select([]).stream()])

    def stored_calls(self, source: str) -> dict[str, StoredCall]:
        """Every call stored from `source`, by source id."""
        query = (
            self._db.collection(GRANTS)
            .where(filter=FieldFilter("provenance.source", "==", source))
            .select(_CALL_FIELDS)
        )
        calls = {}
        for snap in query.stream():
            provenance = snap.get("provenance") or {}
            source_id = provenance.get("source_id", "")
            calls[source_id] = StoredCall(
                grant_id=snap.id,
                source_id=source_id,
                checksum=provenance.get("checksum", ""),
                open=provenance.get("closed_at") is None,
            )
        return calls

    def claim_identities(
        self, source: str, claims: Mapping[str, Sequence[str]], now: datetime
    ) -> dict[str, str]:
        """Record each grant's keys unless another source's grant holds one of them (then
        map the grant to that holder). One transaction, so two sources storing the same
        call at once agree on who holds it."""
        refs = {
            key: self._db.collection(IDENTITIES).document(content_hash(key)[:40])
            for keys in claims.values()
            for key in keys
        }
        if not refs:
            return {}

        @firestore.transactional
        def claim(transaction: firestore.Transaction) -> dict[str, str]:
            held: dict[str, dict[str, str]] = {}
            for snap in self._db.get_all(list(refs.values()), transaction=transaction):
                if snap.exists:
                    held[snap.id] = snap.to_dict() or {}
            taken: dict[str, str] = {}
            for grant_id, keys in claims.items():
                holders = [held.get(refs[k].id) for k in keys]
                other = [h for h in holders if h and h.get("source") != source]
                if other:
                    taken[grant_id] = str(other[0]["grant_id"])
                    continue
                for key in keys:
                    if refs[key].id not in held:
                        record = {"grant_id": grant_id, "source": source, "key": key}
                        transaction.set(refs[key], {**record, "claimed_at": now})
                        held[refs[key].id] = record
            return taken

        return claim(self._db.transaction())

    def changes_to_announce(self, source: str) -> list[GrantChange]:
        """The changes of `source`'s calls whose notices were not handed to notify yet."""
        query = (
            self._db.collection(CHANGES)
            .where(filter=FieldFilter("source", "==", source))
            .where(filter=FieldFilter("announced", "==", False))
        )
        return [_change(snap.id, snap.to_dict() or {}) for snap in query.stream()]

    def changes_of_run(self, run_id: str) -> list[GrantChange]:
        """Every change a run stored."""
        query = self._db.collection(CHANGES).where(filter=FieldFilter("run_id", "==", run_id))
        return [_change(snap.id, snap.to_dict() or {}) for snap in query.stream()]

    def announce_changes(self, change_ids: Sequence[str], events: Sequence[Envelope]) -> None:
        """Mark changes announced and add the events announcing them to the outbox, in one
        batch."""
        batch = self._db.batch()
        for change_id in change_ids:
            batch.update(self._db.collection(CHANGES).document(change_id), {"announced": True})
        for event in events:
            add_outbox(self._db, batch, event)
        batch.commit()


def add_change(db: firestore.Client, batch: Any, change: GrantChange) -> None:
    """Add a changed call's document to the batch that writes its grant."""
    batch.set(
        db.collection(CHANGES).document(change.id),
        {
            "source": change.source,
            "run_id": change.run_id,
            "grant_id": change.grant_id,
            "old": change.old.model_dump_json(),
            "new": change.new.model_dump_json(),
            "created_at": change.created_at,
            "announced": change.announced,
            "expire_at": change.created_at + CHANGE_KEPT,
        },
    )


def _change(change_id: str, data: dict[str, Any]) -> GrantChange:
    return GrantChange(
        id=change_id,
        source=data["source"],
        run_id=data["run_id"],
        grant_id=data["grant_id"],
        old=Grant.model_validate_json(data["old"]),
        new=Grant.model_validate_json(data["new"]),
        created_at=data["created_at"],
        announced=bool(data.get("announced")),
    )
