"""Dates a 360Giving file writes as `05/06/2014` instead of ISO 8601: read in the order the
file itself shows (the first date with a number above 12 in first place makes it
day/month/year, in second place month/day/year), records waiting in file order until it
does, and the trouble said once per file in a `FileNote` (see shared/importers/
threesixtygiving.py for the rule as the import report states it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.importers.fields import clean
from shared.importers.records import FileNote, Rejected, SourceFormatError, SourceRecord

MapOne = Callable[[str, dict[str, Any]], SourceRecord]  # a grant at a position, mapped
#: How many records may wait for a file to show its date order (bounded memory).
MAX_HELD_FOR_DATE_ORDER = 1000
# 05/06/2014, 5.6.2014, 05-06-2014, with an optional time as spreadsheets add it.
_SLASHED_DATE = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
DAY_FIRST, MONTH_FIRST = "day/month/year", "month/day/year"


def in_date_order(grants: Iterator[tuple[str, Any]], map_one: MapOne) -> Iterator[SourceRecord]:
    """Each grant mapped, in file order, its non-ISO dates read in the order the file
    shows (see the module docstring), then one note per kind of date trouble."""
    dates = _DateOrder()
    held: list[tuple[str, dict[str, Any]]] = []

    def mapped(position: str, grant: dict[str, Any]) -> SourceRecord:
        converted = dates.to_iso(position, grant)
        if isinstance(converted, Rejected):
            return converted
        return map_one(position, converted)

    try:
        for position, grant in grants:
            if not isinstance(grant, dict):
                yield Rejected(position, None, "is not a JSON object")
                continue
            waits = dates.learn(grant)
            if held or (waits and dates.order is None):
                held.append((position, grant))
                if dates.order is None and len(held) < MAX_HELD_FOR_DATE_ORDER:
                    continue
                yield from (mapped(p, g) for p, g in held)
                held.clear()
                continue
            yield mapped(position, grant)
    except SourceFormatError:
        # What came before the break is imported: release it, and say what it needs said.
        yield from (mapped(p, g) for p, g in held)
        yield from dates.notes()
        raise
    yield from (mapped(p, g) for p, g in held)
    yield from dates.notes()


def _date_fields(grant: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(name, holder, key) of every date the mapping reads."""
    yield "awardDate", grant, "awardDate"
    for planned in grant.get("plannedDates") or []:
        if isinstance(planned, dict):
            yield "plannedDates.startDate", planned, "startDate"
            yield "plannedDates.endDate", planned, "endDate"


@dataclass
class _Trouble:
    """Records rejected for one kind of date trouble: counted, the first one named."""

    count: int = 0
    first_position: str = ""
    example: str = ""

    def add(self, position: str, example: str) -> None:
        if not self.count:
            self.first_position, self.example = position, example
        self.count += 1


@dataclass
class _DateOrder:
    """Which of day and month a file's slashed dates write first, as the file shows it."""

    order: str | None = None
    proof: str = ""
    read: int = 0
    read_example: str = ""
    undecided: _Trouble = field(default_factory=_Trouble)
    misfits: _Trouble = field(default_factory=_Trouble)

    def learn(self, grant: dict[str, Any]) -> bool:
        """Take the order from this grant's dates if it shows one; True if the grant has
        a date whose reading depends on the order."""
        depends = False
        for _, holder, key in _date_fields(grant):
            match = _SLASHED_DATE.match(clean(holder.get(key)))
            if match is None:
                continue
            first, second = int(match[1]), int(match[2])
            depends = depends or first != second
            if self.order is None and first > 12 >= second:
                self.order, self.proof = DAY_FIRST, match[0]
            elif self.order is None and second > 12 >= first:
                self.order, self.proof = MONTH_FIRST, match[0]
        return depends

    def to_iso(self, position: str, grant: dict[str, Any]) -> dict[str, Any] | Rejected:
        """The grant with its slashed dates written as ISO dates, or why it cannot be."""
        if not any(_SLASHED_DATE.match(clean(h.get(k))) for _, h, k in _date_fields(grant)):
            return grant
        converted = _copied_dates(grant)
        for name, holder, key in _date_fields(converted):
            text = clean(holder.get(key))
            match = _SLASHED_DATE.match(text)
            if match is None:
                continue
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            if self.order is None and first != second:
                self.undecided.add(position, text)
                reason = (
                    f"{name} {text!r} is not an ISO 8601 date, and no date in the file shows "
                    "whether the day or the month comes first"
                )
                return Rejected(position, clean(grant.get("id")) or None, reason, summarised=True)
            day, month = (second, first) if self.order == MONTH_FIRST else (first, second)
            try:
                holder[key] = date(year, month, day).isoformat()
            except ValueError:
                self.misfits.add(position, text)
                reason = f"{name} {text!r} is not a {self.order} date, as the file's are"
                return Rejected(position, clean(grant.get("id")) or None, reason, summarised=True)
            self.read_example = self.read_example or text
        self.read += 1
        return converted

    def notes(self) -> Iterator[FileNote]:
        """One note per kind of date trouble the file had."""
        if self.read:
            written = self.order or "day/month/year or month/day/year"
            how = (
                f"read as {self.order}, the order {self.proof!r} shows"
                if self.order
                else "read as written, since in each the day and the month are the same"
            )
            yield FileNote(
                "file",
                f"{_records(self.read)} give dates as {written} ({self.read_example!r}), not "
                f"ISO 8601 (YYYY-MM-DD) as the 360Giving standard requires: {how}",
            )
        if self.undecided.count:
            yield FileNote(
                "file",
                f"{_rejected(self.undecided)}: dates such as {self.undecided.example!r} are not "
                "ISO 8601 (YYYY-MM-DD), as the 360Giving standard requires, and no date in "
                "the file shows whether the day or the month comes first",
            )
        if self.misfits.count:
            yield FileNote(
                "file",
                f"{_rejected(self.misfits)}: dates such as {self.misfits.example!r} do not fit "
                f"the order of the file's other dates ({self.order})",
            )


def _copied_dates(grant: dict[str, Any]) -> dict[str, Any]:
    """A copy of the grant whose date holders can be changed without touching the source."""
    planned = grant.get("plannedDates")
    copy = dict(grant)
    if isinstance(planned, list):
        copy["plannedDates"] = [dict(p) if isinstance(p, dict) else p for p in planned]
    return copy


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def _rejected(trouble: _Trouble) -> str:
    its = "its" if trouble.count == 1 else "their"
    return (
        f"{_records(trouble.count)} rejected for {its} dates, the first at {trouble.first_position}"
    )
