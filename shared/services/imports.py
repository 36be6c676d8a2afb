"""Bulk import of a funder's grants from an open-data file, in batches.

Records arrive one by one from a streaming parser. They are gathered into chunks; for
each chunk the stored versions are read in one `get_all`, unchanged grants are skipped,
and new or changed ones are written with their outbox events in one atomic batch, then
published together. The grant ids, content hashes, documents and events are exactly
those of `POST /grants` (`revise_grant`, `publish_all_now`), so imported grants flow
through match and notify like posted ones, and re-importing a file changes nothing and
announces nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from shared.adapters.ports import MAX_GRANTS_PER_BATCH, ConcurrentUpdate, SaveOutcome
from shared.domain.errors import Conflict, NotFound
from shared.domain.ids import grant_id
from shared.importers.records import Mapped, Rejected, SourceFormatError, SourceRecord
from shared.runtime.bootstrap import Adapters
from shared.services.submissions import fingerprint, publish_all_now, revise_grant, submit_grant

log = logging.getLogger(__name__)

DEFAULT_BATCH = 200
# Firestore refuses a commit over 10 MiB: cut a chunk well before that (a description
# may be 20 000 characters of 3-byte Khmer, about 60 KB).
MAX_CHUNK_BYTES = 6 * 1024 * 1024
MAX_LISTED_PROBLEMS = 1000
ProblemKind = Literal["rejected", "warning", "superseded"]


@dataclass(frozen=True)
class Problem:
    """A record the report speaks about: rejected, superseded, or imported with a warning."""

    position: str
    external_id: str | None
    kind: ProblemKind
    message: str


@dataclass
class ImportReport:
    """What an import did, with the first problems listed (all of them are counted)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    superseded: int = 0
    events: int = 0  # grant.published events written (one per new or changed grant)
    events_left_for_relay: int = 0  # of those, the ones Pub/Sub did not confirm at once
    problems: list[Problem] = field(default_factory=list)
    problems_not_listed: int = 0
    stopped_at: str | None = None  # why the file could not be read to its end

    @property
    def records(self) -> int:
        """Records read from the file."""
        return self.created + self.updated + self.unchanged + self.rejected + self.superseded

    def as_dict(self, max_problems: int = MAX_LISTED_PROBLEMS) -> dict[str, Any]:
        """The report as JSON-ready data, listing at most `max_problems` problems."""
        data = asdict(self)
        data["records"] = self.records
        data["problems"] = data["problems"][:max_problems]
        data["problems_not_listed"] += len(self.problems) - len(data["problems"])
        return data


ProblemSink = Callable[[Problem], None]


class _Recorder:
    """Counts problems, keeps the first ones for the report and streams all to a sink."""

    def __init__(self, report: ImportReport, sink: ProblemSink | None) -> None:
        self.report = report
        self._sink = sink

    def __call__(self, problem: Problem) -> None:
        if self._sink is not None:
            self._sink(problem)
        if len(self.report.problems) < MAX_LISTED_PROBLEMS:
            self.report.problems.append(problem)
        else:
            self.report.problems_not_listed += 1


