"""Harvest runs: read a source page by page, store each call as a grant, keep it current.

A harvested call is a grant of the per-source system funder `harvest:<source>`, written
exactly as a posted one (`revise_grant`, its `grant.published` event in the outbox, then
published), so it is matched and alerted like any other. Its grant id comes from the
source and the source's id, so the same call seen again is an update; the identity index
(normalised URL, identifiers) stores a call two sources both list once, under the
source that stored it first.

What is written, and when:
- a new open call, or one whose content checksum changed, is written (a cosmetic change
  leaves the checksum, so a re-harvest of unchanged records writes no grant);
- a held call is stored but never alerted (screening refuses it; no query finds it open);
- a call its source marks closed (or whose deadline passed), or that vanished from a
  complete run, is closed here: rewritten with `closed_at`, so alerts still waiting are
  screened again and expire;
- after each page the run's cursor moves on (`ad.harvest`), so a crash resumes there.

When a stored call's deadline, amount or eligibility changed, its old and new versions
are written in the batch that stores it, and once the run is over the CSOs already told
about it are announced a change notice (`change_notices`): a run that dies between the
two still owes, and later sends, the notice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import urlsplit

from shared.adapters.ports import MAX_GRANTS_PER_BATCH, GrantVersion, GrantWrite, StoredCall
from shared.domain.events import Envelope
from shared.domain.ids import content_hash, grant_id
from shared.domain.models import Grant, GrantProvenance, GrantSubmission
from shared.domain.opportunities import OpportunityDetails
from shared.harvest.base import CallStatus, Connector, HarvestedCall, Outcome, Rejected, walk
from shared.harvest.summary import KnownCall, RunSummary, summarise
from shared.matching.screening import deadline_today
from shared.runtime.bootstrap import Adapters
from shared.services.change_notices import (
    FieldChange,
    announce_change_notices,
    change_record,
    describe_changes,
)
from shared.services.submissions import publish_all_now, revise_grant

log = logging.getLogger(__name__)

FUNDER_PREFIX = "harvest:"
_SUBMISSION_FIELDS = tuple(GrantSubmission.model_fields)
_IDENTIFIER = re.compile(r"^(?=.*[A-Za-z])(?=.*[-/])[A-Za-z0-9][A-Za-z0-9._/-]{7,}$")
_TRACKING = ("utm_", "fbclid", "gclid")
# A changed call adds its change document to the grant's batch: three writes, not two.
_BATCH = MAX_GRANTS_PER_BATCH // 2


def harvest_funder(source: str) -> str:
    """The system funder that owns a source's calls."""
    return FUNDER_PREFIX + source


@dataclass
class HarvestReport:
    """What one run did: the summary's counts plus what storing added."""

    summary: RunSummary
    run_id: str
    written: int = 0
    duplicates: int = 0
    events_left_for_relay: int = 0
    changes: dict[str, list[FieldChange]] = field(default_factory=dict)
    notices: int = 0  # change notices announced (one per person and finished run)
    complete: bool = False
    dry_run: bool = False


def identity_keys(call: HarvestedCall) -> list[str]:
    """What names the call outside its source: its normalised URL, and its identifier when
    it looks like one a funder publishes (letters, digits and a dash or slash)."""
    keys = []
    url = call.submission.url
    if url:
        keys.append("url:" + normalise_url(str(url)))
    external = call.submission.external_id
    if _IDENTIFIER.match(external):
        keys.append("id:" + external.upper())
    return keys


