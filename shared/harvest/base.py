"""The connector interface and what a connector yields: pages of raw records, and for
each record a harvested call (our grant contract plus its provenance) or a rejection.

A connector does one source's HTTP (through the injected `SourceHttp`) and its mapping;
storing, cursors, change notices and schedules belong to the pipeline that drives it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from shared.domain.models import GrantSubmission
from shared.domain.opportunities import OpportunityDetails

log = logging.getLogger(__name__)

#: A raw record as the source sent it (after JSON decoding, or a feed entry's kept fields).
Raw = Mapping[str, Any]


class Origin(StrEnum):
    """Where a field's value came from, so screening and people can weigh it."""

    GIVEN = "given"  # the source states it in a field meant for it
    INFERRED = "inferred"  # read from something else the source states (a code, a text)
    DEFAULT = "default"  # the source cannot say: the documented default for that source
    UNKNOWN = "unknown"  # the source cannot say and no default applies: left empty


class CallStatus(StrEnum):
    """A call's state at its source (dates may still close an "open" call: trust them)."""

    FORTHCOMING = "forthcoming"
    OPEN = "open"
    CLOSED = "closed"


#: The contract fields whose origin every harvested call records.
TRACKED_FIELDS: tuple[str, ...] = (
    "title",
    "description",
    "sectors",
    "countries",
    "applicant_types",
    "fiscal_sponsor_ok",
    "amounts",
    "currency",
    "deadline",
    "languages",
    "url",
)


@dataclass(frozen=True)
class Provenance:
    """Where a call came from and when. `checksum` is of the normalised content (see
    `shared.harvest.mapping.content_checksum`): equal checksums mean nothing a CSO would
    notice changed. `source_checksum` is the source's own, where it sends one."""

    source: str
    source_id: str
    source_url: str
    fetched_at: datetime
    checksum: str
    source_checksum: str | None = None


@dataclass(frozen=True)
class HarvestedCall:
    """One open call mapped onto the grant contract, with what we know about each field.

    `hold` names why this call must not be alerted even when screening would pass it
    (for example: foreign applicants may apply but no country is named, so a Mekong CSO
    is unlikely to be eligible and "worldwide" would be a guess). None: alert as usual.
    `details` makes it a training, an event or a tech offer (None: a grant); `submission`
    then holds the catalogue fields screening reads (`catalogue_fields`).
    """

    submission: GrantSubmission
    provenance: Provenance
    status: CallStatus
    origins: Mapping[str, Origin]
    warnings: tuple[str, ...] = ()
    hold: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    details: OpportunityDetails | None = None

    @property
    def alertable(self) -> bool:
        """Whether the pipeline may alert CSOs about this call at all."""
        return self.hold is None and self.status is not CallStatus.CLOSED


@dataclass(frozen=True)
class Rejected:
    """A source record that does not become a call: `reason` is short and shared by
    records rejected for the same cause (the run summary groups by it), `detail` says
    what this record had."""

    source: str
    source_id: str | None
    reason: str
    detail: str = ""


Outcome = HarvestedCall | Rejected


@dataclass(frozen=True)
class Page:
    """One page of raw records and the cursor of the next page (None: this was the last)."""

    records: tuple[Raw, ...]
    next_cursor: str | None


class PageError(Exception):
    """This page could not be read (HTTP error after retries, a truncated body, a shape
    the connector does not know). The run stops at this page; its cursor is kept, so
    the next run starts here again. The message names the source and the cause."""

    def __init__(self, source: str, cursor: str | None, cause: str) -> None:
        super().__init__(f"{source}: page {cursor or 'first'}: {cause}")
        self.source = source
        self.cursor = cursor
        self.cause = cause


class MissingKey(Exception):
    """A connector that needs a key was built without one."""


@runtime_checkable
class Connector(Protocol):
    """One source of open calls."""

    #: Stable name: the `source` of every call it yields, and the key of its cursor.
    name: str

    def fetch_page(self, cursor: str | None) -> Page:
        """The page at `cursor` (None: the first). Raises PageError, never anything else
        for a page it could not read."""
        ...

    def map_record(self, raw: Raw, fetched_at: datetime) -> Outcome:
        """One raw record as a harvested call, or why not. Pure: no I/O."""
        ...

    def is_open(self, raw: Raw, today: date) -> bool:
        """Whether one can still apply (or soon will): not closed at the source and its
        deadline (the first stage's, for two-stage calls) not past on `today`."""
        ...


@dataclass(frozen=True)
class PageRead:
    """One step of a walk: the page read at `cursor`, or the error that stopped it."""

    cursor: str | None
    page: Page | None = None
    error: PageError | None = None


def walk(
    connector: Connector, cursor: str | None = None, max_pages: int = 1000
) -> Iterator[PageRead]:
    """Read pages from `cursor` until the last one, a page error, or `max_pages`. A page
    error ends the walk (its cursor is where the next run resumes); it never raises."""
    for _ in range(max_pages):
        try:
            page = connector.fetch_page(cursor)
        except PageError as error:
            log.warning(
                "harvest page failed; the run stops here",
                extra={"source": connector.name, "cursor": cursor, "cause": error.cause},
            )
            yield PageRead(cursor, error=error)
            return
        yield PageRead(cursor, page=page)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
