"""What one harvest run of one source did, as counts a person can read.

Pure: it compares the run's outcomes with what was known before the run (each call's
content checksum and whether it was open), so the CLI can print a table and the
pipeline can tell new calls from updates without re-reading storage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from shared.harvest.base import CallStatus, HarvestedCall, Outcome, Rejected


@dataclass(frozen=True)
class KnownCall:
    """A call stored by an earlier run: its content checksum and whether it was open."""

    checksum: str
    open: bool = True


@dataclass(frozen=True)
class RunSummary:
    """Counts for one source and run. `seen` counts records read, duplicates included;
    each id then lands in exactly one of new / updated / unchanged / closed / rejected.
    `vanished` (in `closed`) are open calls known before that a complete run no longer
    saw; `held` (in new or updated) are calls kept from alerts, with their reason."""

    source: str
    seen: int = 0
    new: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    vanished: tuple[str, ...] = ()
    repeated: int = 0
    rejected: Mapping[str, int] = field(default_factory=dict)
    held: Mapping[str, int] = field(default_factory=dict)
    page_errors: tuple[str, ...] = ()

    @property
    def mapped(self) -> int:
        """Distinct calls mapped onto the contract (open or closed)."""
        return len(self.new) + len(self.updated) + len(self.unchanged) + self.closed_seen

    @property
    def closed_seen(self) -> int:
        """Calls this run saw closed (the others in `closed` vanished)."""
        return len(self.closed) - len(self.vanished)

    def table(self) -> str:
        """A plain-text table for the CLI: the counts, then rejections by reason."""
        rows: list[tuple[str, int | str]] = [
            ("seen", self.seen),
            ("new", len(self.new)),
            ("updated", len(self.updated)),
            ("unchanged", len(self.unchanged)),
            ("closed", len(self.closed)),
            ("  of which vanished", len(self.vanished)),
            ("rejected", sum(self.rejected.values())),
        ]
        rows += [(f"  {reason}", count) for reason, count in _by_count(self.rejected)]
        if self.held:
            rows.append(("held from alerts", sum(self.held.values())))
            rows += [(f"  {reason}", count) for reason, count in _by_count(self.held)]
        if self.repeated:
            rows.append(("repeated in the run", self.repeated))
        rows += [("page error", error) for error in self.page_errors]
        width = max(len(label) for label, _ in rows)
        lines = [f"harvest {self.source}", "-" * (width + 12)]
        lines += [f"{label.ljust(width)}  {value}" for label, value in rows]
        return "\n".join(lines)


def _by_count(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def summarise(
    source: str,
    outcomes: Iterable[Outcome],
    known: Mapping[str, KnownCall],
    today: date,
    *,
    complete: bool,
    page_errors: Iterable[str] = (),
) -> RunSummary:
    """Classify a run's outcomes against the calls known before it.

    A call is closed when its source says so or its deadline has passed on `today`; new
    when it is open and unknown; updated when open and its checksum changed (cosmetic
    changes leave the checksum); unchanged otherwise. Only a `complete` run (every page
    read) may close known calls it did not see: a run cut short by a page error cannot
    tell a vanished call from an unread one."""
    seen = 0
    repeated = 0
    first: dict[str, HarvestedCall] = {}
    rejected: Counter[str] = Counter()
    rejected_ids: set[str] = set()
    for outcome in outcomes:
        seen += 1
        if isinstance(outcome, Rejected):
            rejected[outcome.reason] += 1
            if outcome.source_id:
                rejected_ids.add(outcome.source_id)
            continue
        source_id = outcome.provenance.source_id
        if source_id in first:
            repeated += 1
            continue
        first[source_id] = outcome
    new: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    closed: list[str] = []
    held: Counter[str] = Counter()
    for source_id, call in first.items():
        deadline = call.submission.deadline
        if call.status is CallStatus.CLOSED or (deadline is not None and deadline < today):
            closed.append(source_id)
            continue
        before = known.get(source_id)
        if before is None or not before.open:
            new.append(source_id)
        elif before.checksum != call.provenance.checksum:
            updated.append(source_id)
        else:
            unchanged.append(source_id)
            continue
        if call.hold:
            held[call.hold] += 1
    vanished: list[str] = []
    if complete:
        seen_ids = set(first) | rejected_ids
        vanished = sorted(i for i, k in known.items() if k.open and i not in seen_ids)
    return RunSummary(
        source=source,
        seen=seen,
        new=tuple(new),
        updated=tuple(updated),
        unchanged=tuple(unchanged),
        closed=tuple(closed + vanished),
        vanished=tuple(vanished),
        repeated=repeated,
        rejected=dict(rejected),
        held=dict(held),
        page_errors=tuple(page_errors),
    )