def normalise_url(url: str) -> str:
    """A URL as two sources would both write it: no scheme, `www.`, fragment, trailing
    slash or tracking parameters; the host in lower case."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = "&".join(
        p for p in sorted(parts.query.split("&")) if p and not p.lower().startswith(_TRACKING)
    )
    path = parts.path.rstrip("/")
    return host + path + ("?" + query if query else "")


def run_harvest(
    ad: Adapters,
    connector: Connector,
    *,
    run_id: str,
    correlation_id: str,
    max_pages: int = 1000,
    dry_run: bool = False,
    on_page: Callable[[int], object] | None = None,
    cause: Envelope | None = None,
    use_cursor: bool = True,
) -> HarvestReport:
    """Read `connector`'s source from its stored cursor and store what it holds.

    A run is complete when its last page says there is no next one; only then are calls
    that vanished closed. A page error ends the run with its cursor kept. `dry_run`
    reads and classifies, and writes nothing. Once the run is over, the change notices
    of the source's finished runs are announced, if a `cause` (the event that asked for
    the run) is given; without one (a benchmark) they stay owed to a later run. Without
    `use_cursor` (recorded pages) the run neither reads nor moves the cursor and
    closes nothing it did not see."""
    source = connector.name
    now = ad.clock.now()
    today = deadline_today(now)
    stored = ad.harvest.stored_calls(source)
    tracked = use_cursor and not dry_run
    progress = ad.harvest.progress(source) if tracked else None
    cursor, seen_before = None, frozenset[str]()
    if progress is not None:
        run_id, cursor, seen_before = progress.run_id, progress.cursor, progress.seen
        log.info("harvest resumes", extra={"source": source, "run_id": run_id, "cursor": cursor})
    elif not dry_run:
        _ensure_funder(ad, source, now)
        if tracked:
            ad.harvest.start_run(source, run_id, now)
    store = _PageStore(ad, source, run_id, stored, now, today, correlation_id)
    outcomes: list[Outcome] = []
    errors: list[str] = []
    complete = False
    for step in walk(connector, cursor, max_pages):
        if step.page is None:
            errors.append(str(step.error))
            break
        page_outcomes = [_map(connector, raw, now) for raw in step.page.records]
        outcomes += page_outcomes
        if not dry_run:
            store.page(page_outcomes)
            ids = [o.source_id for o in page_outcomes if isinstance(o, Rejected) and o.source_id]
            ids += [o.provenance.source_id for o in page_outcomes if not isinstance(o, Rejected)]
            if tracked:
                ad.harvest.record_page(source, run_id, step.page.next_cursor, ids, now)
        if on_page is not None:
            on_page(len(step.page.records))
        complete = step.page.next_cursor is None
    known = {
        sid: KnownCall(c.checksum, c.open) for sid, c in stored.items() if sid not in seen_before
    }
    whole = complete and use_cursor  # recorded pages cannot tell what vanished
    summary = summarise(source, outcomes, known, today, complete=whole, page_errors=errors)
    if whole and not dry_run:
        store.close_vanished(summary.vanished)
        ad.harvest.finish_run(source, run_id, ad.clock.now())
    report = HarvestReport(
        summary=summary,
        run_id=run_id,
        written=store.written,
        duplicates=store.duplicates,
        events_left_for_relay=store.left_for_relay,
        changes=store.changes,
        complete=complete,
        dry_run=dry_run,
    )
    if cause is not None and not dry_run:
        report.notices = announce_change_notices(ad, source, correlation_id)
    log.info(
        "harvest run",
        extra={
            "source": source,
            "run_id": run_id,
            "harvest_seen": summary.seen,
            "harvest_new": len(summary.new),
            "harvest_updated": len(summary.updated),
            "harvest_closed": len(summary.closed),
            "harvest_rejected": sum(summary.rejected.values()),
            "harvest_written": store.written,
            "harvest_duplicates": store.duplicates,
            "harvest_complete": complete,
            "dry_run": dry_run,
        },
    )
    return report


def _map(connector: Connector, raw: object, now: datetime) -> Outcome:
    """One record's outcome; a mapping bug rejects the record instead of ending the run."""
    try:
        return connector.map_record(raw, now)  # type: ignore[arg-type]
    except Exception as exc:  # one bad record must not stop a source
        log.exception("harvest mapping failed", extra={"source": connector.name})
        return Rejected(connector.name, None, "mapping failed", type(exc).__name__)


def _ensure_funder(ad: Adapters, source: str, now: datetime) -> None:
    funder_id = harvest_funder(source)
    if not ad.funders.exists(funder_id):
        ad.funders.create(funder_id, f"{source} (harvested)", now)


@dataclass(frozen=True)
class _Pending:
    call: HarvestedCall | None  # None: a stored call closed because it vanished
    grant_id: str
    submission: GrantSubmission
    provenance: GrantProvenance
    digest: str
    details: OpportunityDetails | None = None  # a training's (etc.); a grant has none