def import_grants(
    ad: Adapters,
    funder_id: str,
    records: Iterable[SourceRecord],
    *,
    correlation_id: str,
    batch_size: int = DEFAULT_BATCH,
    on_problem: ProblemSink | None = None,
    on_chunk: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Store a funder's grants from parsed records: create new, update changed, skip
    unchanged, report the rest. A broken file stops the read; what came before it is
    imported and `stopped_at` says where and why."""
    if not 1 <= batch_size <= MAX_GRANTS_PER_BATCH:
        raise ValueError(f"batch_size must be 1..{MAX_GRANTS_PER_BATCH}")
    report = ImportReport()
    note = _Recorder(report, on_problem)
    now = ad.clock.now()
    chunk = _Chunk(ad, funder_id, report, note, correlation_id=correlation_id, now=now)
    try:
        for record in records:
            if isinstance(record, Rejected):
                report.rejected += 1
                note(Problem(record.position, record.external_id, "rejected", record.reason))
                continue
            if chunk.add(record) >= batch_size or chunk.size >= MAX_CHUNK_BYTES:
                chunk.flush()
                if on_chunk is not None:
                    on_chunk(report)
    except SourceFormatError as exc:
        report.stopped_at = exc.message
    chunk.flush()
    if on_chunk is not None:
        on_chunk(report)
    log.info(
        "grants imported",
        extra={  # LogRecord owns names like "created": prefix ours
            "funder_id": funder_id,
            "import_records": report.records,
            "import_created": report.created,
            "import_updated": report.updated,
            "import_unchanged": report.unchanged,
            "import_rejected": report.rejected,
            "import_events_left_for_relay": report.events_left_for_relay,
            "import_stopped_at": report.stopped_at,
        },
    )
    return report


def check_funder(ad: Adapters, funder_id: str) -> None:
    """NotFound unless the funder exists: an import must not create orphan grants."""
    if not ad.funders.exists(funder_id):
        raise NotFound(f"no funder {funder_id}")


class _Chunk:
    """The records waiting for the next batch, keyed by grant id (last one wins)."""

    def __init__(
        self,
        ad: Adapters,
        funder_id: str,
        report: ImportReport,
        note: _Recorder,
        *,
        correlation_id: str,
        now: datetime,
    ) -> None:
        self._ad, self._funder_id, self._report, self._note = ad, funder_id, report, note
        self._correlation_id, self._now = correlation_id, now
        self._pending: dict[str, Mapped] = {}
        self.size = 0

    def add(self, record: Mapped) -> int:
        """Queue a record; returns how many are queued."""
        for warning in record.warnings:
            self._report.warnings += 1
            self._note(Problem(record.position, record.submission.external_id, "warning", warning))
        gid = grant_id(self._funder_id, record.submission.external_id)
        earlier = self._pending.pop(gid, None)
        if earlier is not None:
            # Within a file the last record with an id wins, as if posted in order.
            self._report.superseded += 1
            message = f"the same external_id appears again at {record.position}"
            self._note(
                Problem(earlier.position, record.submission.external_id, "superseded", message)
            )
        self._pending[gid] = record
        self.size += len(record.submission.title) * 3 + len(record.submission.description) * 3
        return len(self._pending)

    def flush(self) -> None:
        """Write the queued grants that are new or changed, then announce them."""
        if not self._pending:
            return
        pending, self._pending, self.size = self._pending, {}, 0
        versions = self._ad.grants.versions(list(pending))
        writes = []
        for gid, record in pending.items():
            digest = fingerprint(record.submission)
            previous = versions.get(gid)
            if previous is not None and previous.content_hash == digest:
                self._report.unchanged += 1
                continue
            writes.append(
                revise_grant(
                    self._funder_id,
                    record.submission,
                    digest,
                    previous,
                    correlation_id=self._correlation_id,
                    now=self._now,
                )
            )
        try:
            self._ad.grants.save(writes)
        except ConcurrentUpdate:
            self._one_by_one([pending[w.grant.id] for w in writes])
            return
        for write in writes:
            if write.previous is None:
                self._report.created += 1
            else:
                self._report.updated += 1
        events = [w.event for w in writes]
        self._report.events += len(events)
        if not publish_all_now(self._ad, events):
            self._report.events_left_for_relay += len(events)

    def _one_by_one(self, records: list[Mapped]) -> None:
        """Someone changed one of these grants while we wrote the batch: fall back to the
        single-grant upsert, which re-reads and retries each one."""
        log.info(
            "batch conflicted; importing its grants one by one", extra={"grants": len(records)}
        )
        for record in records:
            try:
                result = submit_grant(
                    self._ad,
                    self._funder_id,
                    record.submission,
                    correlation_id=self._correlation_id,
                )
            except Conflict as exc:
                self._report.rejected += 1
                self._note(
                    Problem(record.position, record.submission.external_id, "rejected", exc.message)
                )
                continue
            if result.outcome is SaveOutcome.CREATED:
                self._report.created += 1
            elif result.outcome is SaveOutcome.UPDATED:
                self._report.updated += 1
            else:
                self._report.unchanged += 1
            if result.event_id is not None:
                self._report.events += 1