class _PageStore:
    """Writes one page's calls: new and changed ones, closings, in atomic batches."""

    def __init__(
        self,
        ad: Adapters,
        source: str,
        run_id: str,
        stored: dict[str, StoredCall],
        now: datetime,
        today: date,
        correlation_id: str,
    ) -> None:
        self._ad, self._source, self._run_id, self._stored = ad, source, run_id, stored
        self._now, self._today, self._correlation_id = now, today, correlation_id
        self._funder = harvest_funder(source)
        self.written = 0
        self.duplicates = 0
        self.left_for_relay = 0
        self.changes: dict[str, list[FieldChange]] = {}

    def page(self, outcomes: Iterable[Outcome]) -> None:
        """Store a page's calls (the last of a repeated id wins)."""
        calls: dict[str, HarvestedCall] = {}
        for outcome in outcomes:
            if not isinstance(outcome, Rejected):
                calls[outcome.provenance.source_id] = outcome
        pending = [p for call in calls.values() if (p := self._pending(call)) is not None]
        self._write(self._not_held_elsewhere(pending))

    def _not_held_elsewhere(self, pending: list[_Pending]) -> list[_Pending]:
        """Drop new calls another source already stored (same URL or identifier)."""
        new = {
            p.grant_id: p.provenance.identities
            for p in pending
            if p.call is not None and p.provenance.source_id not in self._stored
        }
        taken = self._ad.harvest.claim_identities(self._source, new, self._now) if new else {}
        for gid, holder in taken.items():
            self.duplicates += 1
            log.info(
                "harvested call already stored from another source",
                extra={"source": self._source, "grant_id": gid, "held_by": holder},
            )
        return [p for p in pending if p.grant_id not in taken]

    def _pending(self, call: HarvestedCall) -> _Pending | None:
        sid = call.provenance.source_id
        before = self._stored.get(sid)
        deadline = call.submission.deadline
        closed = call.status is CallStatus.CLOSED or (
            deadline is not None and deadline < self._today
        )
        if closed and before is None:
            return None  # never open here: nothing to store or close
        gid = grant_id(self._funder, call.submission.external_id)
        keys = identity_keys(call)
        provenance = GrantProvenance(
            source=self._source,
            source_id=sid,
            source_url=call.provenance.source_url,
            fetched_at=call.provenance.fetched_at,
            checksum=call.provenance.checksum,
            source_checksum=call.provenance.source_checksum,
            status=call.status.value,
            origins={k: v.value for k, v in call.origins.items()},
            warnings=list(call.warnings),
            hold=call.hold,
            closed_at=self._now if closed else None,
            identities=keys,
        )
        return _Pending(call, gid, call.submission, provenance, _digest(provenance), call.details)

    def close_vanished(self, source_ids: Sequence[str]) -> None:
        """Close the stored open calls a complete run no longer saw."""
        pending = []
        for sid in source_ids:
            stored = self._stored.get(sid)
            grant = self._ad.grants.get(stored.grant_id) if stored else None
            if grant is None or grant.provenance is None:
                continue
            provenance = grant.provenance.model_copy(update={"closed_at": self._now})
            submission = GrantSubmission.model_validate(grant.model_dump(include=_fields()))
            pending.append(
                _Pending(None, grant.id, submission, provenance, _digest(provenance), grant.details)
            )
        self._write(pending)

    def _write(self, pending: list[_Pending]) -> None:
        for start in range(0, len(pending), _BATCH):
            self._write_batch(pending[start : start + _BATCH])

    def _write_batch(self, pending: list[_Pending]) -> None:
        versions = self._ad.grants.versions([p.grant_id for p in pending])
        changed = [p for p in pending if _changed(versions.get(p.grant_id), p.digest)]
        if not changed:
            return
        writes = []
        olds: dict[str, Grant] = {}
        for item in changed:
            previous = versions.get(item.grant_id)
            if previous is not None and item.provenance.alertable:
                old = self._ad.grants.get(item.grant_id)
                if old is not None and old.alertable:
                    olds[item.grant_id] = old
            write = revise_grant(
                self._funder,
                item.submission,
                item.digest,
                previous,
                correlation_id=self._correlation_id,
                now=self._now,
                provenance=item.provenance,
            )
            write = _with_details(write, item.details)
            old = olds.get(write.grant.id)
            changes = describe_changes(old, write.grant) if old is not None else []
            if old is not None and changes:
                self.changes[write.grant.id] = changes
                record = change_record(self._source, self._run_id, old, write.grant, self._now)
                write = replace(write, change=record)
            writes.append(write)
        # A concurrent writer (another run of this source) raises ConcurrentUpdate: the
        # run stops before its cursor moves, and the next run stores this page again.
        self._ad.grants.save(writes)
        self.written += len(writes)
        if not publish_all_now(self._ad, [w.event for w in writes]):
            self.left_for_relay += len(writes)


def _with_details(write: GrantWrite, details: OpportunityDetails | None) -> GrantWrite:
    """A harvested training (or other kind) is stored with its details, so it stays one."""
    if details is None:
        return write
    return replace(write, grant=write.grant.model_copy(update={"details": details}))


def _changed(previous: GrantVersion | None, digest: str) -> bool:
    return previous is None or previous.content_hash != digest


def _digest(provenance: GrantProvenance) -> str:
    """What decides a rewrite: the content checksum, the hold and whether it is closed
    (never the fetch time, so an unchanged re-harvest writes nothing)."""
    closed = provenance.closed_at is not None
    return content_hash(f"harvest|{provenance.checksum}|{provenance.hold}|{closed}")


def _fields() -> set[str]:
    return set(_SUBMISSION_FIELDS)
